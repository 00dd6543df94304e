"""Audit history (issue 11, RELIABILITY.md R21): every change staff can make, and every credit
movement, leaves an event row in the same transaction, naming who made it."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from accounts.models import (
    AccessToken,
    GroupPermissionGrant,
    OAuthAccount,
    StaffGroup,
    User,
    UserGroupMembership,
)
from billing.models import CreditBucket, CreditLedgerEntry
from billing.services.credit_purchases import credit_purchase_fulfil, credit_purchase_refund
from billing.services.credits import (
    credits_adjust,
    credits_grant_daily_start,
    credits_grant_signup,
)
from chat.models import Chat
from config.audit import MACHINE_COLUMNS, SECRET_CHANGE
from config.encryption import is_secret_field
from feedback.models import FeedbackPost
from projects.models import EnvironmentStatus, Project
from tests import figures
from tests.backoffice.helpers import (
    actor,
    as_request,
    event_models,
    events_of,
    registered_admins,
)
from tests.billing.factories import pending_purchase, usage
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
BUCKETS = ("daily_credits", "bundled_credits", "signup_bonus_credits", "purchased_credits")


def all_events():
    return sum(model.objects.count() for model in event_models().values())


def admin_writable(model_admin, superuser):
    request = as_request(superuser)
    return (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )


@pytest.mark.django_db
def test_every_model_staff_can_change_in_admin_is_audited(superuser):
    """The rule behind R21: a model whose admin lets even a superuser add, change or delete
    has an event table with insert, update and delete triggers."""
    audited = event_models()
    unaudited = []
    for model, model_admin in registered_admins():
        if not admin_writable(model_admin, superuser):
            continue
        labels = {tracker.label for tracker in getattr(audited.get(model), "pgh_trackers", ())}
        if not {"insert", "update", "delete"} <= labels:
            unaudited.append(model._meta.label)
    assert unaudited == []


def test_snapshots_never_hold_a_secret_nor_a_machine_counter():
    for tracked, event_model in event_models().items():
        copied = {f.name for f in event_model._meta.concrete_fields}
        secrets = {f.name for f in tracked._meta.concrete_fields if is_secret_field(f)}
        assert not copied & secrets, tracked
        assert not copied & MACHINE_COLUMNS, tracked


@pytest.mark.django_db
def test_an_admin_change_names_the_staff_member_and_the_page(client, superuser, user):
    client.force_login(superuser)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_and_revoke", "_selected_action": [str(user.pk)]},
    )
    assert response.status_code == 302
    [insert, deactivated] = events_of(user)
    assert (insert.pgh_label, deactivated.pgh_label) == ("insert", "update")
    assert deactivated.is_active is False
    assert actor(deactivated) == {
        "user": str(superuser.pk),
        "url": "/admin/accounts/user/",
        "method": "POST",
    }


@pytest.mark.django_db
def test_each_change_page_opens_the_rows_history_with_who_did_it(client, superuser, user):
    client.force_login(superuser)
    client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_and_revoke", "_selected_action": [str(user.pk)]},
    )
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    history = f"/admin/accounts/user/{user.pk}/history/"
    assert history in page
    response = client.get(history)
    assert response.status_code == 200
    entries = response.context["timeline"].entries
    events = [e for e in entries if not e.what.startswith("admin:")]
    assert [event.what for event in events] == ["update", "insert"]
    assert events[0].actor.name == superuser.email
    assert superuser.email in response.content.decode()


@pytest.mark.django_db
def test_an_api_change_names_the_token_user(client_for, user):
    project = ProjectFactory(owner=user)
    response = client_for(user).patch(
        f"/api/v1/projects/{project.pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 200
    change = events_of(project, "update")[-1]
    assert change.name == "Renamed"
    assert actor(change)["user"] == str(user.pk)
    assert actor(change)["url"] == f"/api/v1/projects/{project.pk}/"


@pytest.mark.django_db
def test_a_service_account_change_names_the_service_account(client_for, service_account, user):
    project = ProjectFactory(owner=user, environment_status=EnvironmentStatus.STOPPING)
    response = client_for(service_account).post(
        f"/api/v1/projects/{project.pk}/environment/", {"status": "hibernated"}, format="json"
    )
    assert response.status_code == 200
    change = events_of(project, "update")[-1]
    assert change.environment_status == EnvironmentStatus.HIBERNATED
    assert actor(change)["user"] == str(service_account.pk)


def manage(*args, **env):
    """`manage.py` as cron and operators run it, against this test database."""
    db = connection.settings_dict
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            **env,
        },
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_management_command_names_itself():
    manage(
        "createsuperuser",
        "--noinput",
        "--email",
        "ops@example.com",
        DJANGO_SUPERUSER_PASSWORD="a-long-enough-password-for-audit",
        DJANGO_SUPERUSER_NAME="Operator",
    )
    [created] = events_of(User.objects.get(email="ops@example.com"))
    assert created.pgh_label == "insert"
    assert actor(created)["command"] == "createsuperuser"
    assert actor(created)["os_user"]


@pytest.mark.django_db(transaction=True)
def test_a_command_runs_raw_sql_as_written():
    """The command's context rewrites no statement: a literal % in raw SQL stays one."""
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute(\"EXPLAIN SELECT 1 WHERE 'bench-1' LIKE 'bench%'\")\n"
        "print('ran')"
    )
    assert manage("shell", "-c", script).stdout.strip().endswith("ran")


@pytest.mark.django_db
def test_a_bulk_update_leaves_one_event_per_row():
    projects = ProjectFactory.create_batch(3)
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(description="bulk")
    for project in projects:
        assert [e.description for e in events_of(project, "update")] == ["bulk"]


@pytest.mark.django_db
def test_the_event_belongs_to_the_changes_transaction(user):
    def rename_then_fail():
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(name="Never")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert events_of(user, "update") == []


@pytest.mark.django_db
def test_a_delete_keeps_the_last_state(user):
    project = ProjectFactory(owner=user, name="Gone")
    project_id = project.pk
    project.delete()
    deleted = event_models()[Project].objects.get(pgh_obj_id=project_id, pgh_label="delete")
    assert deleted.name == "Gone"


@pytest.mark.django_db
def test_a_secret_change_is_recorded_without_the_secret(user):
    account = OAuthAccount.objects.create(
        user=user, oauth_name="github", account_id="1", access_token="gho_first-secret-value"
    )
    account.access_token = "gho_second-secret-value"
    account.save()
    changes = events_of(account)
    # Both tokens end in "alue": nothing but the secret changed, so only that is recorded.
    assert [e.pgh_label for e in changes] == ["insert", SECRET_CHANGE]
    assert changes[-1].access_token_last4 == "alue"
    table = event_models()[OAuthAccount]._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_to_json(e)::text FROM {table} e")  # noqa: S608 - our table
        dumped = " ".join(row[0] for row in cursor.fetchall())
    assert "secret-value" not in dumped


@pytest.mark.django_db
def test_counters_the_platform_moves_leave_no_event(user):
    chat = Chat.objects.create(user=user, project=ProjectFactory(owner=user), title="Hello")
    Chat.objects.filter(pk=chat.pk).update(message_count=F("message_count") + 1)
    assert [e.pgh_label for e in events_of(chat)] == ["insert"]


@pytest.mark.django_db
def test_the_history_cannot_be_rewritten(user):
    event = events_of(user)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        type(event).objects.filter(pk=event.pk).update(name="Forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        type(event).objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
def test_who_holds_which_role_is_audited(user):
    group = Group.objects.create(name="Temporary")
    group.permissions.add(Permission.objects.get(codename="view_user"))
    user.groups.add(group)
    user.groups.remove(group)
    membership = event_models()[UserGroupMembership]
    assert list(membership.objects.filter(user_id=user.pk).values_list("pgh_label", flat=True)) == [
        "group.add",
        "group.remove",
    ]
    grants = event_models()[GroupPermissionGrant].objects.filter(group_id=group.pk)
    assert [g.pgh_label for g in grants] == ["permission.add"]
    assert [e.pgh_label for e in events_of(StaffGroup.objects.get(pk=group.pk))] == ["insert"]


@pytest.mark.django_db
def test_r21_every_credit_movement_and_admin_change_leaves_an_audit_row(
    client, superuser, model_catalogue
):
    """R21's figure: after each credit movement the newest user event holds the balances the
    ledger says; each admin change adds events."""
    member = UserFactory()
    movements = [
        lambda: credits_grant_daily_start(user=member),
        lambda: credits_grant_signup(user=member),
        lambda: credits_adjust(
            user=member, actor=superuser, bucket=CreditBucket.PURCHASED, amount=700, reason="r21"
        ),
        lambda: usage(member, "r21-charge", tokens_input=300_000),
        lambda: credit_purchase_fulfil(
            purchase_id=pending_purchase(member, "small").pk,
            amount_total=500,
            currency="usd",
            payment_intent="pi_r21",
        ),
        lambda: credit_purchase_refund(payment_intent="pi_r21", amount_refunded=500),
    ]
    unaudited = 0
    for movement in movements:
        entries_before = CreditLedgerEntry.objects.filter(user=member).count()
        events_before = len(events_of(member))
        movement()
        member.refresh_from_db()
        assert CreditLedgerEntry.objects.filter(user=member).count() > entries_before
        newest = events_of(member)
        snapshot = newest[-1]
        if len(newest) == events_before or any(
            getattr(snapshot, bucket) != getattr(member, bucket) for bucket in BUCKETS
        ):
            unaudited += 1

    client.force_login(superuser)
    AccessToken.issue(user=member, ttl=timedelta(days=1), name="r21")
    post = FeedbackPost.objects.create(
        user=member, type="bug", title="Audit me", description="Delete me in admin."
    )
    admin_changes = [
        ("/admin/accounts/user/", {"action": "revoke_all_tokens"}, member),
        ("/admin/accounts/user/", {"action": "deactivate_and_revoke"}, member),
        ("/admin/feedback/feedbackpost/", {"action": "delete_selected", "post": "yes"}, post),
    ]
    for url, data, row in admin_changes:
        before = all_events()
        response = client.post(url, {**data, "_selected_action": [str(row.pk)]})
        assert response.status_code == 302
        unaudited += all_events() == before

    figures.count("R21", "credit movements", len(movements))
    figures.count("R21", "admin changes", len(admin_changes))
    figures.count("R21", "changes without audit", unaudited)
    assert unaudited == 0

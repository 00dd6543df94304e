"""Who may manage whom in the back office (issue 18, docs/roles.md): only superusers (and
holders of `accounts.manage_staff`) touch staff flags, groups, permissions and staff accounts;
only holders of `accounts.issue_service_token` mint service tokens. Each case found by trying
the admin as a Support or Billing member is pinned here, through crafted POSTs too."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import AccessToken, User
from config.roles import BILLING_GROUP, SUPPORT_GROUP
from tests.backoffice.helpers import actor, events_of
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import action_names, change_form_data, message_levels, run_action, staff_with

pytestmark = pytest.mark.django_db

USER_CHANGERS = (SUPPORT_GROUP, BILLING_GROUP)
NEW_PASSWORD = "n3w-Passw0rd!x"


def member_of(group):
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=group))
    return member


def change_url(user, suffix="change/"):
    return f"/admin/accounts/user/{user.pk}/{suffix}"


def post_change(client, target, **changes):
    """Posts `target`'s change form as rendered for the client's user, with `changes`."""
    page = client.get(change_url(target))
    assert page.status_code == 200
    return client.post(change_url(target), {**change_form_data(page), **changes})


def editable(client, target):
    return set(client.get(change_url(target)).context["adminform"].form.fields)


@pytest.fixture(params=USER_CHANGERS)
def changer(request, client):
    member = member_of(request.param)
    client.force_login(member)
    return member


def test_escalation_own_privileges_are_read_only_for_user_changers(client, changer):
    assert {"name", "email"} <= editable(client, changer)
    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & editable(
        client, changer
    )


@pytest.mark.parametrize(
    "crafted",
    [
        {"is_superuser": "on"},
        {"groups": "billing"},
        {"user_permissions": "manage_staff"},
        {"is_staff": "on"},
    ],
    ids=["own superuser flag", "extra group", "direct permission", "staff flag"],
)
def test_escalation_a_crafted_post_of_a_privilege_field_is_refused(client, changer, crafted):
    value = {
        "billing": str(Group.objects.get(name=BILLING_GROUP).pk),
        "manage_staff": str(Permission.objects.get(codename="manage_staff").pk),
    }
    crafted = {field: value.get(v, v) for field, v in crafted.items()}
    groups_before = set(changer.groups.all())

    response = post_change(client, changer, name="Renamed", **crafted)

    assert response.status_code == 403
    changer.refresh_from_db()
    assert not changer.is_superuser and changer.name != "Renamed"
    assert set(changer.groups.all()) == groups_before
    assert not changer.user_permissions.exists()


def test_escalation_making_an_ordinary_user_staff_is_refused(client, changer):
    customer = UserFactory()
    assert post_change(client, customer, is_staff="on").status_code == 403
    customer.refresh_from_db()
    assert not customer.is_staff


def test_user_changers_still_edit_customers_and_their_own_profile(client, changer):
    customer = UserFactory(name="Before")
    assert post_change(client, customer, name="After").status_code == 302
    assert User.objects.get(pk=customer.pk).name == "After"
    assert post_change(client, changer, name="Own name").status_code == 302
    assert User.objects.get(pk=changer.pk).name == "Own name"


@pytest.mark.parametrize("target_kind", ["superuser", "staff", "moderator", "service account"])
def test_escalation_another_privileged_account_is_read_only(
    client, changer, target_kind, superuser, moderator, service_account
):
    target = {
        "superuser": superuser,
        "staff": member_of(SUPPORT_GROUP),
        "moderator": moderator,
        "service account": service_account,
    }[target_kind]
    page = client.get(change_url(target))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert change_url(target, "password/") not in page.content.decode()

    data = {"email": target.email, "name": "Taken over"}
    assert client.post(change_url(target), data).status_code == 403
    assert User.objects.get(pk=target.pk).name != "Taken over"


@pytest.mark.parametrize("target_kind", ["superuser", "staff", "self"])
def test_escalation_password_form_of_a_privileged_account_is_refused(
    client, changer, target_kind, superuser
):
    target = {"superuser": superuser, "staff": member_of(BILLING_GROUP), "self": changer}[
        target_kind
    ]
    url = change_url(target, "password/")
    assert client.get(url).status_code == 403
    posted = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(url, posted).status_code == 403
    assert User.objects.get(pk=target.pk).check_password(DEFAULT_PASSWORD)


def test_user_changers_may_still_set_a_customers_password(client, changer):
    customer = UserFactory()
    url = change_url(customer, "password/")
    posted = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(url, posted).status_code == 302
    assert User.objects.get(pk=customer.pk).check_password(NEW_PASSWORD)


def test_the_superuser_manages_staff(client, superuser):
    client.force_login(superuser)
    customer = UserFactory()
    support = Group.objects.get(name=SUPPORT_GROUP)
    response = post_change(client, customer, is_staff="on", groups=[str(support.pk)])
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.is_staff and list(customer.groups.all()) == [support]


def test_manage_staff_holders_manage_staff_but_never_superusers(client, superuser):
    manager = staff_with("view_user", "change_user", "manage_staff")
    client.force_login(manager)
    customer = UserFactory()
    assert {"is_staff", "groups", "user_permissions"} <= editable(client, customer)
    assert "is_superuser" not in editable(client, customer)
    assert post_change(client, customer, is_staff="on").status_code == 302
    assert User.objects.get(pk=customer.pk).is_staff
    assert post_change(client, customer, is_superuser="on").status_code == 403
    assert client.get(change_url(superuser, "password/")).status_code == 403


@pytest.mark.parametrize("action", ["deactivate_and_revoke", "revoke_all_tokens"])
def test_account_actions_skip_privileged_accounts_with_a_warning(
    client, changer, superuser, action
):
    customer = UserFactory()
    AccessToken.issue(user=superuser, ttl=timedelta(days=1), name="kept")
    response = run_action(client, User, action, [customer, superuser])
    (level, text), *_ = message_levels(response)
    assert level == "warning"
    assert f"skipped 1: {superuser.email}" in text
    superuser.refresh_from_db()
    assert superuser.is_active and AccessToken.objects.filter(user=superuser).exists()


# --- service tokens ------------------------------------------------------------------------


def test_service_tokens_are_not_offered_to_user_changers(client, changer):
    assert "issue_service_token" not in action_names(client, User)


def test_service_tokens_a_crafted_issue_is_refused(client, changer, service_account):
    response = run_action(
        client, User, "issue_service_token", [service_account], name="stolen", ttl_days=365
    )
    assert response.status_code == 403
    assert not AccessToken.objects.filter(user=service_account).exists()


def test_service_tokens_holders_of_the_permission_issue_them_and_it_is_audited(
    client, service_account
):
    issuer = staff_with("view_user", "issue_service_token")
    client.force_login(issuer)
    assert "issue_service_token" in action_names(client, User)

    response = run_action(
        client, User, "issue_service_token", [service_account], name="runtime", ttl_days=30
    )

    token = AccessToken.objects.get(user=service_account, name="runtime")
    assert token.token_prefix in response.content.decode()
    (event,) = events_of(token, "insert")
    assert actor(event)["user"] == str(issuer.pk)

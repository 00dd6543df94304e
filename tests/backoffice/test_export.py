"""CSV export of admin changelists (issue 11): the changelist as filtered, formula-escaped,
never a secret."""

import csv
import io
from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import OAuthAccount, User
from backoffice.site import CsvExportMixin, escape_formula, export_resource
from billing.models import CreditLedgerEntry
from chat.models import Chat
from config.encryption import is_secret_field
from tests.backoffice.helpers import registered_admins
from tests.billing.conftest import fund
from tests.chat.factories import ChatFactory
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory


def export(client, model, query="", fields=None):
    """Posts the export form of `model`'s changelist; returns the CSV rows as dicts."""
    resource = export_resource(model)
    prefix = resource.__name__.lower()
    names = fields or [field.column_name for field in resource().get_export_fields()]
    opts = model._meta
    response = client.post(
        f"/admin/{opts.app_label}/{opts.model_name}/export/{query}",
        {"format": "0", "resource": "0", **{f"{prefix}_{name}": "on" for name in names}},
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_every_changelist_offers_the_export():
    assert all(isinstance(model_admin, CsvExportMixin) for _, model_admin in registered_admins())


def test_no_model_exports_a_secret_column():
    leaks = [
        (model._meta.label, field.name)
        for model, _ in registered_admins()
        for field in model._meta.concrete_fields
        if is_secret_field(field) and field.name in export_resource(model).fields
    ]
    assert leaks == []


@pytest.mark.django_db
def test_the_export_is_the_changelist_as_filtered_and_searched(client, superuser):
    UserFactory(email="plain@example.com")
    UserFactory(email="staff-one@example.com", staff=True)
    UserFactory(email="staff-two@example.com", staff=True)
    client.force_login(superuser)

    filtered = export(client, type(superuser), "?is_staff__exact=1", fields=["email"])
    assert sorted(row["email"] for row in filtered) == sorted(
        ["staff-one@example.com", "staff-two@example.com", superuser.email]
    )
    searched = export(client, type(superuser), "?q=staff-two@example.com", fields=["email"])
    assert [row["email"] for row in searched] == ["staff-two@example.com"]


@pytest.mark.django_db
def test_a_cell_a_spreadsheet_would_run_is_escaped(client, superuser):
    names = ['=HYPERLINK("https://evil.example")', "+1+1", "-1+1", "@SUM(A1)", "\tTab"]
    for number, name in enumerate(names):
        UserFactory(email=f"formula{number}@example.com", name=name)
    client.force_login(superuser)
    rows = export(client, type(superuser), "?q=formula", fields=["email", "name"])
    assert sorted(row["name"] for row in rows) == sorted(f"'{name}" for name in names)


@pytest.mark.parametrize(
    ("value", "cell"),
    [("-42", "-42"), ("+3.5", "+3.5"), ("=1+1", "'=1+1"), ("-1+1", "'-1+1"), (None, "")],
)
def test_signed_numbers_stay_numbers(value, cell):
    assert escape_formula(value) == cell


@pytest.mark.django_db
def test_an_encrypted_secret_never_leaves_in_the_csv(client, superuser, user):
    OAuthAccount.objects.create(
        user=user, oauth_name="github", account_id="7", access_token="gho_exported-plaintext"
    )
    client.force_login(superuser)
    [row] = export(client, OAuthAccount)
    assert "access_token" not in row
    assert row["access_token_last4"] == "text"
    assert "exported-plaintext" not in repr(row)


@pytest.mark.django_db
def test_staff_who_cannot_view_a_changelist_cannot_export_it(client):
    client.force_login(UserFactory(staff=True))
    assert client.get("/admin/accounts/user/export/").status_code == 403


# Issue 22: an export in words, in the changelist's order.


@pytest.mark.django_db
def test_the_export_reads_in_words_in_the_changelists_order(client, superuser):
    member = UserFactory(email="ada@example.com", name="Ada Lovelace", staff=True)
    member.groups.add(Group.objects.create(name="Support desk"))
    User.objects.filter(pk=member.pk).update(
        created_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.get_fixed_timezone(120))
    )
    client.force_login(superuser)
    [row] = export(client, User, "?q=ada@example.com")
    columns = list(row)
    assert columns[:4] == ["email", "name", "subscription_tier", "is_active"]
    assert row["groups"] == "Support desk"
    assert (row["is_staff"], row["is_superuser"]) == ("true", "false")
    assert row["created_at"] == "2026-03-01T07:30:00Z"


@pytest.mark.django_db
def test_related_rows_export_by_name_with_their_ids_beside(client, superuser):
    project = ProjectFactory(name="Recipe Box")
    chat = ChatFactory(project=project, user=project.owner, title="Fix the login button")
    client.force_login(superuser)
    [row] = export(client, Chat)
    assert (row["project"], row["project_id"]) == ("Recipe Box", str(project.pk))
    assert (row["user"], row["user_id"]) == (project.owner.email, str(project.owner_id))
    assert row["title"] == chat.title
    assert list(row).index("project_id") == list(row).index("project") + 1


@pytest.mark.django_db
def test_money_columns_export_as_the_cents_they_hold_in_changelist_order(client, superuser, user):
    fund(user, purchased=16977)
    client.force_login(superuser)
    [row] = export(client, CreditLedgerEntry)
    assert list(row)[:7] == [
        "created_at",
        "user",
        "user_id",
        "bucket",
        "entry_type",
        "amount",
        "balance_after",
    ]
    assert (row["amount"], row["user"]) == ("16977", user.email)

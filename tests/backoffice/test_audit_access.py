"""The audit history obeys the staff roles (docs/backoffice.md, "Audit history"): each staff
member reads the events of the models they may view, only the fields that model's admin shows
them, through one history page per row and the Events list."""

import re

import pghistory
import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from backoffice import history
from config.roles import BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP, SUPPORT_GROUP
from tests.backoffice.helpers import registered_admins
from tests.chat.factories import MessageFactory
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory
from tests.kanban.factories import KanbanTaskFactory, ProjectNoteFactory
from tests.marketplace.factories import AgentFactory, AgentReviewFactory, WorkflowTemplateFactory
from tests.projects.factories import ContainerFactory, ProjectFactory, ProjectFileFactory

EVENTS = "/admin/pghistory/events/"
NO_GROUP = "staff without a group"
SUPERUSER = "superuser"

# The tracked models whose events each kind of staff member reads in the Events list.
SUPPORT_SEES = {
    "accounts.AccessToken",
    "accounts.EmailVerificationCode",
    "accounts.McpServer",
    "accounts.OAuthAccount",
    "accounts.User",
    "accounts.UserGroupMembership",
    "accounts.UserPermissionGrant",
    "accounts.WaitlistEntry",
    "billing.CreditPurchase",
    "billing.Subscription",
    "chat.AgentRun",
    "chat.Chat",
    "chat.ShellSession",
    "feedback.FeedbackComment",
    "feedback.FeedbackPost",
    "kanban.KanbanBoard",
    "kanban.KanbanTask",
    "marketplace.UserPurchasedAgent",
    "marketplace.UserPurchasedBase",
    "projects.BrowserPreview",
    "projects.ConnectorCredential",
    "projects.Container",
    "projects.ContainerConnection",
    "projects.Deployment",
    "projects.DeploymentCredential",
    "projects.GitProviderCredential",
    "projects.Project",
    "projects.ProjectAsset",
    "projects.ProjectDatabase",
    "projects.ProjectDomain",
    "projects.ProjectFile",
    "projects.ProjectSnapshot",
}
BILLING_SEES = {
    "accounts.User",
    "accounts.UserGroupMembership",
    "accounts.UserPermissionGrant",
    "billing.CreditPurchase",
    "billing.MarketplaceTransaction",
    "billing.ModelPrice",
    "billing.StripeEvent",
    "billing.Subscription",
    "billing.UserAPIKey",
    "billing.UserCustomModel",
}
CURATORS_SEE = {
    "marketplace.AgentReview",
    "marketplace.BaseReview",
    "marketplace.MarketplaceAgent",
    "marketplace.MarketplaceBase",
    "marketplace.Skill",
    "marketplace.UserPurchasedAgent",
    "marketplace.UserPurchasedBase",
    "marketplace.WorkflowTemplate",
}
OPENS_EVENTS = {
    SUPPORT_GROUP: SUPPORT_SEES,
    BILLING_GROUP: BILLING_SEES,
    CURATORS_GROUP: CURATORS_SEE,
}


def staff(kind):
    if kind == SUPERUSER:
        return UserFactory(superuser=True)
    member = UserFactory(staff=True)
    if kind != NO_GROUP:
        member.groups.add(Group.objects.get(name=kind))
    return member


def signed_in(client, kind):
    member = staff(kind)
    client.force_login(member)
    return member


def history_url(obj):
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/history/"


@pytest.fixture
def events_of_every_kind(db):
    """At least one event of most tracked models the groups tell apart."""
    owner = UserFactory(email="owner-of-everything@example.com")
    project = ProjectFactory(owner=owner)
    AgentFactory(created_by_user=owner)
    MessageFactory(chat__project=project)
    owner.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return owner


@pytest.mark.django_db
@pytest.mark.parametrize("group", list(OPENS_EVENTS))
def test_events_list_shows_each_group_only_the_models_it_may_view(
    client, events_of_every_kind, group
):
    signed_in(client, group)
    response = client.get(EVENTS)
    assert response.status_code == 200
    listed = {event.pgh_obj_model for event in response.context["cl"].result_list}
    assert listed <= OPENS_EVENTS[group]
    assert listed & OPENS_EVENTS[group]
    [model_filter] = [f for f in response.context["cl"].filter_specs if f.parameter_name == "model"]
    offered = {label for label, _ in model_filter.lookup_choices}
    assert offered == OPENS_EVENTS[group]


@pytest.mark.django_db
def test_events_list_shows_a_superuser_every_model(client, events_of_every_kind):
    signed_in(client, SUPERUSER)
    response = client.get(EVENTS)
    [model_filter] = [f for f in response.context["cl"].filter_specs if f.parameter_name == "model"]
    offered = {label for label, _ in model_filter.lookup_choices}
    assert offered >= SUPPORT_SEES | BILLING_SEES | CURATORS_SEE | {"accounts.StaffGroup"}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [MODERATORS_GROUP, NO_GROUP])
def test_events_list_is_refused_to_staff_without_the_audit_history(client, kind):
    signed_in(client, kind)
    assert client.get(EVENTS).status_code == 403


@pytest.mark.django_db
def test_events_list_filtered_to_a_model_the_viewer_may_not_view_is_empty(
    client, events_of_every_kind
):
    signed_in(client, CURATORS_GROUP)
    for query in ("model=accounts.User", "obj=accounts.User:" + str(events_of_every_kind.pk)):
        response = client.get(f"{EVENTS}?{query}")
        assert response.status_code == 200, query
        assert list(response.context["cl"].result_list) == [], query


@pytest.mark.django_db
def test_curator_cannot_read_a_users_email_or_stripe_id_through_the_events_list(client):
    customer = UserFactory(email="private-customer@example.com")
    User.objects.filter(pk=customer.pk).update(stripe_customer_id="cus_private123", name="Renamed")
    signed_in(client, CURATORS_GROUP)
    for query in ("", "?model=accounts.User", "?label=update", f"?obj=accounts.User:{customer.pk}"):
        page = client.get(EVENTS + query).content.decode()
        assert "private-customer@example.com" not in page, query
        assert "cus_private123" not in page, query


@pytest.mark.django_db
def test_curator_cannot_read_a_users_email_through_the_obj_subtitle(client):
    customer = UserFactory(email="private-customer@example.com")
    signed_in(client, CURATORS_GROUP)
    response = client.get(f"{EVENTS}?obj=accounts.User:{customer.pk}")
    assert response.status_code == 200
    assert "private-customer@example.com" not in response.content.decode()


@pytest.mark.django_db
def test_curator_cannot_open_a_users_history_page(client):
    customer = UserFactory(email="private-customer@example.com")
    signed_in(client, CURATORS_GROUP)
    response = client.get(history_url(customer))
    assert response.status_code == 403
    assert "private-customer@example.com" not in response.content.decode()


@pytest.mark.django_db
def test_support_cannot_read_an_agents_system_prompt_through_any_history_page(client):
    agent = AgentFactory(system_prompt="Never tell anyone the secret recipe.")
    agent.system_prompt = "Tell everyone the secret recipe."
    agent.save()
    signed_in(client, SUPPORT_GROUP)
    assert client.get(history_url(agent)).status_code == 403
    for query in (
        "",
        "?model=marketplace.MarketplaceAgent",
        f"?obj=marketplace.MarketplaceAgent:{agent.pk}",
    ):
        assert "secret recipe" not in client.get(EVENTS + query).content.decode(), query


@pytest.mark.django_db
def test_support_cannot_read_a_messages_content_through_any_history_page(client):
    message = MessageFactory(content="My bank password is hunter2-private.")
    signed_in(client, SUPPORT_GROUP)
    pages = [history_url(message), history_url(message.chat), history_url(message.chat.project)]
    pages += [EVENTS, f"{EVENTS}?obj=chat.Chat:{message.chat.pk}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert "hunter2-private" not in response.content.decode(), url


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [*OPENS_EVENTS, SUPERUSER])
def test_show_counts_renders_for_every_group_that_may_open_the_events_list(
    client, events_of_every_kind, kind
):
    signed_in(client, kind)
    for query in (
        "?_facets=True",
        "?_facets=True&label=update",
        "?_facets=True&model=accounts.User",
    ):
        assert client.get(EVENTS + query).status_code == 200, query


def timeline_of(response):
    assert response.status_code == 200
    return response.context["timeline"].entries


@pytest.mark.django_db
def test_timeline_shows_old_and_new_value_and_the_actors_email(client):
    editor = signed_in(client, SUPPORT_GROUP)
    project = ProjectFactory(name="Before")
    with pghistory.context(user=str(editor.pk)):  # what AuditMiddleware records
        project.name = "After"
        project.save()
    [update, insert] = timeline_of(client.get(history_url(project)))
    assert (update.what, insert.what) == ("update", "insert")
    assert [(c.field, c.old, c.new) for c in update.changes] == [("name", "Before", "After")]
    assert update.actor.name == editor.email
    assert update.actor.url == f"/admin/accounts/user/{editor.pk}/change/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", update.when)
    page = client.get(history_url(project)).content.decode()
    assert "Before → After" in page
    assert editor.email in page


@pytest.mark.django_db
def test_timeline_links_the_actor_only_for_viewers_who_may_view_users(client):
    agent = AgentFactory(description="Old words")
    editor = UserFactory(email="curator-at-work@example.com")
    with pghistory.context(user=str(editor.pk)):
        agent.description = "New words"
        agent.save()
    signed_in(client, CURATORS_GROUP)
    [update, *_] = timeline_of(client.get(history_url(agent)))
    assert update.actor.name == "curator-at-work@example.com"
    assert update.actor.url == ""


@pytest.mark.django_db
def test_timeline_names_a_management_command(client):
    project = ProjectFactory()
    with pghistory.context(command="hibernate_idle", os_user="ops"):
        project.description = "Hibernated overnight"
        project.save()
    signed_in(client, SUPERUSER)
    [update, *_] = timeline_of(client.get(history_url(project)))
    assert update.actor.name == "manage.py hibernate_idle"


@pytest.mark.django_db
def test_timeline_merges_the_admin_log_with_the_events(client):
    """One History page: the admin's log messages (Django's own history) and the events."""
    billing = signed_in(client, BILLING_GROUP)
    customer = UserFactory()
    response = client.post(
        "/admin/accounts/user/",
        {
            "action": "adjust_credits",
            "_selected_action": [str(customer.pk)],
            "apply": "1",
            "bucket": "purchased",
            "amount": "5",
            "reason": "goodwill",
        },
    )
    assert response.status_code == 302
    [note, adjusted, *_] = timeline_of(client.get(history_url(customer)))
    assert note.what == "admin: changed"
    assert note.note == "Adjusted purchased credits by +$5.00: goodwill"
    assert note.actor.name == billing.email
    assert adjusted.what == "update"
    assert adjusted.actor.name == billing.email
    assert ("purchased_credits", "0", "500") in [(c.field, c.old, c.new) for c in adjusted.changes]


@pytest.mark.django_db
def test_timeline_shows_a_users_group_memberships(client):
    customer = UserFactory()
    moderators = Group.objects.get(name=MODERATORS_GROUP)
    customer.groups.add(moderators)
    customer.groups.remove(moderators)
    signed_in(client, SUPPORT_GROUP)
    entries = timeline_of(client.get(history_url(customer)))
    memberships = [(e.what, e.changes[0]) for e in entries if e.what.startswith("membership")]
    assert [(what, c.field, c.old, c.new) for what, c in memberships] == [
        ("membership remove", "groups", MODERATORS_GROUP, "—"),
        ("membership add", "groups", "—", MODERATORS_GROUP),
    ]


@pytest.mark.django_db
def test_history_hides_the_fields_the_admin_hides_from_the_viewer(client, monkeypatch):
    project = ProjectFactory(description="Internal roadmap words")
    project.description = "Secret launch plans"
    project.name = "Visible rename"
    project.save()
    project_admin = admin.site._registry[type(project)]
    shown = project_admin.get_fieldsets

    def without_description(request, obj=None):
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "description"]})
            for name, options in shown(request, obj)
        ]

    monkeypatch.setattr(project_admin, "get_fieldsets", without_description)
    signed_in(client, SUPPORT_GROUP)
    for url in (history_url(project), f"{EVENTS}?obj=projects.Project:{project.pk}"):
        page = client.get(url).content.decode()
        assert "Visible rename" in page, url
        assert "launch plans" not in page, url
        assert "roadmap" not in page, url


@pytest.mark.django_db
def test_change_form_has_one_history_link_and_no_events_button(client):
    project = ProjectFactory()
    signed_in(client, SUPERUSER)
    for url in (f"/admin/projects/project/{project.pk}/change/", "/admin/projects/project/"):
        page = client.get(url).content.decode()
        assert "pghistory/events/?" not in page, url  # the old "Events" buttons
    change_form = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert change_form.count(history_url(project)) == 1


@pytest.mark.django_db
def test_a_deleted_rows_events_stay_in_the_events_list(client):
    project = ProjectFactory(name="Short-lived")
    project_id = project.pk
    project.delete()
    signed_in(client, SUPPORT_GROUP)
    response = client.get(f"{EVENTS}?obj=projects.Project:{project_id}")
    assert [e.pgh_label for e in response.context["cl"].result_list] == ["delete", "insert"]
    bad = client.get(f"{EVENTS}?obj=projects.Project:not-a-uuid")
    assert bad.status_code == 200
    assert list(bad.context["cl"].result_list) == []


# The session, the user and their two permission sets, the row, its events, its log, the
# actors' emails.
TIMELINE_QUERIES = 8


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
def test_timeline_queries_do_not_grow_with_its_events(client):
    project = ProjectFactory()
    editor = signed_in(client, SUPPORT_GROUP)
    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[project], action_flag=CHANGE, change_message="Noted."
    )

    def rename(times):
        for n in range(times):
            with pghistory.context(user=str(UserFactory().pk)):
                project.name = f"Name {n}"
                project.save()

    rename(2)
    queries_of(client, history_url(project))  # warms the content-type cache
    few = queries_of(client, history_url(project))
    rename(10)
    many = queries_of(client, history_url(project))
    assert len(many) == len(few) == TIMELINE_QUERIES, "\n".join(many)


@pytest.mark.django_db
def test_events_list_queries_do_not_grow_with_its_rows(client):
    signed_in(client, SUPPORT_GROUP)

    def add_projects(count):
        for _ in range(count):
            with pghistory.context(user=str(UserFactory().pk)):
                ProjectFactory()

    add_projects(2)
    few = queries_of(client, EVENTS)
    add_projects(10)
    many = queries_of(client, EVENTS)
    assert len(many) == len(few), "\n".join(many)


@pytest.mark.django_db
def test_every_history_page_renders_for_a_superuser(client, events_of_every_kind):
    project = events_of_every_kind.projects.first()
    for factory in (KanbanTaskFactory, ProjectNoteFactory, ContainerFactory, ProjectFileFactory):
        factory(**({"project": project} if factory is not KanbanTaskFactory else {}))
    FeedbackCommentFactory()
    AgentReviewFactory()
    WorkflowTemplateFactory()
    signed_in(client, SUPERUSER)
    opened = 0
    for model, _ in registered_admins():
        row = model._default_manager.first()
        if row is not None:
            assert client.get(history_url(row)).status_code == 200, model._meta.label
            opened += 1
    assert opened >= 14  # the rows made above and by the fixture


def test_timeline_of_a_row_without_events_is_empty():
    """Rows written with the triggers off (bulk seeding) have no events yet."""
    assert history.row_entries([], [], actor=None) == []

"""The marketplace in admin: every page and action, and that each goes through the services."""

import json
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace import services
from marketplace.library import library_row
from marketplace.models import (
    AgentCoInstall,
    AgentReview,
    BaseReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    Skill,
    UserPurchasedAgent,
    UserPurchasedBase,
    WorkflowTemplate,
)
from projects.models import Project
from tests.factories import UserFactory
from tests.helpers import messages, run_action
from tests.marketplace.factories import (
    AgentFactory,
    AgentReviewFactory,
    BaseFactory,
    BaseReviewFactory,
    CoInstallFactory,
    SkillFactory,
    WorkflowTemplateFactory,
    install,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

MODELS = {
    MarketplaceAgent: lambda: AgentFactory(listed=True),
    MarketplaceBase: lambda: BaseFactory(listed=True),
    WorkflowTemplate: lambda: WorkflowTemplateFactory(),
    UserPurchasedAgent: lambda: install(UserFactory(), AgentFactory()),
    UserPurchasedBase: lambda: install(UserFactory(), BaseFactory()),
    AgentReview: lambda: AgentReviewFactory(),
    BaseReview: lambda: BaseReviewFactory(),
    AgentCoInstall: lambda: CoInstallFactory(),
    Skill: lambda: SkillFactory(),
}
ADDABLE = {MarketplaceAgent, MarketplaceBase, WorkflowTemplate, UserPurchasedAgent}
ADDABLE |= {UserPurchasedBase}


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_marketplace_model_but_project_agents_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "marketplace"}
    assert registered == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_search_add_and_change_pages_load(admin_client, model):
    row = MODELS[model]()
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model), {"q": "something"}).status_code == 200
    assert admin_client.get(admin_url(model, "change", row.pk)).status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model in ADDABLE else 403)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_num_queries, model):
    for _ in range(2):
        MODELS[model]()
    with CaptureQueriesContext(connection) as baseline:
        admin_client.get(admin_url(model))
    for _ in range(10):
        MODELS[model]()
    with django_assert_num_queries(len(baseline)):
        admin_client.get(admin_url(model))


def test_agent_search_is_part_of_the_name_a_short_prefix_or_exact_slug(admin_client):
    agent = AgentFactory(name="Reviewer", slug="rev-1")
    other = AgentFactory(name="Other Reviewer")
    for term in ("re", "rev-1"):  # too short for a trigram: a prefix only
        response = admin_client.get(admin_url(MarketplaceAgent), {"q": term})
        assert list(response.context["cl"].result_list) == [agent]
    response = admin_client.get(admin_url(MarketplaceAgent), {"q": "view"})
    assert set(response.context["cl"].result_list) == {agent, other}


def test_library_search_is_exact_email_or_slug(admin_client):
    row = install(UserFactory(email="find@example.com"), AgentFactory(slug="wanted"))
    install(UserFactory(), AgentFactory())
    for term in ("FIND@example.com", "wanted"):
        response = admin_client.get(admin_url(UserPurchasedAgent), {"q": term})
        assert list(response.context["cl"].result_list) == [row]


# Adding and editing go through the services


AGENT_FORM = {
    "name": "Platform helper",
    "slug": "",
    "created_by_user": "",
    "description": "Helps.",
    "long_description": "",
    "category": "",
    "icon": "🤖",
    "model": "",
    "system_prompt": "",
    "tools": "[]",
    "tool_configs": "{}",
    "tags": "[]",
    "pricing_type": "free",
    "price": "0",
    "api_pricing_input": "0",
    "api_pricing_output": "0",
}


def test_mkt_2_mkt_3_admin_add_generates_a_slug_and_installs_for_the_creator(admin_client, user):
    response = admin_client.post(
        admin_url(MarketplaceAgent, "add"), {**AGENT_FORM, "created_by_user": str(user.pk)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent = MarketplaceAgent.objects.get()
    assert agent.slug.startswith("platform-helper-")
    assert library_row(user=user, item=agent).purchase_type == "free"


def test_mkt_2_admin_keeps_a_chosen_slug_and_refuses_a_taken_one(admin_client):
    AgentFactory(slug="taken")
    response = admin_client.post(
        admin_url(MarketplaceAgent, "add"), {**AGENT_FORM, "slug": "taken"}
    )
    assert "slug" in response.context["adminform"].form.errors
    response = admin_client.post(admin_url(MarketplaceAgent, "add"), {**AGENT_FORM, "slug": "mine"})
    assert response.status_code == 302
    assert MarketplaceAgent.objects.filter(slug="mine", created_by_user=None).exists()


def test_admin_form_checks_the_field_rules(admin_client):
    response = admin_client.post(
        admin_url(MarketplaceAgent, "add"), {**AGENT_FORM, "pricing_type": "monthly"}
    )
    assert "price" in response.context["adminform"].form.errors
    assert not MarketplaceAgent.objects.exists()


def test_admin_edit_goes_through_the_service(admin_client):
    agent = AgentFactory(listed=True, downloads=5)
    data = {**AGENT_FORM, "slug": agent.slug, "name": "Renamed", "downloads": "99"}
    response = admin_client.post(admin_url(MarketplaceAgent, "change", agent.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert (agent.name, agent.downloads, agent.is_published) == ("Renamed", 5, True)


def test_mkt_15_admin_adds_a_public_platform_base(admin_client):
    data = {
        "name": "Vite",
        "slug": "vite",
        "created_by_user": "",
        "description": "Vite starter.",
        "long_description": "",
        "git_repo_url": "https://github.com/vitejs/vite",
        "default_branch": "main",
        "category": "frontend",
        "tech_stack": '["vite"]',
        "tags": "[]",
        "icon": "📦",
        "pricing_type": "free",
        "price": "0",
        "visibility": "public",
    }
    response = admin_client.post(admin_url(MarketplaceBase, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MarketplaceBase.objects.listed().get().slug == "vite"


# MKT-18 in the admin form


def test_mkt_18_admin_refuses_a_bad_definition_and_saves_a_good_one(admin_client):
    data = {
        "name": "Flow",
        "slug": "flow",
        "description": "A flow.",
        "category": "",
        "tags": "[]",
        "icon": "🔗",
        "template_definition": json.dumps({"nodes": [{"key": "a", "name": "Bad Name"}]}),
        "required_credentials": "[]",
    }
    response = admin_client.post(admin_url(WorkflowTemplate, "add"), data)
    assert "template_definition" in response.context["adminform"].form.errors
    data["template_definition"] = json.dumps({"nodes": [{"key": "a", "name": "web"}], "edges": []})
    response = admin_client.post(admin_url(WorkflowTemplate, "add"), data)
    assert response.status_code == 302
    assert WorkflowTemplate.objects.get().slug == "flow"


# Actions: each calls a service and reports what it did


@pytest.mark.parametrize(
    ("action", "field", "value", "message"),
    [
        ("feature", "is_featured", True, "Featured 2 marketplace agents; skipped 1"),
        ("delist", "is_active", False, "Delisted 2 marketplace agents; skipped 1"),
        ("unpublish", "is_published", False, "Unpublished 2 marketplace agents; skipped 1"),
    ],
)
def test_agent_switch_actions(admin_client, action, field, value, message):
    rows = AgentFactory.create_batch(2, listed=True)
    already = AgentFactory(listed=True, **{field: value})
    response = run_action(admin_client, MarketplaceAgent, action, [*rows, already])
    assert any(m.startswith(message) for m in messages(response)), messages(response)
    assert set(MarketplaceAgent.objects.values_list(field, flat=True)) == {value}


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("unfeature", "is_featured", False),
        ("relist", "is_active", True),
        ("publish", "is_published", True),
    ],
)
def test_agent_reverse_switch_actions(admin_client, action, field, value):
    row = AgentFactory(**{field: not value})
    response = run_action(admin_client, MarketplaceAgent, action, [row])
    assert messages(response)[0].endswith("1 marketplace agent.")
    row.refresh_from_db()
    assert getattr(row, field) is value
    if action == "publish":
        assert row.published_at is not None


@pytest.mark.parametrize("model", [MarketplaceAgent, MarketplaceBase])
def test_repair_actions(admin_client, model):
    item = MODELS[model]()
    reviewer = UserFactory()
    install(reviewer, item)
    model.objects.filter(pk=item.pk).update(downloads=50, rating=Decimal("1.00"), reviews_count=2)
    response = run_action(admin_client, model, "recount_downloads_from_library_rows", [item])
    assert "corrected 1, 0 already exact" in messages(response)[0]
    response = run_action(admin_client, model, "recalculate_rating", [item])
    assert "corrected 1, 0 already exact" in messages(response)[0]
    item.refresh_from_db()
    assert (item.downloads, item.rating, item.reviews_count) == (1, None, 0)


@pytest.mark.parametrize("action", ["feature", "unfeature", "delist", "relist"])
def test_base_switch_actions_run(admin_client, action):
    base = BaseFactory(listed=True)
    response = run_action(admin_client, MarketplaceBase, action, [base])
    assert messages(response)


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("publish", "is_published", True),
        ("unpublish", "is_published", False),
        ("feature", "is_featured", True),
        ("unfeature", "is_featured", False),
    ],
)
def test_workflow_actions(admin_client, action, field, value):
    template = WorkflowTemplateFactory(**{field: not value})
    response = run_action(admin_client, WorkflowTemplate, action, [template])
    assert messages(response)[0].endswith("1 workflow template.")
    template.refresh_from_db()
    assert getattr(template, field) is value


# Deletes follow MKT-8 and MKT-42


def test_mkt_8_admin_delete_of_an_item_only_its_creator_holds(admin_client, user):
    agent = AgentFactory(created_by_user=user)
    install(user, agent)
    page = admin_client.get(admin_url(MarketplaceAgent, "delete", agent.pk))
    assert not page.context["protected"]
    response = admin_client.post(admin_url(MarketplaceAgent, "delete", agent.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not MarketplaceAgent.objects.exists()


def test_mkt_8_admin_refuses_to_delete_an_item_others_hold(admin_client, user):
    agent = AgentFactory(created_by_user=user)
    install(UserFactory(), agent)
    page = admin_client.get(admin_url(MarketplaceAgent, "delete", agent.pk))
    assert page.context["protected"]
    response = admin_client.post(admin_url(MarketplaceAgent, "delete", agent.pk), {"post": "yes"})
    assert response.status_code == 200  # the page again, naming what is protected
    assert MarketplaceAgent.objects.filter(pk=agent.pk).exists()


def test_mkt_8_admin_bulk_delete_keeps_items_others_hold(rf, superuser):
    kept = AgentFactory()
    AgentFactory()  # held by no one: deleted
    install(UserFactory(), kept)
    request = rf.post("/admin/")
    request.user = superuser
    request._messages = CookieStorage(request)
    model_admin = admin.site.get_model_admin(MarketplaceAgent)
    model_admin.delete_queryset(request, MarketplaceAgent.objects.all())
    assert list(MarketplaceAgent.objects.all()) == [kept]
    assert "Kept 1 item other users hold" in str(next(iter(request._messages)))


def test_mkt_42_admin_review_delete_recomputes_the_rating(admin_client):
    agent = AgentFactory(listed=True)
    reviewers = UserFactory.create_batch(2)
    reviews = []
    for reviewer, rating in zip(reviewers, (1, 5), strict=True):
        install(reviewer, agent)
        reviews.append(services.review_create(actor=reviewer, item=agent, rating=rating))
    response = admin_client.post(admin_url(AgentReview, "delete", reviews[0].pk), {"post": "yes"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.rating, agent.reviews_count) == (Decimal("5.00"), 1)
    admin_client.post(
        admin_url(AgentReview),
        {"action": "delete_selected", "_selected_action": [str(reviews[1].pk)], "post": "yes"},
    )
    agent.refresh_from_db()
    assert (agent.rating, agent.reviews_count) == (None, 0)


def test_reviews_and_co_installs_are_read_only(admin_client):
    review = AgentReviewFactory(rating=3)
    admin_client.post(admin_url(AgentReview, "change", review.pk), {"rating": "1"})
    review.refresh_from_db()
    assert review.rating == 3
    row = CoInstallFactory()
    assert admin_client.post(admin_url(AgentCoInstall, "delete", row.pk)).status_code == 403


# Library rows


def test_mkt_21_admin_deactivation_goes_through_the_service(admin_client):
    user = UserFactory()
    agent = AgentFactory(listed=True)
    row = install(user, agent)
    project_agent = ProjectAgent.objects.create(project=ProjectFactory(owner=user), agent=agent)
    response = admin_client.post(admin_url(UserPurchasedAgent, "change", row.pk), {})
    assert response.status_code == 302
    row.refresh_from_db()
    project_agent.refresh_from_db()
    assert (row.is_active, project_agent.enabled) == (False, False)
    admin_client.post(admin_url(UserPurchasedAgent, "change", row.pk), {"is_active": "on"})
    row.refresh_from_db()
    agent.refresh_from_db()
    assert (row.is_active, agent.downloads) == (True, 1)


def test_mkt_10_admin_grant_is_a_free_install(admin_client):
    user, base = UserFactory(), BaseFactory(listed=True)
    response = admin_client.post(
        admin_url(UserPurchasedBase, "add"), {"user": str(user.pk), "base": str(base.pk)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert library_row(user=user, item=base).purchase_type == "free"
    base.refresh_from_db()
    assert base.downloads == 1


def test_library_rows_cannot_be_deleted(admin_client):
    row = install(UserFactory(), AgentFactory())
    assert admin_client.post(admin_url(UserPurchasedAgent, "delete", row.pk)).status_code == 403


# Project agents inline under Project (§5.6)


def project_form(project, agents_forms=None):
    data = {
        "name": project.name,
        "owner": str(project.owner_id),
        "description": "",
        "settings": "{}",
    }
    for prefix in ("containers", "browser_previews", "snapshots", "deployments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    if agents_forms is not None:
        data.update(agents_forms)
    return data


def test_mkt_30_project_page_shows_and_checks_the_agents_inline(admin_client):
    project = ProjectFactory()
    agent = AgentFactory(listed=True)
    page = admin_client.get(admin_url(Project, "change", project.pk))
    assert "project_agents-TOTAL_FORMS" in page.content.decode()
    new_row = {
        "project_agents-TOTAL_FORMS": "1",
        "project_agents-INITIAL_FORMS": "0",
        "project_agents-0-agent": str(agent.pk),
        "project_agents-0-enabled": "on",
    }
    response = admin_client.post(
        admin_url(Project, "change", project.pk), project_form(project, new_row)
    )
    assert response.status_code == 200  # the owner has no access: refused
    assert not ProjectAgent.objects.exists()
    install(project.owner, agent)
    response = admin_client.post(
        admin_url(Project, "change", project.pk), project_form(project, new_row)
    )
    assert response.status_code == 302
    assert ProjectAgent.objects.get().agent == agent


def test_a_project_form_without_the_inline_changes_no_agent(admin_client):
    project = ProjectFactory()
    response = admin_client.post(admin_url(Project, "change", project.pk), project_form(project))
    assert response.status_code == 302

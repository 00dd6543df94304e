"""The marketplace services, called directly against PostgreSQL: one or more tests per rule."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import user_delete
from config.exceptions import AlreadyExists, NotAllowed, NotFound
from marketplace import services
from marketplace.errors import (
    AgentInUse,
    AgentNotInLibrary,
    BaseInUse,
    OwnItem,
    PurchaseRequired,
)
from marketplace.library import library_add, library_row
from marketplace.models import (
    AgentCoInstall,
    AgentReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    UserPurchasedAgent,
    UserPurchasedBase,
    WorkflowTemplate,
)
from marketplace.selectors import related_agents
from marketplace.services.common import generated_slug
from marketplace.services.reviews import average_rating
from projects.errors import MissingCredential
from projects.models import Container, ContainerConnection
from tests.factories import UserFactory
from tests.marketplace.factories import (
    AgentFactory,
    AgentReviewFactory,
    BaseFactory,
    CoInstallFactory,
    ProjectAgentFactory,
    WorkflowTemplateFactory,
    definition,
    install,
    node,
    subscribe,
)
from tests.projects.factories import ContainerFactory, DeploymentCredentialFactory, ProjectFactory

pytestmark = pytest.mark.django_db

AGENT_FIELDS = {"name": "Helper", "description": "Helps."}
BASE_FIELDS = {
    "name": "Starter",
    "description": "A starter.",
    "git_repo_url": "https://github.com/example/starter",
    "category": "backend",
}


def fresh(row):
    row.refresh_from_db()
    return row


# MKT-1 visibility


def test_mkt_1_visible_to_anonymous_is_listed_only(agent, creator):
    from django.contrib.auth.models import AnonymousUser

    AgentFactory(created_by_user=creator)  # unpublished
    AgentFactory(delisted=True)
    assert list(MarketplaceAgent.objects.visible_to(AnonymousUser())) == [agent]


def test_mkt_1_visible_to_adds_own_and_library_items_in_any_state(creator, user):
    own_draft = AgentFactory(created_by_user=user)
    held = AgentFactory(listed=True)
    install(user, held)
    MarketplaceAgent.objects.filter(pk=held.pk).update(is_published=False, is_active=False)
    stranger_draft = AgentFactory(created_by_user=creator)
    visible = set(MarketplaceAgent.objects.visible_to(user))
    assert visible == {own_draft, held}
    assert stranger_draft not in visible


def test_mkt_1_bases_are_listed_when_public_and_active(creator, user):
    public = BaseFactory(listed=True)
    BaseFactory(created_by_user=creator)  # private
    BaseFactory(listed=True, is_active=False)
    own_private = BaseFactory(created_by_user=user)
    assert set(MarketplaceBase.objects.visible_to(user)) == {public, own_private}


# MKT-2 slugs


def test_mkt_2_generated_slug_is_name_stem_and_six_characters():
    slug = generated_slug("My Great Agent!", "agent")
    assert re.fullmatch(r"my-great-agent-[a-z0-9]{6}", slug)
    assert re.fullmatch(r"agent-[a-z0-9]{6}", generated_slug("🤖🤖", "agent"))
    assert len(generated_slug("x" * 200, "agent")) == 50 + 7


def test_mkt_2_a_clash_is_retried(user, monkeypatch):
    AgentFactory(slug="helper-aaaaaa")
    suffixes = iter(["helper-aaaaaa", "helper-bbbbbb"])
    monkeypatch.setattr(
        "marketplace.services.common.generated_slug", lambda name, fallback: next(suffixes)
    )
    agent = services.agent_create(actor=user, creator=user, **AGENT_FIELDS)
    assert agent.slug == "helper-bbbbbb"


def test_mkt_2_staff_may_choose_the_slug(superuser):
    agent = services.agent_create(actor=superuser, creator=None, slug="chosen", **AGENT_FIELDS)
    assert agent.slug == "chosen"
    services.agent_update(actor=superuser, agent=agent, changes={"slug": "renamed"})
    assert fresh(agent).slug == "renamed"


def test_mkt_2_users_cannot_change_the_slug(agent, creator):
    with pytest.raises(TypeError):
        services.agent_update(actor=creator, agent=agent, changes={"slug": "mine"})


# MKT-3 creating


def test_mkt_3_create_sets_creator_and_starts_unlisted_in_the_library(user):
    agent = fresh(services.agent_create(actor=user, creator=user, **AGENT_FIELDS))
    assert agent.created_by_user == user
    assert (agent.is_published, agent.is_featured, agent.published_at) == (False, False, None)
    assert (agent.downloads, agent.rating, agent.reviews_count) == (0, None, 0)
    assert agent.pricing_type == "free"
    row = library_row(user=user, item=agent)
    assert (row.purchase_type, row.is_active) == ("free", True)


def test_mkt_3_keeps_the_pricing_chosen(user):
    agent = services.agent_create(
        actor=user, creator=user, pricing_type="monthly", price=900, **AGENT_FIELDS
    )
    assert (fresh(agent).pricing_type, agent.price) == ("monthly", 900)
    assert library_row(user=user, item=agent).purchase_type == "free"


def test_mkt_3_a_user_cannot_create_for_someone_else(user, other_user):
    with pytest.raises(NotAllowed):
        services.agent_create(actor=user, creator=other_user, **AGENT_FIELDS)


def test_mkt_3_staff_create_platform_agents_without_a_library_row(superuser):
    agent = services.agent_create(actor=superuser, creator=None, **AGENT_FIELDS)
    assert agent.created_by_user is None
    assert not UserPurchasedAgent.objects.exists()


# MKT-4 editing, MKT-5 pricing


def test_mkt_4_only_the_creator_edits(agent, creator, other_user):
    services.agent_update(actor=creator, agent=agent, changes={"name": "Renamed"})
    assert fresh(agent).name == "Renamed"
    with pytest.raises(NotAllowed):
        services.agent_update(actor=other_user, agent=agent, changes={"name": "Stolen"})
    assert fresh(agent).name == "Renamed"


def test_mkt_4_platform_agents_are_edited_by_staff_only(user, superuser):
    platform = AgentFactory(platform=True, listed=True)
    with pytest.raises(NotAllowed):
        services.agent_update(actor=user, agent=platform, changes={"name": "Mine"})
    services.agent_update(actor=superuser, agent=platform, changes={"name": "Curated"})
    assert fresh(platform).name == "Curated"


def test_mkt_5_a_pricing_change_keeps_existing_free_rows(agent, creator, user):
    install(user, agent)
    services.agent_update(
        actor=creator, agent=agent, changes={"pricing_type": "one_time", "price": 500}
    )
    row = library_row(user=user, item=agent)
    assert (row.purchase_type, row.is_active, row.has_access(timezone.now())) == (
        "free",
        True,
        True,
    )


# MKT-6 publishing


def test_mkt_6_publish_sets_published_at_the_first_time_only(creator):
    agent = AgentFactory(created_by_user=creator)
    assert services.agent_publish(actor=creator, agent=agent) is True
    first = fresh(agent).published_at
    assert first is not None
    assert services.agent_unpublish(actor=creator, agent=agent) is True
    assert fresh(agent).is_published is False
    services.agent_publish(actor=creator, agent=agent)
    assert fresh(agent).published_at == first
    assert services.agent_publish(actor=creator, agent=agent) is False


def test_mkt_6_only_the_creator_publishes(creator, other_user):
    agent = AgentFactory(created_by_user=creator)
    with pytest.raises(NotAllowed):
        services.agent_publish(actor=other_user, agent=agent)
    with pytest.raises(NotAllowed):
        services.agent_unpublish(actor=other_user, agent=agent)


def test_mkt_6_unpublished_agents_keep_working_in_libraries(agent, creator, user):
    install(user, agent)
    services.agent_unpublish(actor=creator, agent=agent)
    assert agent in MarketplaceAgent.objects.visible_to(user)
    assert agent not in MarketplaceAgent.objects.listed()
    assert library_row(user=user, item=agent).has_access(timezone.now())


# MKT-7 forking


def test_mkt_7_fork_copies_content_and_resets_the_rest(creator, user):
    parent = AgentFactory(
        created_by_user=creator,
        listed=True,
        is_forkable=True,
        tags=["a"],
        category="code",
        downloads=7,
        model="m1",
    )
    fork = fresh(services.agent_fork(actor=user, parent=parent))
    assert fork.name == f"{parent.name} (fork)"
    for field in ("description", "category", "icon", "system_prompt", "tools", "tool_configs"):
        assert getattr(fork, field) == getattr(parent, field)
    assert (fork.model, fork.tags) == ("m1", ["a"])
    assert fork.parent_agent == parent
    assert fork.created_by_user == user
    assert (fork.pricing_type, fork.price, fork.is_published, fork.is_forkable) == (
        "free",
        0,
        False,
        False,
    )
    assert (fork.downloads, fork.rating) == (0, None)
    assert library_row(user=user, item=fork).is_active
    assert fresh(parent).downloads == 7  # a fork is not a download of the parent


def test_mkt_7_fork_takes_a_given_name_and_trims_a_long_one(creator, user):
    parent = AgentFactory(created_by_user=creator, listed=True, is_forkable=True, name="x" * 100)
    assert len(services.agent_fork(actor=user, parent=parent).name) == 100
    assert services.agent_fork(actor=user, parent=parent, name="Mine").name == "Mine"


def test_mkt_7_fork_refuses_unforkable_and_invisible_parents(creator, user):
    with pytest.raises(NotAllowed):
        services.agent_fork(actor=user, parent=AgentFactory(created_by_user=creator, listed=True))
    draft = AgentFactory(created_by_user=creator, is_forkable=True)
    with pytest.raises(NotFound):
        services.agent_fork(actor=user, parent=draft)


def test_mkt_7_a_paid_parent_needs_access(creator, user):
    parent = AgentFactory(created_by_user=creator, listed=True, is_forkable=True, one_time=True)
    with pytest.raises(PurchaseRequired):
        services.agent_fork(actor=user, parent=parent)
    install(user, parent, purchase_type="purchased")
    assert services.agent_fork(actor=user, parent=parent).parent_agent == parent


# MKT-8 deleting


def test_mkt_8_delete_is_refused_while_another_user_holds_the_agent(agent, creator, user):
    install(creator, agent)
    row = install(user, agent)
    services.library_entry_remove(actor=user, row=row)  # an inactive row still holds it
    with pytest.raises(AgentInUse):
        services.agent_delete(actor=creator, agent=agent)
    assert MarketplaceAgent.objects.filter(pk=agent.pk).exists()


def test_mkt_8_delete_removes_the_creators_own_rows_and_assignments(creator):
    agent = services.agent_create(actor=creator, creator=creator, **AGENT_FIELDS)
    project_agent = ProjectAgentFactory(project=ProjectFactory(owner=creator), agent=agent)
    AgentReviewFactory(agent=agent)
    services.agent_delete(actor=creator, agent=agent)
    assert not MarketplaceAgent.objects.filter(pk=agent.pk).exists()
    assert not UserPurchasedAgent.objects.exists()
    assert not ProjectAgent.objects.filter(pk=project_agent.pk).exists()
    assert not AgentReview.objects.exists()


def test_mkt_8_only_the_creator_deletes(agent, other_user):
    with pytest.raises(NotAllowed):
        services.agent_delete(actor=other_user, agent=agent)


def test_mkt_8_forks_outlive_their_parent(creator, user):
    parent = services.agent_create(actor=creator, creator=creator, is_forkable=True, **AGENT_FIELDS)
    fork = services.agent_fork(actor=creator, parent=parent)
    services.agent_delete(actor=creator, agent=parent)
    assert fresh(fork).parent_agent is None


def test_mkt_8_platform_agents_in_any_library_cannot_be_deleted(superuser, user):
    platform = AgentFactory(platform=True, listed=True)
    install(user, platform)
    with pytest.raises(AgentInUse):
        services.agent_delete(actor=superuser, agent=platform)


# MKT-10 downloads (concurrency: test_concurrency.py)


def test_mkt_10_first_adds_count_reactivations_and_the_creator_do_not(agent, creator, user):
    install(creator, agent)
    assert fresh(agent).downloads == 0
    row = install(user, agent)
    assert fresh(agent).downloads == 1
    services.library_entry_remove(actor=user, row=row)
    install(user, agent)
    assert fresh(agent).downloads == 1
    install(UserFactory(), agent)
    assert fresh(agent).downloads == 2


def test_mkt_10_downloads_never_move_updated_at(agent, user):
    before = fresh(agent).updated_at
    install(user, agent)
    assert fresh(agent).updated_at == before


# MKT-15 submitting, MKT-16 using, MKT-17 deleting bases


def test_mkt_15_submit_is_private_and_in_the_creators_library(user):
    base = services.base_submit(actor=user, creator=user, visibility="public", **BASE_FIELDS)
    base = fresh(base)
    assert (base.visibility, base.created_by_user, base.downloads) == ("private", user, 0)
    assert library_row(user=user, item=base).purchase_type == "free"
    services.base_update(actor=user, base=base, changes={"visibility": "public"})
    assert fresh(base).visibility == "public"


def test_mkt_15_staff_seed_public_platform_bases(superuser):
    base = services.base_submit(actor=superuser, creator=None, visibility="public", **BASE_FIELDS)
    assert base in MarketplaceBase.objects.listed()
    assert not UserPurchasedBase.objects.exists()


def test_mkt_16_using_a_free_base_installs_it_and_builds_a_primary_container(base, user, project):
    container = services.base_use(
        actor=user, base=base, project=project, name="web", directory="web"
    )
    container = Container.objects.get(pk=container.pk)
    assert (container.base, container.container_type, container.directory) == (base, "base", "web")
    assert container.is_primary
    assert library_row(user=user, item=base).is_active
    assert fresh(base).downloads == 1
    second = services.base_use(actor=user, base=base, project=project, name="admin")
    assert not Container.objects.get(pk=second.pk).is_primary
    assert fresh(base).downloads == 1


def test_mkt_16_a_paid_base_needs_access(creator, user, project):
    paid = BaseFactory(created_by_user=creator, listed=True, paid=True)
    with pytest.raises(PurchaseRequired):
        services.base_use(actor=user, base=paid, project=project, name="web")
    install(user, paid, purchase_type="purchased")
    assert services.base_use(actor=user, base=paid, project=project, name="web").base == paid


def test_mkt_16_invisible_base_or_foreign_project_is_not_found(creator, user, project, base):
    with pytest.raises(NotFound):
        services.base_use(
            actor=user, base=BaseFactory(created_by_user=creator), project=project, name="a"
        )
    with pytest.raises(NotFound):
        services.base_use(actor=user, base=base, project=ProjectFactory(), name="a")


def test_mkt_16_a_used_name_is_already_exists_and_changes_nothing(base, user, project):
    ContainerFactory(project=project, name="web")
    with pytest.raises(AlreadyExists):
        services.base_use(actor=user, base=base, project=project, name="web")
    assert library_row(user=user, item=base) is None
    assert fresh(base).downloads == 0


def test_mkt_17_base_delete_follows_mkt_8_and_keeps_containers(creator, user, project):
    base = services.base_submit(actor=creator, creator=creator, **BASE_FIELDS)
    services.base_update(actor=creator, base=base, changes={"visibility": "public"})
    container = services.base_use(actor=user, base=base, project=project, name="web")
    with pytest.raises(BaseInUse):
        services.base_delete(actor=creator, base=base)
    UserPurchasedBase.objects.filter(user=user).delete()
    services.base_delete(actor=creator, base=base)
    assert Container.objects.get(pk=container.pk).base is None


# MKT-18 (definition shape): test_models.py. MKT-19 applying


@pytest.fixture
def template(base):
    return WorkflowTemplateFactory(
        listed=True,
        required_credentials=["vercel"],
        template_definition=definition(
            node("web", "frontend", base=base.slug, directory="web", position={"x": 5, "y": 6}),
            node("db", "database", container_type="service", service_slug="postgres"),
            edges=[{"source": "web", "target": "db", "connector_type": "database"}],
        ),
    )


def test_mkt_19_apply_builds_containers_and_connections_and_counts(template, base, user, project):
    DeploymentCredentialFactory(user=user, provider="vercel")
    containers, connections = services.workflow_apply(
        actor=user, template=template, project=project
    )
    web, db = (Container.objects.get(pk=c.pk) for c in containers)
    assert (web.name, web.base, web.directory, web.position_x, web.is_primary) == (
        "frontend",
        base,
        "web",
        5,
        True,
    )
    assert (db.container_type, db.service_slug, db.is_primary) == ("service", "postgres", False)
    (connection,) = connections
    assert (connection.source_container_id, connection.target_container_id) == (web.pk, db.pk)
    assert connection.connector_type == "database"
    assert fresh(template).downloads == 1
    assert library_row(user=user, item=base).is_active  # a free base is installed (MKT-16)


def test_mkt_19_a_project_scoped_credential_counts(template, user, project):
    DeploymentCredentialFactory(user=user, provider="vercel", project=project)
    services.workflow_apply(actor=user, template=template, project=project)


def test_mkt_19_missing_credential_names_the_providers_and_changes_nothing(template, user, project):
    template.required_credentials = ["vercel", "supabase"]
    DeploymentCredentialFactory(user=user, provider="vercel")
    with pytest.raises(MissingCredential) as error:
        services.workflow_apply(actor=user, template=template, project=project)
    assert "supabase" in error.value.message and "vercel" not in error.value.message
    assert not Container.objects.exists()
    assert fresh(template).downloads == 0


def test_mkt_19_a_paid_base_without_access_is_purchase_required(creator, user, project):
    paid = BaseFactory(created_by_user=creator, listed=True, paid=True)
    template = WorkflowTemplateFactory(
        listed=True, template_definition=definition(node("web", base=paid.slug))
    )
    with pytest.raises(PurchaseRequired):
        services.workflow_apply(actor=user, template=template, project=project)


def test_mkt_19_clashing_names_are_already_exists_in_one_transaction(template, user, project):
    DeploymentCredentialFactory(user=user, provider="vercel")
    ContainerFactory(project=project, name="database")
    with pytest.raises(AlreadyExists):
        services.workflow_apply(actor=user, template=template, project=project)
    assert Container.objects.filter(project=project).count() == 1
    assert not ContainerConnection.objects.exists()


def test_mkt_19_an_unavailable_base_or_template_is_not_found(template, creator, user, project):
    template.template_definition["nodes"][0]["base"] = "gone"
    with pytest.raises(NotFound):
        services.workflow_apply(actor=user, template=template, project=project)
    draft = WorkflowTemplateFactory()
    with pytest.raises(NotFound):
        services.workflow_apply(actor=user, template=draft, project=project)
    with pytest.raises(NotFound):
        services.workflow_apply(actor=user, template=template, project=ProjectFactory())


# MKT-20, MKT-21 libraries


def test_mkt_20_one_row_per_user_and_item(agent, user):
    first = install(user, agent)
    second = install(user, agent, purchase_type="purchased")
    assert first.pk == second.pk
    assert UserPurchasedAgent.objects.filter(user=user, agent=agent).count() == 1
    assert fresh(second).purchase_type == "purchased"


def test_mkt_21_remove_deactivates_and_switches_project_agents_off(agent, user, project):
    row = install(user, agent)
    project_agent = services.project_agent_add(actor=user, project=project, agent=agent)
    other_project_agent = ProjectAgentFactory(agent=agent)  # another owner's assignment
    services.library_entry_remove(actor=user, row=row)
    assert fresh(row).is_active is False
    assert fresh(project_agent).enabled is False
    assert fresh(other_project_agent).enabled is True
    services.library_entry_remove(actor=user, row=row)  # twice is harmless


def test_mkt_21_re_adding_reactivates_without_a_download(agent, user):
    row = install(user, agent, purchase_type="purchased")
    services.library_entry_remove(actor=user, row=row)
    _, change = library_add(user=user, item=agent, purchase_type="free")
    assert change == "reactivated"
    assert fresh(row).purchase_type == "purchased"
    assert fresh(agent).downloads == 1


def test_mkt_21_only_the_owner_removes(agent, user, other_user):
    row = install(user, agent)
    with pytest.raises(NotAllowed):
        services.library_entry_remove(actor=other_user, row=row)


# MKT-22 subscriptions


def test_mkt_22_expire_subscriptions_is_idempotent(agent, user, project):
    row = subscribe(user, agent)
    project_agent = services.project_agent_add(actor=user, project=project, agent=agent)
    current = subscribe(UserFactory(), agent, days=10)
    later = timezone.now() + timedelta(days=31)
    assert services.subscriptions_expire(now=later) == (2, 1)
    assert (fresh(row).is_active, fresh(project_agent).enabled) == (False, False)
    assert fresh(current).is_active is False
    assert services.subscriptions_expire(now=later) == (0, 0)


def test_mkt_22_rows_in_their_paid_period_stay(agent, user):
    row = subscribe(user, agent)
    assert services.subscriptions_expire() == (0, 0)
    assert fresh(row).is_active


def test_mkt_22_works_in_batches(agent):
    for _ in range(3):
        subscribe(UserFactory(), agent)
    later = timezone.now() + timedelta(days=31)
    assert services.subscriptions_expire(now=later, batch_size=2) == (3, 0)


def test_mkt_22_command_prints_a_summary(agent, user):
    row = subscribe(user, agent)
    UserPurchasedAgent.objects.filter(pk=row.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    out = StringIO()
    call_command("expire_subscriptions", stdout=out)
    assert out.getvalue().strip() == "Expired 1 subscription(s); disabled 0 project agent(s)."
    out = StringIO()
    call_command("expire_subscriptions", stdout=out)
    assert out.getvalue().startswith("Expired 0 subscription(s)")


# MKT-30, MKT-31 project agents


def test_mkt_30_only_agents_the_owner_has_access_to(agent, user, project):
    with pytest.raises(AgentNotInLibrary):
        services.project_agent_add(actor=user, project=project, agent=agent)
    row = subscribe(user, agent)
    services.project_agent_add(actor=user, project=project, agent=agent)
    UserPurchasedAgent.objects.filter(pk=row.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    project_agent = ProjectAgent.objects.get()
    project_agent.project = project
    with pytest.raises(AgentNotInLibrary):
        services.project_agent_set_enabled(actor=user, project_agent=project_agent, enabled=True)
    services.project_agent_set_enabled(actor=user, project_agent=project_agent, enabled=False)
    assert fresh(project_agent).enabled is False


def test_mkt_30_another_users_project_is_not_found(agent, user, other_user):
    install(other_user, agent)
    with pytest.raises(NotFound):
        services.project_agent_add(
            actor=other_user, project=ProjectFactory(owner=user), agent=agent
        )


def test_mkt_31_adding_twice_is_already_exists(agent, user, project):
    install(user, agent)
    services.project_agent_add(actor=user, project=project, agent=agent)
    with pytest.raises(AlreadyExists):
        services.project_agent_add(actor=user, project=project, agent=agent)


# MKT-40…43 reviews (concurrency: test_concurrency.py)


def test_mkt_40_review_needs_access_and_not_own_item(agent, creator, user):
    install(creator, agent)
    with pytest.raises(OwnItem):
        services.review_create(actor=creator, item=agent, rating=5)
    with pytest.raises(PurchaseRequired):
        services.review_create(actor=user, item=agent, rating=5)
    row = install(user, agent)
    services.library_entry_remove(actor=user, row=row)
    with pytest.raises(PurchaseRequired):
        services.review_create(actor=user, item=agent, rating=5)
    assert not AgentReview.objects.exists()


def test_mkt_41_one_review_per_user_and_item(agent, user):
    install(user, agent)
    review = services.review_create(actor=user, item=agent, rating=3, comment="ok")
    with pytest.raises(AlreadyExists):
        services.review_create(actor=user, item=agent, rating=5)
    created_at = fresh(review).created_at
    services.review_update(actor=user, review=review, changes={"rating": 5})
    review = fresh(review)
    assert (review.rating, review.comment, review.created_at) == (5, "ok", created_at)
    assert review.updated_at > created_at


def test_mkt_41_only_the_author_edits_or_deletes(agent, user, other_user):
    install(user, agent)
    review = services.review_create(actor=user, item=agent, rating=3)
    with pytest.raises(NotAllowed):
        services.review_update(actor=other_user, review=review, changes={"rating": 1})
    with pytest.raises(NotAllowed):
        services.review_delete(actor=other_user, review=review)


def test_mkt_42_create_edit_delete_recompute_the_rating(agent):
    reviewers = UserFactory.create_batch(3)
    for reviewer in reviewers:
        install(reviewer, agent)
    reviews = [
        services.review_create(actor=reviewer, item=agent, rating=rating)
        for reviewer, rating in zip(reviewers, (5, 4, 4), strict=True)
    ]
    assert (fresh(agent).rating, agent.reviews_count) == (Decimal("4.33"), 3)
    services.review_update(actor=reviewers[0], review=reviews[0], changes={"rating": 1})
    assert fresh(agent).rating == Decimal("3.00")
    services.review_delete(actor=reviewers[1], review=reviews[1])
    assert (fresh(agent).rating, agent.reviews_count) == (Decimal("2.50"), 2)


def test_mkt_42_departing_users_reviews_are_removed_through_the_service(agent, base, superuser):
    leaver, stayer = UserFactory(), UserFactory()
    for reviewer, rating in ((leaver, 1), (stayer, 5)):
        install(reviewer, agent)
        services.review_create(actor=reviewer, item=agent, rating=rating)
    install(leaver, base)
    services.review_create(actor=leaver, item=base, rating=2)
    user_delete(user=leaver, actor=superuser)
    assert (fresh(agent).rating, agent.reviews_count) == (Decimal("5.00"), 1)
    assert (fresh(base).rating, base.reviews_count) == (None, 0)


def test_mkt_42_staff_may_delete_a_review(agent, user, superuser):
    install(user, agent)
    review = services.review_create(actor=user, item=agent, rating=1)
    services.review_delete(actor=superuser, review=review)
    assert (fresh(agent).rating, agent.reviews_count) == (None, 0)


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [((), None), ((5,), "5.00"), ((1, 2), "1.50"), ((1, 1, 2), "1.33"), ((1, 2, 2), "1.67")],
)
def test_mkt_43_average_is_rounded_half_up_and_null_without_reviews(ratings, expected):
    assert average_rating(sum(ratings), len(ratings)) == (expected and Decimal(expected))


def test_mkt_43_half_up_at_the_third_decimal():
    # 1.125 would round to 1.12 with banker's rounding.
    assert average_rating(9, 8) == Decimal("1.13")


def test_mkt_43_recalculate_repairs_hand_edits(agent, user, superuser):
    install(user, agent)
    services.review_create(actor=user, item=agent, rating=4)
    MarketplaceAgent.objects.filter(pk=agent.pk).update(rating=Decimal("1.00"), reviews_count=9)
    assert services.item_recalculate_rating(actor=superuser, item=agent) is True
    assert (fresh(agent).rating, agent.reviews_count) == (Decimal("4.00"), 1)
    assert services.item_recalculate_rating(actor=superuser, item=agent) is False


def test_mkt_43_base_reviews_rate_the_base(base, user):
    install(user, base)
    services.review_create(actor=user, item=base, rating=2)
    assert (fresh(base).rating, base.reviews_count) == (Decimal("2.00"), 1)


# MKT-50…52 co-installs


def pair_count(a, b):
    row = AgentCoInstall.objects.filter(agent=a, related_agent=b).first()
    return row.co_install_count if row else 0


def test_mkt_50_a_first_add_counts_every_pair_with_the_library_both_ways(user):
    a, b, c = AgentFactory.create_batch(3, listed=True)
    install(user, a)
    row_b = install(user, b)
    services.library_entry_remove(actor=user, row=row_b)  # inactive rows count too
    install(user, c)
    assert [pair_count(c, a), pair_count(a, c), pair_count(c, b), pair_count(b, c)] == [1] * 4
    assert (pair_count(a, b), pair_count(b, a)) == (1, 1)
    install(user, b)  # a reactivation does not count again
    assert pair_count(a, b) == 1


def test_mkt_51_counts_are_symmetric_and_equal_users_holding_both():
    a, b = AgentFactory.create_batch(2, listed=True)
    for _ in range(3):
        holder = UserFactory()
        install(holder, a)
        install(holder, b)
    install(UserFactory(), a)
    assert pair_count(a, b) == pair_count(b, a) == 3


def test_mkt_52_related_orders_by_count_leaves_out_owned_and_fills_by_category(user):
    agent = AgentFactory(listed=True, category="code")
    top, second, owned, unlisted = (
        AgentFactory(listed=True),
        AgentFactory(listed=True),
        AgentFactory(listed=True),
        AgentFactory(),
    )
    for related, count in ((top, 5), (second, 2), (owned, 9), (unlisted, 9)):
        CoInstallFactory(agent=agent, related_agent=related, co_install_count=count)
    install(user, owned)
    fillers = [AgentFactory(listed=True, category="code", downloads=d) for d in (1, 9, 5, 3, 7)]
    AgentFactory(listed=True, category="other", downloads=100)
    related = related_agents(agent, user)
    assert related == [top, second, fillers[1], fillers[4], fillers[2], fillers[3]]


def test_mkt_52_anonymous_callers_and_no_category(agent):
    from django.contrib.auth.models import AnonymousUser

    other = AgentFactory(listed=True)
    CoInstallFactory(agent=agent, related_agent=other)
    AgentFactory(listed=True, category="")
    assert related_agents(agent, AnonymousUser()) == [other]


# Curation


def test_curation_switches_report_changes(agent, superuser, user):
    assert services.item_set_featured(actor=superuser, item=agent, featured=True) is True
    assert services.item_set_featured(actor=superuser, item=agent, featured=True) is False
    assert services.item_set_active(actor=superuser, item=agent, active=False) is True
    assert agent not in MarketplaceAgent.objects.listed()
    with pytest.raises(NotAllowed):
        services.item_set_featured(actor=user, item=agent, featured=False)


def test_recount_downloads_counts_library_rows_of_others(agent, creator, user, superuser):
    install(creator, agent)
    install(user, agent)
    MarketplaceAgent.objects.filter(pk=agent.pk).update(downloads=40)
    assert services.item_recount_downloads(actor=superuser, item=agent) is True
    assert fresh(agent).downloads == 1
    assert services.item_recount_downloads(actor=superuser, item=agent) is False


def test_workflow_publish_is_for_staff(superuser, user):
    template = WorkflowTemplateFactory()
    assert services.workflow_set_published(actor=superuser, template=template, published=True)
    assert template in WorkflowTemplate.objects.listed()
    with pytest.raises(NotAllowed):
        services.workflow_set_published(actor=user, template=template, published=False)


def test_library_entry_set_active_by_staff(agent, user, superuser, project):
    row = install(user, agent)
    services.project_agent_add(actor=user, project=project, agent=agent)
    assert services.library_entry_set_active(actor=superuser, row=row, active=False) is True
    assert not ProjectAgent.objects.get().enabled
    assert services.library_entry_set_active(actor=superuser, row=row, active=False) is False
    assert services.library_entry_set_active(actor=superuser, row=row, active=True) is True
    assert fresh(row).is_active and fresh(agent).downloads == 1

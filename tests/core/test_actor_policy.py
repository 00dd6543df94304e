"""Every service that acts for someone checks its actor itself (docs/roles.md, "Who checks the
actor"): called directly with an actor who may not, it answers NotAllowed and changes nothing,
whichever door (API, admin, command) the call came through."""

import pytest

from accounts import services as accounts
from accounts.models import AccessToken, OAuthAccount, User, WaitlistEntry
from billing.models import MarketplaceTransaction, ModelPrice, UsageLog
from billing.services import credits, marketplace_sales, prices, usage
from config.exceptions import NotAllowed
from projects import services as projects
from projects.models import Container, Deployment, Project, ProjectFile, ProjectSnapshot
from tests.accounts.factories import OAuthAccountFactory
from tests.billing.conftest import fund
from tests.billing.factories import TEST_MODEL, MarketplaceAgentFactory, price_catalogue, sale
from tests.billing.factories import usage as charge
from tests.factories import UserFactory
from tests.projects.factories import (
    ContainerFactory,
    DeploymentCredentialFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db


def _project_cases():
    project = ProjectFactory()
    container = ContainerFactory(project=project)
    file = ProjectFileFactory(project=project, content="one")
    snapshot = ProjectSnapshotFactory(project=project, ready=True)
    DeploymentCredentialFactory(user=project.owner, provider="vercel")
    rows = lambda: (  # noqa: E731 - the state the refused calls must leave as it was
        list(Project.objects.values_list("environment_status", "last_activity")),
        list(Container.objects.values_list("status", "name")),
        list(ProjectFile.objects.values_list("file_path", "content", "version")),
        list(ProjectSnapshot.objects.values_list("status")),
        Deployment.objects.count(),
    )
    return rows, {
        "project_delete": lambda a: projects.project_delete(actor=a, project=project),
        "project_touch": lambda a: projects.project_touch(actor=a, project=project),
        "project_environment_transition": lambda a: projects.project_environment_transition(
            actor=a, project=project, to="stopping"
        ),
        "container_update": lambda a: projects.container_update(
            actor=a, container=container, name="renamed"
        ),
        "container_start": lambda a: projects.container_start(actor=a, container=container),
        "container_stop": lambda a: projects.container_stop(actor=a, container=container),
        "container_report_status": lambda a: projects.container_report_status(
            actor=a, container=container, status="running"
        ),
        "file_create": lambda a: projects.file_create(
            actor=a, project=project, file_path="new.txt", content="x"
        ),
        "file_upsert": lambda a: projects.file_upsert(
            actor=a, project=project, file_path="new.txt", content="x"
        ),
        "file_update": lambda a: projects.file_update(actor=a, file=file, content="two"),
        "snapshot_restore": lambda a: projects.snapshot_restore(actor=a, snapshot=snapshot),
        "snapshot_delete": lambda a: projects.snapshot_delete(actor=a, snapshot=snapshot),
        "snapshot_report_status": lambda a: projects.snapshot_report_status(
            actor=a, snapshot=snapshot, status="error"
        ),
        "deployment_create": lambda a: projects.deployment_create(
            actor=a, project=project, provider="vercel"
        ),
    }


def free(price):
    price.input_price, price.output_price, price.is_default = 0, 0, True
    return price


def _billing_cases():
    price_catalogue()
    price = ModelPrice.objects.for_model(TEST_MODEL).get()
    customer = fund(UserFactory(), purchased=5000)
    sold = sale(customer, MarketplaceAgentFactory(pricing_type="one_time", price=500))
    log = charge(customer, "actor-policy")
    rows = lambda: (  # noqa: E731
        list(User.objects.values_list("pk", "purchased_credits", "subscription_tier")),
        list(MarketplaceTransaction.objects.values_list("refunded_at", "payout_status")),
        list(UsageLog.objects.values_list("billed_status")),
        list(ModelPrice.objects.values_list("input_price", "is_default")),
    )
    return rows, {
        "credits_adjust": lambda a: credits.credits_adjust(
            user=customer, actor=a, bucket="purchased", amount=100, reason="mine"
        ),
        "tier_set": lambda a: credits.tier_set(user=customer, tier="pro", actor=a, reason="mine"),
        "usage_logs_mark_invoiced": lambda a: usage.usage_logs_mark_invoiced(logs=[log], actor=a),
        "usage_logs_mark_paid": lambda a: usage.usage_logs_mark_paid(logs=[log], actor=a),
        "marketplace_transaction_refund": lambda a: (
            marketplace_sales.marketplace_transaction_refund(sale=sold, actor=a, reason="mine")
        ),
        "payout_set": lambda a: marketplace_sales.payout_set(
            sale=sold, new_status="processing", actor=a
        ),
        "model_price_save": lambda a: prices.model_price_save(actor=a, price=free(price)),
    }


def _accounts_cases():
    member = UserFactory()
    link = OAuthAccountFactory(user=member)
    accounts.waitlist_join(email="waiting@example.com")
    entry = WaitlistEntry.objects.get()
    rows = lambda: (  # noqa: E731
        list(User.objects.values_list("pk", "is_active")),
        list(OAuthAccount.objects.values_list("pk")),
        AccessToken.objects.count(),
        list(WaitlistEntry.objects.values_list("status", "invited_at", "invited_by")),
    )
    return rows, {
        "user_deactivate": lambda a: accounts.user_deactivate(user=member, actor=a),
        "user_delete": lambda a: accounts.user_delete(user=member, actor=a),
        "oauth_account_unlink": lambda a: accounts.oauth_account_unlink(account=link, actor=a),
        "service_token_issue": lambda a: accounts.service_token_issue(
            user=member, actor=a, name="mine", ttl_days=30
        ),
        "waitlist_invite": lambda a: accounts.waitlist_invite(actor=a, entry=entry),
    }


DOMAINS = {"projects": _project_cases, "billing": _billing_cases, "accounts": _accounts_cases}
SERVICES = (
    [
        ("projects", name)
        for name in [
            "project_delete",
            "project_touch",
            "project_environment_transition",
            "container_update",
            "container_start",
            "container_stop",
            "container_report_status",
            "file_create",
            "file_upsert",
            "file_update",
            "snapshot_restore",
            "snapshot_delete",
            "snapshot_report_status",
            "deployment_create",
        ]
    ]
    + [
        ("billing", name)
        for name in [
            "credits_adjust",
            "tier_set",
            "usage_logs_mark_invoiced",
            "usage_logs_mark_paid",
            "marketplace_transaction_refund",
            "payout_set",
            "model_price_save",
        ]
    ]
    + [
        ("accounts", name)
        for name in [
            "user_deactivate",
            "user_delete",
            "oauth_account_unlink",
            "service_token_issue",
            "waitlist_invite",
        ]
    ]
)


@pytest.mark.parametrize(("domain", "service"), SERVICES)
@pytest.mark.parametrize("who", ["another user", "staff without the permission"])
def test_a_service_refuses_an_actor_who_may_not_and_changes_nothing(domain, service, who):
    rows, calls = DOMAINS[domain]()
    actor = UserFactory() if who == "another user" else UserFactory(staff=True)
    before = rows()
    with pytest.raises(NotAllowed):
        calls[service](actor)
    assert rows() == before


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_case_is_listed(domain):
    """A service added to a domain's cases is also in the parametrised list above."""
    _, calls = DOMAINS[domain]()
    assert sorted(calls) == sorted(name for d, name in SERVICES if d == domain)

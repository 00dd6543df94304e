"""The projects demo data: versioned deployments and a domain, loaded idempotently."""

from io import StringIO

import pytest

from bench.demo import accounts as accounts_demo
from bench.demo import projects as demo
from projects.models import ConnectorCredential, Deployment, ProjectDatabase, ProjectDomain

pytestmark = pytest.mark.django_db


def test_demo_has_versioned_deployments_and_a_live_domain():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    demo.seed(StringIO())
    rows = list(Deployment.objects.order_by("version").values_list("version", "environment"))
    assert rows == [(1, "production"), (2, "preview")]
    failed = Deployment.objects.get(version=2)
    assert (failed.status, failed.error_phase) == ("failed", "build")
    domain = ProjectDomain.objects.get()
    assert (domain.full_domain, domain.dns_status, domain.ssl_status) == (
        "recipe-box.apps.localhost",
        "active",
        "active",
    )
    assert domain.deployment.version == 1


def test_demo_has_connectors_and_a_provisioned_database():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    demo.seed(StringIO())
    connectors = ConnectorCredential.objects.order_by("connector_type")
    assert [(c.connector_type, c.status, c.is_default) for c in connectors] == [
        ("composio", "needs_reauth", False),
        ("notion", "active", True),
    ]
    database = ProjectDatabase.objects.get()
    assert (database.provider, database.container.name, database.connection_string_last4) == (
        "supabase",
        "supabase",
        "gres",
    )

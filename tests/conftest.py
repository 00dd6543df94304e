import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Q
from rest_framework.test import APIClient

from accounts.models import AccessToken
from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from tests import figures, leaks
from tests.billing.factories import price_catalogue
from tests.factories import UserFactory
from tests.helpers import staff_with
from tests.leaks import watch


def pytest_terminal_summary(terminalreporter):
    """One line per R-number recorded through tests/figures.py (see its docstring)."""
    lines = figures.lines()
    if lines:
        terminalreporter.section("R-figures (docs/spec/RELIABILITY.md)")
        for line in lines:
            terminalreporter.line(line)


# R16's "list query count independent of the number of rows": the per-app query-budget tests
# (tests/*/test_queries.py and the W-numbers' list tests) whose names say so.
FLAT_QUERY_TEST = re.compile(r"flat|do_not_grow")
# R19's business-flow abuse: the tests named for it, each an attempt that must not succeed
# (own item, buying twice, reviewing without access or twice, upvoting twice, a full column).
ABUSE_TEST = re.compile(r"(^|_)r19_")


def pytest_runtest_logreport(report):
    if report.when != "call" or _is_xdist_worker:
        return  # counted once: in the controller under xdist, where every report arrives
    name = report.nodeid.split("::")[-1]
    if FLAT_QUERY_TEST.search(name) and "quer" in report.nodeid:
        figures.count("R16", "list query budgets flat in rows", int(report.passed))
        figures.count("R16", "N+1", int(report.failed))
    if ABUSE_TEST.search(name):
        figures.count("R19", "abuse scenarios tried", 1)
        figures.count("R19", "succeeded", int(report.failed))


_is_xdist_worker = False


def pytest_configure(config):
    global _is_xdist_worker
    _is_xdist_worker = hasattr(config, "workerinput")


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the figures to the controller
        workeroutput["r_figures"] = figures.dump()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    figures.merge(getattr(node, "workeroutput", {}).get("r_figures", {}))


@pytest.fixture(scope="session", autouse=True)
def _leak_watch_installed():
    leaks.install()


@pytest.fixture(autouse=True)
def _no_leaks(_leak_watch_installed, request):
    """R3 and R20 (tests/leaks.py): this test's responses and logs hold none of its secrets."""
    leaks.attach_log_scanner()
    watch.reset()
    watch.scanning = "benchmark" not in request.node.nodeid
    watch.fuzzing = "test_schema_fuzzing" in request.node.nodeid
    yield
    figures.count("R3", "JSON responses scanned", watch.responses)
    figures.count("R3", "leaks", len(watch.response_hits))
    figures.count("R20", "log records scanned at DEBUG", watch.records)
    figures.count("R20", "hits", len(watch.log_hits))
    hits = watch.response_hits + watch.log_hits
    if hits:
        pytest.fail("secrets leaked:\n" + "\n".join(hits[:20]), pytrace=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(db):
    """An API client authenticated as `user` with a real bearer token."""

    def make(user, *, ttl=timedelta(days=1)):
        _, raw = AccessToken.issue(user=user, ttl=ttl, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return make


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(staff=True)


@pytest.fixture
def billing_staff(db):
    """Staff holding the permissions of billing's admin actions, as the Billing group does."""
    return staff_with(
        "adjust_credits",
        "change_tier",
        "refund_marketplacetransaction",
        "manage_payouts",
        "change_usagelog",
    )


@pytest.fixture
def superuser(db):
    return UserFactory(superuser=True)


@pytest.fixture
def moderator(db):
    """A member of the Moderators group (the feedback migrations grant its permissions)."""
    member = UserFactory()
    member.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return member


def granted_group(name, permissions):
    """The group, holding `permissions` ("app.codename"). The data migrations grant them, but
    transactional tests flush those rows, so the fixtures grant them again."""
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q()
    for permission in permissions:
        app_label, codename = permission.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group


@pytest.fixture
def service_account(db):
    """A member of the Service accounts group, holding the service permissions (ACC-9)."""
    member = UserFactory(name="Agent runtime")
    member.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    return member


@pytest.fixture
def model_catalogue(db):
    """The model price catalogue usage charges are priced from (BIL-72)."""
    price_catalogue()

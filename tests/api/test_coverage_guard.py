"""The coverage guard (issue 10): every model, every API view and every ModelAdmin has a test,
or an explicit, reasoned exemption below.

- A model is covered when a test module (tests/**/test_*.py) names it, or names one of the
  factories (tests/**/factories.py) that make it.
- An API view (viewset or view routed under /api/v1/) is covered when every route and method it
  serves has a row in the R1 matrix (tests/api/test_permission_matrix.py), which calls each one
  as each role, and a test module of its app names one of its paths.
- A ModelAdmin is covered when an admin test module (tests/**/test_admin.py) names its class,
  its model, or a factory of its model.

A new model, view or admin without a test fails here until it gets one (or an exemption that
says why it needs none). The counts are on the R17 (inventory) summary line.
"""

import importlib
import re
from pathlib import Path

import factory
from django.contrib import admin

from tests import figures
from tests.api.routes import served
from tests.api.test_permission_matrix import ROUTES
from tests.backoffice.helpers import domain_models

TESTS = Path(__file__).resolve().parents[1]
APPS = ("accounts", "projects", "chat", "marketplace", "billing", "kanban", "feedback", "config")

MODEL_EXEMPTIONS = {
    # model label: why it needs no test of its own
}
VIEW_EXEMPTIONS = {
    "SpectacularAPIView": "drf-spectacular's view; tests/core/test_system.py reads the schema",
    "SpectacularSwaggerView": "drf-spectacular's view; tests/core/test_system.py loads the page",
    "SpectacularRedocView": "drf-spectacular's view; tests/core/test_system.py loads the page",
    "ApiRootView": "the API root: its path is the prefix alone, which no fragment names; "
    "tests/api/test_browsable.py calls it and the R1 matrix has its row",
}
ADMIN_EXEMPTIONS = {
    "auth.Group": "Django's own GroupAdmin; the roles' groups are tested through config.roles",
    "pghistory.Events": "the audit history's Events list: tests/backoffice/test_audit_access.py "
    "opens it as every staff group",
}


def sources(pattern):
    return {path: path.read_text() for path in TESTS.rglob(pattern)}


def names_in(texts, *names):
    return any(re.search(rf"\b{re.escape(name)}\b", text) for text in texts for name in names)


def factories_by_model():
    made = {}
    for path in TESTS.rglob("factories.py"):
        module = importlib.import_module(
            ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        )
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
                model = value._meta.model
                if model is not None:
                    made.setdefault(model, set()).add(value.__name__)
    return made


def project_models():
    """The apps' own models. The audit tables and proxies config/audit.py adds are one family,
    covered as such by tests/backoffice/test_audit.py."""
    return [model for label in APPS if label != "config" for model in domain_models(label)]


def test_every_model_has_a_test():
    tests = sources("test_*.py").values()
    made = factories_by_model()
    untested = [
        model._meta.label
        for model in project_models()
        if model._meta.label not in MODEL_EXEMPTIONS
        and not names_in(tests, model.__name__, *made.get(model, ()))
    ]
    figures.count("R17", "models without a test", len(untested))
    assert not untested


def api_views():
    """View class → (its app, {(route name, method)}, {static path fragments})."""
    views = {}
    for _, pattern, view, methods in served():
        _, routes, paths = views.setdefault(view, (view.__module__.split(".")[0], set(), set()))
        routes.update((pattern.name, method.upper()) for method in methods)
        static = re.sub(r"<[^>]+>|\(\?P<[^)]+\)|[\^$]", "", str(pattern.pattern))
        paths.add(static.strip("/").split("/")[-1] or static)
    return views


def test_every_api_view_has_a_test():
    views = api_views()
    untested = []
    for view, (app, routes, paths) in views.items():
        if view.__name__ in VIEW_EXEMPTIONS:
            continue
        app_tests = [
            text
            for path, text in sources("test_*.py").items()
            if path.parent.name in (app, "api") or app in path.parent.parts
        ]
        in_matrix = routes <= set(ROUTES)
        named = any(fragment and fragment in text for fragment in paths for text in app_tests)
        if not (in_matrix and named):
            untested.append(f"{view.__module__}.{view.__name__}")
    figures.count("R17", "API views without a test", len(untested))
    assert len(views) > 40
    assert not untested


def test_every_model_admin_has_a_test():
    admin_tests = sources("test_admin.py").values()
    made = factories_by_model()
    untested = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.label not in ADMIN_EXEMPTIONS
        and not names_in(
            admin_tests, type(model_admin).__name__, model.__name__, *made.get(model, ())
        )
    ]
    figures.count("R17", "ModelAdmins without a test", len(untested))
    assert not untested

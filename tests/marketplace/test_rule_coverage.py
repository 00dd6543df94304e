"""Guards: every rule of DATA_MODEL.md §5 has a test named after it, and every marketplace
model, viewset and ModelAdmin is exercised somewhere in this folder."""

import importlib
import pkgutil
from pathlib import Path

from django.contrib import admin

import tests.marketplace
from marketplace import urls
from tests.backoffice.helpers import domain_models

MKT_RULES = (
    *(1, 2, 3, 4, 5, 6, 7, 8, 10),
    *(15, 16, 17, 18, 19),
    *(20, 21, 22),
    *(30, 31),
    *(40, 41, 42, 43),
    *(50, 51, 52),
    *(60, 61, 62, 63),
)


def collect_test_names():
    names = set()
    for module_info in pkgutil.iter_modules(tests.marketplace.__path__):
        if module_info.name.startswith("test_"):
            module = importlib.import_module(f"tests.marketplace.{module_info.name}")
            names |= {name for name in vars(module) if name.startswith("test_")}
    return names


def test_every_mkt_rule_has_a_named_test():
    names = collect_test_names()
    missing = [rule for rule in MKT_RULES if not any(f"_mkt_{rule}_" in n for n in names)]
    assert missing == []


def test_every_model_route_and_model_admin_is_named_in_a_test():
    """Models and their ModelAdmins by model name (test_admin.py smoke-tests each registered
    one); viewsets by route name (test_permissions.py lists every route)."""
    source = "\n".join(
        path.read_text() for path in Path(tests.marketplace.__path__[0]).glob("test_*.py")
    )
    models = domain_models("marketplace")
    registered = {model for model in admin.site._registry if model._meta.app_label == "marketplace"}
    routes = {pattern.name for pattern in urls.urlpatterns}
    missing = [model.__name__ for model in models | registered if model.__name__ not in source]
    missing += [route for route in routes if f'"{route}"' not in source]
    assert missing == []

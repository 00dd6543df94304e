"""A guard: every rule of DATA_MODEL.md §3 has at least one test named after it."""

import importlib
import pkgutil

import tests.projects

# By section: project, containers and canvas, files and assets, snapshots, deployments,
# credentials, deployment versions and domains, connectors, databases.
PRJ_RULES = (
    *(1, 2, 3, 4, 5, 6, 7, 8),
    *(20, 21, 22, 23, 24, 25, 30, 31, 35),
    *(40, 41, 42, 43, 50, 51, 52, 53),
    *(60, 61, 62, 63),
    *(70, 71, 72),
    *(80, 81, 82, 90),
    *(100, 101, 102, 103, 104),
    *(110, 111, 112, 113),
    *(120, 121, 122),
)


def collect_test_names():
    names = set()
    for module_info in pkgutil.iter_modules(tests.projects.__path__):
        if module_info.name.startswith("test_"):
            module = importlib.import_module(f"tests.projects.{module_info.name}")
            names |= {name for name in vars(module) if name.startswith("test_")}
    return names


def test_every_prj_rule_has_a_named_test():
    names = collect_test_names()
    missing = [rule for rule in PRJ_RULES if not any(f"test_prj_{rule}_" in n for n in names)]
    assert missing == []

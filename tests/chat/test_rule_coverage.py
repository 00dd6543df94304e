"""A guard: every rule of DATA_MODEL.md §4 has at least one test named after it."""

import importlib
import pkgutil

import tests.chat

CHT_RULES = (1, 2, 3, 10, 11, 12, 13, 20, 21, 30, 31, 32, 33, 34, 35)


def collect_test_names():
    names = set()
    for module_info in pkgutil.iter_modules(tests.chat.__path__):
        if module_info.name.startswith("test_"):
            module = importlib.import_module(f"tests.chat.{module_info.name}")
            names |= {name for name in vars(module) if name.startswith("test_")}
    return names


def test_every_cht_rule_has_a_named_test():
    names = collect_test_names()
    missing = [rule for rule in CHT_RULES if not any(f"_cht_{rule}_" in n for n in names)]
    assert missing == []

"""The figures of docs/spec/RELIABILITY.md (R1 … R21), the back office's R22 (the admin
permission matrix, docs/testing.md) and R23 (faults survived, tests/ops/test_faults.py),
reported at the end of every pytest run.

A test that measures an R-number reports its figure here, and still asserts its target: the
line is the report, the assertion is the gate.

    from tests import figures

    figures.record("R7", "charge: 1 effect, 31 replays")  # a free-text figure
    figures.count("R1", "calls", 10)                      # adds 10 to a named counter
    figures.count("R1", "mismatches", 0)                  # a counter that stays at 0 is shown

At the end of every run (no `-s` needed), `pytest_terminal_summary` in tests/conftest.py prints
a section "R-figures" with one line per R-number that something was recorded for, sorted by
number:

    R1  calls 4,470, mismatches 0, unlisted routes 0
    R7  charge: 1 effect, 31 replays; purchase: 1 effect, 31 replays

On a line, the counters come first (in the order they were first counted), then the texts (in
the order they were recorded, repeats dropped). Only R-numbers whose tests ran appear, so a
targeted run prints a partial summary. Under pytest-xdist each worker sends its figures to the
controller, which adds the counters up.
"""

import re
from collections import defaultdict

_counters = defaultdict(dict)  # rid -> {name: total}, in first-counted order
_texts = defaultdict(list)  # rid -> [text], in recorded order

_RID = re.compile(r"^R(\d+)$")


def _check(rid):
    if not _RID.match(rid):
        raise ValueError(f"not an R-number: {rid!r}")


def record(rid, text):
    """Reports a free-text figure under `rid` ("R1" … "R21")."""
    _check(rid)
    if text not in _texts[rid]:
        _texts[rid].append(text)


def count(rid, name, n=1):
    """Adds `n` to the counter `name` under `rid` (0 creates it, so it is shown)."""
    _check(rid)
    _counters[rid][name] = _counters[rid].get(name, 0) + n


def lines():
    """The summary lines, one per R-number, sorted by number."""
    rids = sorted(set(_counters) | set(_texts), key=lambda rid: int(rid[1:]))
    out = []
    for rid in rids:
        parts = [f"{name} {total:,}" for name, total in _counters[rid].items()]
        text = ", ".join(parts)
        if _texts[rid]:
            text = "; ".join(([text] if text else []) + _texts[rid])
        out.append(f"{rid:<4}{text}")
    return out


def dump():
    """The figures as plain data (sent from an xdist worker)."""
    return {"counters": dict(_counters), "texts": dict(_texts)}


def merge(data):
    """Adds figures dumped by another process."""
    for rid, counters in data.get("counters", {}).items():
        for name, total in counters.items():
            count(rid, name, total)
    for rid, texts in data.get("texts", {}).items():
        for text in texts:
            record(rid, text)

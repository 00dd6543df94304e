"""The seed and benchmark commands at a tiny size, so they cannot rot (PERFORMANCE.md).

Timing ratios mean nothing on a tiny data set; what is asserted is every budget that does not
depend on time: each workload's query count exactly, W6's statements, and that W7's plan and
every W8 changelist query read no large table whole (plans taken as on a large table:
bench/management/commands/benchmark.py, `planner`).
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from billing.ledger import ledger_mismatches


@pytest.mark.django_db(transaction=True)
def test_seed_and_benchmark_hold_their_query_budgets(tmp_path, model_catalogue):
    call_command("seed_large", "--scale", "0.002", stdout=StringIO())
    assert ledger_mismatches() == []
    tenth = tmp_path / "tenth.json"
    tenth.write_text(
        json.dumps(
            {
                "reads": [
                    {"id": "W1", "median_ms": 1.0, "floor_ms": 1.0},
                    {"id": "W2", "median_ms": 1.0, "floor_ms": 1.0},
                ]
            }
        )
    )
    report_path = tmp_path / "bench.json"
    call_command(
        "benchmark",
        "--rounds",
        "3",
        "--calls",
        "1",
        "--keys",
        "2",
        "--charges",
        "5",
        "--gate",
        "queries",
        "--baseline",
        str(tenth),
        "--output",
        str(report_path),
        stdout=StringIO(),
    )
    report = json.loads(report_path.read_text())
    reads = {row["id"]: row["queries"] for row in report["reads"]}
    assert reads == {
        "W1": 3,  # auth, the chat lookup, the page (no COUNT)
        "W2": 2,  # auth, the page
        "W3": 5,  # auth, project, containers, connections, recent chats
        "W4": 4,  # auth, project with its board, columns, tasks with assignees
        "W5": 5,  # auth, 2 permission lookups, count, page
        "conn": 3,  # W1's requests again, under production's connection settings
    }
    assert [row["id"] for row in report["growth"]] == ["growth W1", "growth W2"]
    assert report["writes"][0]["statements"] == 5
    assert report["plans"][0]["seq_scan"] is False
    admin = {row["id"]: row for row in report["admin"]}
    assert len(admin) == 11
    for row in admin.values():
        assert row["status"] == 200, row["id"]
        assert row["whole_reads"] == [], row["id"]
        assert row["passed_plan"], row["id"]
    assert all(row["full_counts"] == 0 for label, row in admin.items() if "search" in label)
    # W1's keys are chats whose page is the fullest near 100 KB, W2's ordinary users.
    pages = {row["id"]: row["page_bytes"] for row in report["reads"]}
    assert pages["W1"] > pages["W2"] > 0

    # Over HTTP: both servers answer every key (wrk counts any other status as a failure).
    http_path = tmp_path / "http.json"
    call_command(
        "benchmark",
        *("--http", "--rounds", "3", "--seconds", "1", "--keys", "2"),
        *("--gate", "queries", "--output", str(http_path)),
        stdout=StringIO(),
    )
    rows = {row["id"]: row for row in json.loads(http_path.read_text())["http"]}
    assert set(rows) == {"W1", "W2", "W2-empty"}
    assert rows["W2-empty"]["ratio_budget"] is None and rows["W2-empty"]["passed"]
    for row in rows.values():
        for side in ("project", "floor"):
            assert row[side]["requests_per_second"] > 0 and row[side]["cpu_ms"] > 0

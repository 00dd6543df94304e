"""The seed and benchmark commands at a tiny size, so they cannot rot (PERFORMANCE.md)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from billing.ledger import ledger_mismatches


@pytest.mark.django_db(transaction=True)
def test_seed_and_benchmark_hold_their_query_budgets(tmp_path):
    call_command("seed_large", "--scale", "0.002", stdout=StringIO())
    assert ledger_mismatches() == []
    report_path = tmp_path / "bench.json"
    call_command(
        "benchmark",
        "--rounds",
        "3",
        "--keys",
        "3",
        "--charges",
        "5",
        "--gate",
        "queries",
        "--output",
        str(report_path),
        stdout=StringIO(),
    )
    report = json.loads(report_path.read_text())
    reads = {row["id"]: row["queries"] for row in report["reads"]}
    # W3: auth + project + containers + connections + recent chats.
    # W5: auth + 2 permission lookups + count + page.
    assert reads == {"W3": 5, "W5": 5}
    assert report["writes"][0]["statements"] == 5
    assert report["plans"][0]["seq_scan"] is False
    assert all(row["full_counts"] == 0 for row in report["admin"] if row["id"].endswith("search"))

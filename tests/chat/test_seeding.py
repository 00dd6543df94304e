"""The chat part of the large benchmark data set (`seed_large`, PERFORMANCE.md W1), and the
usage attributed to its chats and runs (BIL-70)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max

from billing.models import UsageLog
from chat.models import ACTIVE_RUN_STATUSES, AgentRun, Chat, Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_w1_seeded_chats_have_exact_counters_and_full_pages():
    call_command("seed_large", "--scale", "0.002", stdout=StringIO())
    chats = Chat.objects.annotate(rows=Count("messages"), latest=Max("messages__created_at"))
    assert chats.count() == 100  # one per benchmark project
    for chat in chats:
        assert (chat.message_count, chat.last_message_at) == (chat.rows, chat.latest)  # CHT-2
    assert Message.objects.count() == 4000
    assert chats.filter(message_count=0).count() == 0
    assert chats.filter(message_count__gte=50).exists()  # W1 needs 50-message pages
    assert set(Message.objects.values_list("role", flat=True)) == {"user", "assistant"}


def test_cht_40_seeded_runs_keep_the_run_rules_and_usage_is_attributed():
    call_command("seed_large", "--scale", "0.002", stdout=StringIO())
    assert AgentRun.objects.count() == 400
    assert AgentRun.objects.filter(status="running").count() == 2  # one chat in 50
    active = AgentRun.objects.filter(status__in=ACTIVE_RUN_STATUSES)
    assert active.values("chat").distinct().count() == active.count()  # CHT-40
    assert AgentRun.objects.filter(status="failed").exclude(error_code="").exists()
    attributed = UsageLog.objects.filter(chat__isnull=False)
    assert attributed.exists() and UsageLog.objects.filter(run__isnull=False).exists()
    # BIL-70: each attributed log is in its user's chat, in that chat's project.
    assert not attributed.exclude(chat__user=F("user")).exists()
    assert not attributed.exclude(project=F("chat__project")).exists()
    assert not UsageLog.objects.filter(run__isnull=False).exclude(run__chat=F("chat")).exists()

"""The chat part of the large benchmark data set (`seed_large`, PERFORMANCE.md W1)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max

from chat.models import Chat, Message

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

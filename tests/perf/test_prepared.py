"""config.prepared: a queryset compiled once gives what the ORM gives, call after call."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessToken, token_digest
from billing.filters import UsageLogFilter
from billing.models import UsageLog
from billing.selectors import USAGE_PAGES
from billing.serializers.credits import UsageLogSerializer
from chat.models import Message
from chat.selectors import MESSAGE_PAGES, message_rows
from config.api import values_for
from config.pagination import KEYSET_ORDER, beyond
from tests.billing.conftest import fund
from tests.billing.factories import usage
from tests.chat.factories import ChatFactory, MessageFactory

pytestmark = pytest.mark.django_db


def fields(instance):
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def test_the_token_lookup_builds_what_the_orm_builds(user, other_user):
    for owner in (user, other_user):  # the second call reuses the compiled statement
        _, raw = AccessToken.issue(user=owner, ttl=timedelta(hours=1), name="t")
        expected = (
            AccessToken.objects.live(timezone.now())
            .select_related("user")
            .get(token_digest=token_digest(raw))
        )
        found = AccessToken.objects.find_live(raw)
        assert fields(found) == fields(expected)
        assert fields(found.user) == fields(expected.user)
        assert found._state.fields_cache["user"] is found.user
        assert found._state.db == "default" and not found._state.adding
        assert found.user.pk == owner.pk


def test_the_token_lookup_misses_unknown_and_expired_tokens(user):
    _, raw = AccessToken.issue(user=user, ttl=timedelta(hours=1), name="t")
    assert AccessToken.objects.find_live("stu_unknown") is None
    assert AccessToken.objects.find_live(raw, now=timezone.now() + timedelta(hours=2)) is None


def assert_pages_read_what_the_orm_reads(pages, values, rows, position):
    """`pages.rows(values, …)` against `rows` (the same `.values()` queryset) keyset-paged by
    hand, in both orders, from the start and from `position`, short and long pages; each shape
    twice, since the second call reuses the compiled statement."""
    for descending in (True, False):
        for at in (None, position):
            for limit in (2, 51):
                queryset = rows.order_by(*KEYSET_ORDER[descending])
                if at is not None:
                    queryset = queryset.filter(beyond(at, descending))
                expected = list(queryset[:limit])
                for _ in range(2):
                    found = pages.rows(values, at, descending=descending, limit=limit)
                    assert found == expected, (values, descending, at, limit)


def test_usage_pages_read_what_the_orm_reads_in_every_shape(user, other_user, model_catalogue):
    """W2's pages (billing.selectors.USAGE_PAGES): each shape (range bounds given, order,
    cursor, size) compiled once gives the rows the queryset gives."""
    fund(user, purchased=1000)
    logs = [usage(user, f"p-{n}") for n in range(6)]
    usage(other_user, "theirs")
    start = datetime(2025, 5, 1, tzinfo=UTC)
    for offset, log in enumerate(logs):
        UsageLog.objects.filter(pk=log.pk).update(created_at=start + timedelta(days=offset))
    mine = values_for(UsageLog.objects.filter(user=user), UsageLogSerializer)
    ranges = [
        {},
        {"created_after": start + timedelta(days=1)},
        {"created_before": start + timedelta(days=5)},
    ]
    for period in ranges:
        assert_pages_read_what_the_orm_reads(
            USAGE_PAGES,
            {"owner": user.pk, **period},
            UsageLogFilter.filter_formless(mine, period),
            (start + timedelta(days=3), logs[3].pk),
        )


def test_message_pages_read_what_the_orm_reads_in_every_shape():
    """W1's pages (chat.selectors.MESSAGE_PAGES): each shape compiled once gives the rows the
    queryset gives, of that chat only."""
    chat, other = ChatFactory(), ChatFactory()
    start = datetime(2025, 5, 1, tzinfo=UTC)
    messages = [MessageFactory(chat=chat) for _ in range(6)]
    MessageFactory(chat=other)
    for offset, message in enumerate(messages):
        Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(minutes=offset))
    assert_pages_read_what_the_orm_reads(
        MESSAGE_PAGES,
        {"chat": chat.pk},
        message_rows(Message.objects.filter(chat=chat)),
        (start + timedelta(minutes=3), messages[3].pk),
    )

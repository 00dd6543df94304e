from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.models import User
from config.pagination import KeysetCursorPagination, PageNumberPagination
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def drf_request(query):
    return Request(APIRequestFactory().get("/", query))


def test_page_size_is_capped_silently():
    assert PageNumberPagination().get_page_size(drf_request({"page_size": "1000"})) == 100
    assert PageNumberPagination().get_page_size(drf_request({})) == 25


def test_cursor_page_size_is_capped_silently():
    paginator = KeysetCursorPagination()
    paginator.paginate_queryset(User.objects.all(), drf_request({"page_size": "5000"}))
    assert paginator.page_size == 200


@pytest.fixture
def timeline(user):
    """Nine users, several sharing one created_at, so ties are broken by id."""
    users = [user, *UserFactory.create_batch(8)]
    base = timezone.now() - timedelta(hours=1)
    for index, member in enumerate(users):
        User.objects.filter(pk=member.pk).update(created_at=base + timedelta(seconds=index // 3))
    return list(User.objects.order_by("created_at", "id").values_list("id", flat=True))


def walk(client, url, key):
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        seen.extend(row["id"] for row in body["results"])
        url, pages = body[key], pages + 1
    return seen, pages


@pytest.mark.urls("tests.core.probe")
def test_cursor_walks_forward_and_back_without_gaps_or_repeats(client_for, user, timeline):
    client = client_for(user)
    expected = [str(pk) for pk in timeline]
    forward, pages = walk(
        client, "/api/v1/probe/users-by-time/?ordering=created_at&page_size=2", "next"
    )
    assert forward == expected and pages == 5

    last_page = client.get("/api/v1/probe/users-by-time/?ordering=created_at&page_size=2").json()
    while last_page["next"]:
        last_page = client.get(last_page["next"]).json()
    backward, _ = walk(client, last_page["previous"], "previous")
    # Pages come back in display order; walking back visits them last to first.
    assert sorted(backward, key=expected.index) == expected[:-1]
    assert len(backward) == len(set(backward))


@pytest.mark.urls("tests.core.probe")
def test_cursor_newest_first(client_for, user, timeline):
    seen, _ = walk(client_for(user), "/api/v1/probe/users-by-time/?page_size=4", "next")
    assert seen == [str(pk) for pk in reversed(timeline)]


@pytest.mark.urls("tests.core.probe")
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-base64!!", "cursor"),
        ("cursor=eyJ0IjogMX0=", "cursor"),
        ("ordering=name", "ordering"),
    ],
)
def test_bad_cursor_or_ordering_is_400(client_for, user, query, field):
    response = client_for(user).get(f"/api/v1/probe/users-by-time/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == [field]

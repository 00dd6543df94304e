"""config.prepared: a queryset compiled once gives what the ORM gives, call after call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessToken, token_digest

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

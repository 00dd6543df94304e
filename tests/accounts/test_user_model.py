import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts import models as account_models
from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_generated_identifiers_follow_acc_2():
    member = User.objects.create_user("Jane.Doe+x@Example.COM", "a-long-password-1", name="Jane")
    assert member.email == "jane.doe+x@example.com"
    assert re.fullmatch(r"janedoex_[a-z0-9]{6}", member.username)
    assert re.fullmatch(r"janedoex-[a-z0-9]{6}-[a-z0-9]{6}", member.slug)
    assert re.fullmatch(r"[A-Z0-9]{8}", member.referral_code)


def test_username_from_a_long_or_symbol_only_local_part():
    long_local = User.objects.create_user("a" * 30 + "@example.com", name="Long")
    assert re.fullmatch(r"a{20}_[a-z0-9]{6}", long_local.username)
    symbols = User.objects.create_user("...@example.com", name="Dots")
    assert re.fullmatch(r"user_[a-z0-9]{6}", symbols.username)


def test_a_clashing_generated_slug_is_generated_again(monkeypatch):
    taken = UserFactory().slug
    fresh = iter([taken, "fresh-slug-abc123"])
    monkeypatch.setattr(account_models, "generate_slug", lambda username: next(fresh))
    member = UserFactory()
    assert member.slug == "fresh-slug-abc123"


def test_a_given_username_that_clashes_is_not_regenerated():
    taken = UserFactory().username
    with pytest.raises(IntegrityError):
        UserFactory(username=taken)


def test_email_is_unique_regardless_of_case():
    UserFactory(email="a@x.io")
    with pytest.raises(IntegrityError):
        UserFactory(email="A@X.io")


def test_login_lookup_ignores_case_and_spaces():
    member = UserFactory(email="mixed@example.com")
    assert authenticate(username="  MIXED@Example.com ", password=DEFAULT_PASSWORD) == member


def test_inactive_users_cannot_authenticate():
    member = UserFactory(inactive=True)
    assert authenticate(username=member.email, password=DEFAULT_PASSWORD) is None


@pytest.mark.parametrize(
    ("update", "constraint"),
    [
        ({"subscription_tier": "platinum"}, "accounts_user_subscription_tier_valid"),
        ({"chat_position": "top"}, "accounts_user_chat_position_valid"),
        ({"daily_credits": -1}, "accounts_user_credit_buckets_non_negative"),
        ({"bundled_credits": -1}, "accounts_user_credit_buckets_non_negative"),
        ({"purchased_credits": -1}, "accounts_user_credit_buckets_non_negative"),
        ({"total_spend_cents": -1}, "accounts_user_total_spend_non_negative"),
        ({"email": "Upper@example.com"}, "accounts_user_email_lowercase"),
        ({"signup_bonus_credits": 100}, "accounts_user_bonus_has_expiry"),
        ({"username": "No Spaces"}, "accounts_user_username_valid"),
    ],
)
def test_database_refuses_what_the_rules_forbid(user, update, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        User.objects.filter(pk=user.pk).update(**update)


def test_bonus_with_expiry_is_accepted(user):
    User.objects.filter(pk=user.pk).update(
        signup_bonus_credits=100, signup_bonus_expires_at=timezone.now() + timedelta(days=1)
    )


def test_total_credits_counts_the_bonus_only_while_it_lasts(user):
    User.objects.filter(pk=user.pk).update(
        daily_credits=5,
        bundled_credits=10,
        purchased_credits=20,
        signup_bonus_credits=100,
        signup_bonus_expires_at=timezone.now() + timedelta(days=1),
    )
    user.refresh_from_db()
    assert user.total_credits == 135
    User.objects.filter(pk=user.pk).update(
        signup_bonus_expires_at=timezone.now() - timedelta(seconds=1)
    )
    user.refresh_from_db()
    assert user.total_credits == 35
    assert not user.signup_bonus_active()


def test_hashed_password_is_the_password_column(user):
    assert user.hashed_password == user.password


def test_argon2_hashes_are_argon2id():
    assert make_password("a-long-password-1", hasher="argon2").startswith("argon2$argon2id$")


def test_moderator_flag_follows_the_permission(user, superuser):
    assert user.is_moderator is False
    assert superuser.is_moderator is True


def test_credits_cannot_be_driven_negative_by_an_update(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(daily_credits=F("daily_credits") - 1)

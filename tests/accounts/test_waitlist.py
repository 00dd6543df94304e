"""The waitlist (EXTENSIONS.md §14, ACC-45…48): anyone may join, the answer never says whether
the address was known, signing up makes the entry joined, and Support invites waiting people,
the mail going out after commit (the admin action: tests/accounts/test_admin.py)."""

import pytest
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import User, WaitlistEntry, WaitlistStatus
from accounts.services import user_register, waitlist_invite, waitlist_join
from config.exceptions import DomainError, NotAllowed
from tests.concurrency import outcomes_in_threads, raised
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

WAITLIST = "/api/v1/auth/waitlist/"


def test_acc_45_the_email_is_stored_lower_cased_and_once(api_client):
    response = api_client.post(WAITLIST, {"email": "  Ada@Example.COM ", "source": "launch"})
    assert response.status_code == 202, response.content
    entry = WaitlistEntry.objects.get()
    assert (entry.email, entry.source, entry.status) == ("ada@example.com", "launch", "waiting")
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(email="Grace@example.com")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"status": "banned"}, "accounts_waitlistentry_status_valid"),
        ({"status": WaitlistStatus.INVITED}, "accounts_waitlistentry_invited_has_time"),
    ],
)
def test_acc_45_the_database_refuses_a_bad_status(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        WaitlistEntry.objects.create(email="x@example.com", **fields)


def test_acc_46_the_answer_is_the_same_for_new_listed_and_registered_addresses(api_client, user):
    WaitlistEntry.objects.create(email="listed@example.com", source="first")
    answers = [
        api_client.post(WAITLIST, {"email": email}, format="json")
        for email in ("new@example.com", "LISTED@example.com", user.email)
    ]
    assert {(answer.status_code, answer.content) for answer in answers} == {(202, b"{}")}
    assert sorted(WaitlistEntry.objects.values_list("email", "source")) == [
        ("listed@example.com", "first"),
        ("new@example.com", ""),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({}, "email"),
        ({"email": "a@example.com", "source": "x" * 101}, "source"),
        ({"email": "a@example.com", "source": "a\x00b"}, "source"),
        ({"email": ["a@example.com"]}, "email"),
    ],
)
def test_acc_46_a_bad_body_is_a_400_on_its_field(api_client, body, field):
    response = api_client.post(WAITLIST, body, format="json")
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert not WaitlistEntry.objects.exists()


def test_acc_46_joining_is_throttled_per_ip(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "waitlist": "3/hour",
        },
    }
    for n in range(3):
        assert api_client.post(WAITLIST, {"email": f"p{n}@example.com"}).status_code == 202
    assert_error(api_client.post(WAITLIST, {"email": "p3@example.com"}), 429, "throttled")
    assert WaitlistEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_acc_46_concurrent_joins_of_one_address_leave_one_row():
    outcomes = outcomes_in_threads(10, lambda index: waitlist_join(email="Race@example.com"))
    assert raised(outcomes) == []
    assert list(WaitlistEntry.objects.values_list("email", flat=True)) == ["race@example.com"]


@pytest.mark.parametrize("status", [WaitlistStatus.WAITING, WaitlistStatus.INVITED])
def test_acc_47_signing_up_joins_the_entry_in_the_same_transaction(status):
    support = UserFactory(superuser=True)
    waitlist_join(email="new@example.com")
    entry = WaitlistEntry.objects.get()
    if status == WaitlistStatus.INVITED:
        waitlist_invite(actor=support, entry=entry)
    user, _, _ = user_register(email="New@example.com", password=DEFAULT_PASSWORD, name="New")
    entry.refresh_from_db()
    assert (entry.status, entry.joined_user) == (WaitlistStatus.JOINED, user)


def test_acc_47_a_sign_up_that_fails_later_leaves_the_entry_waiting(monkeypatch):
    """The entry changes in the sign-up's transaction: when a step after it fails (here the
    verification code), the entry is rolled back with the user."""
    waitlist_join(email="new@example.com")

    def failing_code_issue(**kwargs):
        raise DomainError()

    monkeypatch.setattr(services, "code_issue", failing_code_issue)
    with pytest.raises(DomainError):
        user_register(email="new@example.com", password=DEFAULT_PASSWORD, name="New")
    assert not User.objects.filter(email="new@example.com").exists()
    entry = WaitlistEntry.objects.get()
    assert (entry.status, entry.joined_user) == (WaitlistStatus.WAITING, None)


def test_acc_48_invite_marks_the_entry_and_mails_after_commit(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.SIGNUP_URL = "https://studio.example.com/signup"
    support = UserFactory(superuser=True)
    waitlist_join(email="wait@example.com")
    entry = WaitlistEntry.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert waitlist_invite(actor=support, entry=entry) is True
    assert mailoutbox == []  # nothing goes before the commit
    for callback in queued:
        callback()
    (mail,) = mailoutbox
    assert mail.to == ["wait@example.com"] and "waitlist" in mail.body
    assert "sign up with this address at https://studio.example.com/signup" in mail.body
    entry.refresh_from_db()
    assert (entry.status, entry.invited_by) == (WaitlistStatus.INVITED, support)
    assert entry.invited_at is not None


def test_acc_48_an_entry_already_invited_or_joined_is_left_and_not_mailed(
    django_capture_on_commit_callbacks, mailoutbox
):
    support = UserFactory(superuser=True)
    waitlist_join(email="once@example.com")
    entry = WaitlistEntry.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist_invite(actor=support, entry=entry) is True
        assert waitlist_invite(actor=support, entry=entry) is False
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("who", ["user", "staff"])
def test_acc_48_invite_needs_the_permission(who):
    waitlist_join(email="wait@example.com")
    entry = WaitlistEntry.objects.get()
    with pytest.raises(NotAllowed):
        waitlist_invite(actor=UserFactory(staff=who == "staff"), entry=entry)
    assert WaitlistEntry.objects.get().status == WaitlistStatus.WAITING

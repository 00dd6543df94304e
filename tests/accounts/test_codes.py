"""One-time email codes: ACC-30…35 and R10, against real PostgreSQL."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts import services
from accounts.errors import CodeExpired, CodeInvalid, CodeLocked, TooManyCodes
from accounts.models import CodePurpose, EmailVerificationCode
from tests import figures
from tests.accounts.conftest import CODE_IN_MAIL
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db


def issue(user, committed, purpose=CodePurpose.TWO_FA_LOGIN):
    with committed():
        return services.code_issue(user=user, purpose=purpose)


def age(code, **delta):
    """Moves a code back in time, as if issued `delta` ago."""
    shift = timedelta(**delta)
    EmailVerificationCode.objects.filter(pk=code.pk).update(
        created_at=code.created_at - shift, expires_at=code.expires_at - shift
    )


def test_acc_30_six_digits_hashed_with_argon2_and_mailed(user, committed, mailoutbox):
    code = issue(user, committed)
    raw = CODE_IN_MAIL.search(mailoutbox[-1].body).group(1)
    assert len(raw) == 6 and raw.isdigit()
    assert code.code_hash.startswith("argon2$argon2id$")
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(c)::text FROM accounts_emailverificationcode c")
        assert not any(raw in row[0] for row in cursor.fetchall())


def test_acc_31_a_new_code_voids_the_older_one(user, committed, mailed_code):
    first = issue(user, committed)
    first_raw = mailed_code(user.email)
    age(first, seconds=61)
    second = issue(user, committed)
    first.refresh_from_db()
    assert first.used and first.used_at is not None
    with pytest.raises(CodeInvalid):
        services.code_verify(code=first, raw=first_raw)
    services.code_verify(code=second, raw=mailed_code(user.email))


def test_acc_31_codes_of_other_purposes_stay_live(user, committed):
    reset = issue(user, committed, CodePurpose.PASSWORD_RESET)
    issue(user, committed, CodePurpose.TWO_FA_LOGIN)
    reset.refresh_from_db()
    assert not reset.used


@pytest.mark.django_db(transaction=True)
def test_acc_31_concurrent_issues_leave_one_live_code(user):
    errors = []

    def issue_one():
        try:
            services.code_issue(user=user, purpose=CodePurpose.VERIFY_EMAIL)
        except TooManyCodes as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    live = EmailVerificationCode.objects.filter(user=user, used=False).count()
    assert live == 1
    # The user-row lock serialises them: one wins, the rest fall inside the 60 s spacing.
    assert len(errors) == 7


def test_acc_32_verifies_just_before_expiry(user, committed, mailed_code):
    code = issue(user, committed)
    age(code, minutes=10, seconds=-1)
    services.code_verify(code=code, raw=mailed_code(user.email))


def test_acc_32_fails_just_after_expiry(user, committed, mailed_code):
    code = issue(user, committed)
    age(code, minutes=10, seconds=1)
    with pytest.raises(CodeExpired):
        services.code_verify(code=code, raw=mailed_code(user.email))


def test_acc_33_single_use(user, committed, mailed_code):
    code = issue(user, committed)
    raw = mailed_code(user.email)
    services.code_verify(code=code, raw=raw)
    with pytest.raises(CodeInvalid):
        services.code_verify(code=code, raw=raw)


def test_acc_33_wrong_guesses_lock_the_code_even_for_the_right_one(user, committed, mailed_code):
    code = issue(user, committed)
    raw = mailed_code(user.email)
    wrong = f"{(int(raw) + 1) % 10**6:06d}"
    for _ in range(4):
        with pytest.raises(CodeInvalid):
            services.code_verify(code=code, raw=wrong)
    services.code_verify(code=code, raw=raw)  # the fifth attempt, right, still works

    second = issue_after_spacing(user, committed)
    raw = mailed_code(user.email)
    for _ in range(5):
        with pytest.raises(CodeInvalid):
            services.code_verify(code=second, raw=wrong)
    with pytest.raises(CodeLocked):
        services.code_verify(code=second, raw=raw)
    second.refresh_from_db()
    assert second.attempts == second.max_attempts == 5


def issue_after_spacing(user, committed):
    EmailVerificationCode.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    return issue(user, committed)


@pytest.mark.django_db(transaction=True)
def test_r10_twenty_concurrent_right_guesses_one_success(user, mailoutbox):
    code = services.code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET)
    raw = CODE_IN_MAIL.search(mailoutbox[-1].body).group(1)

    def verify():
        try:
            services.code_verify(code=code, raw=raw)
        except (CodeInvalid, CodeLocked) as exc:
            return exc.code
        return "ok"

    results = run_at_once([verify] * 20)
    figures.record("R10", f"concurrent verification: {results.count('ok')} success of 20")
    assert results.count("ok") == 1
    assert set(results) - {"ok"} <= {"code_invalid", "code_locked"}
    code.refresh_from_db()
    assert code.used and code.attempts <= code.max_attempts


@pytest.mark.django_db(transaction=True)
def test_r10_no_lost_attempt_increments_under_concurrent_wrong_guesses(user, mailoutbox):
    code = services.code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET)
    raw = CODE_IN_MAIL.search(mailoutbox[-1].body).group(1)
    wrong = f"{(int(raw) + 1) % 10**6:06d}"
    EmailVerificationCode.objects.filter(pk=code.pk).update(max_attempts=30)

    def guess():
        try:
            services.code_verify(code=code, raw=wrong)
        except (CodeInvalid, CodeLocked) as exc:
            return exc.code

    results = run_at_once([guess] * 12)
    code.refresh_from_db()
    figures.record(
        "R10", f"attempt counter: {code.attempts} of 12 concurrent wrong guesses counted"
    )
    assert code.attempts == 12
    assert results == ["code_invalid"] * 12


@pytest.mark.django_db(transaction=True)
def test_r10_attempts_never_pass_the_cap_under_concurrency(user, mailoutbox):
    code = services.code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET)
    raw = CODE_IN_MAIL.search(mailoutbox[-1].body).group(1)
    wrong = f"{(int(raw) + 1) % 10**6:06d}"

    def guess():
        try:
            services.code_verify(code=code, raw=wrong)
        except (CodeInvalid, CodeLocked) as exc:
            return exc.code

    results = run_at_once([guess] * 10)
    code.refresh_from_db()
    assert code.attempts == 5
    assert sorted(results) == ["code_invalid"] * 5 + ["code_locked"] * 5


def test_acc_34_five_codes_an_hour(user, committed):
    for _ in range(5):
        issue_after_spacing(user, committed)
    with pytest.raises(TooManyCodes):
        issue_after_spacing(user, committed)
    EmailVerificationCode.objects.filter(user=user).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    issue(user, committed)


def test_acc_34_no_second_code_within_sixty_seconds(user, committed):
    issue(user, committed)
    with pytest.raises(TooManyCodes):
        issue(user, committed)


def test_acc_34_password_reset_past_the_limit_is_silent(user, committed, mailoutbox):
    with committed():
        services.password_reset_request(email=user.email)
    with committed():
        services.password_reset_request(email=user.email)
    assert len(mailoutbox) == 1


def test_acc_35_purge_keeps_the_last_day(user, committed):
    old = issue(user, committed)
    EmailVerificationCode.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    recent = issue(user, committed, CodePurpose.PASSWORD_RESET)
    call_command("purge_expired_codes", stdout=StringIO())
    assert list(EmailVerificationCode.objects.values_list("pk", flat=True)) == [recent.pk]

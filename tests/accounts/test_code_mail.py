"""ACC-31's mail through the task queue (accounts.tasks): queued on commit, sealed, and a
failure to send never fails the request. The worker's retries against a real SMTP server are
tests/ops/test_faults.py's."""

from datetime import timedelta

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from accounts.models import EmailVerificationCode
from accounts.tasks import send_code_email
from config.encryption import seal, unseal

RESET = "/api/v1/auth/password-reset/"


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


def test_acc_31_the_code_is_queued_sealed_after_commit(api_client, committed, user, monkeypatch):
    queued = []
    monkeypatch.setattr(send_code_email, "delay", lambda **kwargs: queued.append(kwargs))
    with committed():
        assert api_client.post(RESET, {"email": user.email}).status_code == 202
    (task,) = queued
    code = EmailVerificationCode.objects.get(user=user)
    raw = unseal(task["sealed_code"])
    assert code.code_hash != raw and raw not in task["sealed_code"]
    assert len(raw) == 6 and raw.isdigit()
    assert task["to"] == user.email


def test_acc_31_a_mail_that_cannot_be_sent_does_not_fail_the_request(
    api_client, committed, user, settings, caplog
):
    """Development runs the task eagerly: SMTP refusing is logged, the code is kept."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with committed():
        response = api_client.post(RESET, {"email": user.email})
    assert response.status_code == 202
    assert EmailVerificationCode.objects.filter(user=user, used=False).count() == 1
    assert "SMTP is down" in caplog.text


def test_acc_31_an_expired_code_is_not_mailed(mailoutbox):
    send_code_email.apply(
        kwargs={
            "to": "late@example.com",
            "subject": "Your code",
            "sealed_code": seal("123456"),
            "minutes": 10,
            "expires_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
        }
    )
    assert mailoutbox == []

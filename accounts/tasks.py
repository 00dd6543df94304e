"""Mail sent by the worker (config/celery.py), queued when the transaction that needs it
commits: a slow or absent SMTP server costs a request nothing, and a mail that fails is tried
again, 1 s, 2 s, 4 s, ... apart (at most MAIL_RETRY_MAX_DELAY), for as long as its code is
valid."""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.encryption import unseal

CODE_BODY = (
    "Your code is {code}. It works once, for {minutes} minutes.\n\n"
    "If you did not ask for it, you can ignore this email."
)


INVITE_SUBJECT = "You are invited to Studio"
INVITE_BODY = (
    "Your place on the Studio waitlist has come up: you can now sign up with this address at "
    "{signup_url}\n\n"
    "If you did not ask to join the waitlist, you can ignore this email."
)
# An invitation has no expiry to stop at: about two hours of tries at the default delay cap.
INVITE_RETRIES = 120


def _send_or_retry(task, *, to, subject, body):
    try:
        send_mail(subject, body, None, [to])
    except (SMTPException, OSError) as error:  # refused, timed out, or an SMTP error reply
        if task.request.is_eager:  # no worker to retry later: the caller logs it
            raise
        delay = min(2**task.request.retries, settings.MAIL_RETRY_MAX_DELAY)
        raise task.retry(exc=error, countdown=delay) from None


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_code_email(self, *, to, subject, sealed_code, minutes, expires_at):
    """Sends a one-time code (ACC-31), which travels sealed (`config.encryption.seal`). A code
    that has expired is no longer sent."""
    if timezone.now() >= parse_datetime(expires_at):
        return
    body = CODE_BODY.format(code=unseal(sealed_code), minutes=minutes)
    _send_or_retry(self, to=to, subject=subject, body=body)


@shared_task(bind=True, acks_late=True, max_retries=INVITE_RETRIES)
def send_invite_email(self, *, to):
    """Tells someone on the waitlist that Support invited them, with where to sign up (ACC-48)."""
    body = INVITE_BODY.format(signup_url=settings.SIGNUP_URL)
    _send_or_retry(self, to=to, subject=INVITE_SUBJECT, body=body)

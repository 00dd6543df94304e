"""Usage as the agent runtime reports it (BIL-31…35), and staff collecting shortfalls outside
the Studio (BIL-37). The charge itself is `credits.credits_charge`."""

import logging

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now

from billing.models import BilledStatus, UsageLog
from billing.permissions import user_can_collect_usage
from billing.services.api_keys import byok_key_for, byok_key_touch
from billing.services.credits import Charge, credits_charge, credits_check
from billing.services.prices import require_usable_model
from config.exceptions import DomainError, require

logger = logging.getLogger("studio.billing")


def usage_check(*, user, model, is_byok=False):
    """BIL-35, BIL-73: may the runtime start this call? The model must be an active catalogue
    model (400 `model_not_available`); a BYOK call needs an active key for the model's provider
    (400 `byok_key_missing`); any other call needs credits (402)."""
    require_usable_model(user=user, model=model, is_byok=is_byok)
    if is_byok:
        byok_key_for(user=user, model=model)
    credits_check(user=user, byok_ok=is_byok)


def usage_record(
    *,
    user,
    model,
    tokens_input,
    tokens_output,
    request_id,
    project=None,
    agent=None,
    is_byok=False,
    chat=None,
    run=None,
):
    """BIL-31…33, BIL-70: one LLM call, charged once per `request_id`; returns
    `(log, replayed)`.

    A BYOK call is accepted only with an active key for the model's provider, and the first
    charge marks the key used, in the charge's transaction. A call attributed to a chat or a
    run must be in the charged user's chat of the charged project (400 otherwise); a chat alone
    sets the project, and a run alone its chat.
    """
    chat, project = _attribution(user=user, project=project, chat=chat, run=run)
    key = byok_key_for(user=user, model=model) if is_byok else None
    charge = Charge(
        user_id=user.pk,
        model=model,
        tokens_input=tokens_input,
        tokens_output=tokens_output,
        project_id=project.pk if project is not None else None,
        agent_id=agent.pk if agent is not None else None,
        is_byok=is_byok,
        chat_id=chat.pk if chat is not None else None,
        run_id=run.pk if run is not None else None,
    )
    with transaction.atomic():
        log, replayed = credits_charge(charge=charge, request_id=request_id, agent=agent)
        if key is not None and not replayed:
            byok_key_touch(key=key)
    return log, replayed


def _attribution(*, user, project, chat, run):
    """BIL-70: the chat and project a charge is attributed to, checked against each other
    and the charged user: `(chat, project)`."""
    if run is not None:
        if chat is not None and run.chat_id != chat.pk:
            raise DomainError(fields={"run": ["Name a run of this chat."]})
        chat = run.chat
    if chat is None:
        return None, project
    if chat.user_id != user.pk:
        raise DomainError(fields={"chat": ["Name a chat of the charged user."]})
    if project is not None and chat.project_id != project.pk:
        raise DomainError(fields={"chat": ["Name a chat of this project."]})
    return chat, project or chat.project


def usage_logs_mark_invoiced(*, logs, actor):
    """BIL-37 "Mark invoiced": `pending → invoiced`, one conditional update, so automatic
    settlement leaves them to staff. Returns how many changed; the others were not pending."""
    require(user_can_collect_usage(actor))
    with transaction.atomic():
        changed = UsageLog.objects.filter(
            pk__in=[log.pk for log in logs], billed_status=BilledStatus.PENDING
        ).update(billed_status=BilledStatus.INVOICED, updated_at=Now())
    logger.info("%s marked %d usage logs invoiced", actor, changed)
    return changed


def usage_logs_mark_paid(*, logs, actor):
    """BIL-37 "Mark paid": `invoiced → paid`, the shortfall moving into `collected_cents`, in
    one conditional update. Returns how many changed; the others were not invoiced.

    The revenue split is left as it stands: BIL-37 lets this change only the amounts owed and
    collected, so a creator's share of money collected outside the Studio is for staff."""
    require(user_can_collect_usage(actor))
    with transaction.atomic():
        changed = UsageLog.objects.filter(
            pk__in=[log.pk for log in logs], billed_status=BilledStatus.INVOICED
        ).update(
            collected_cents=F("collected_cents") + F("shortfall_cents"),
            shortfall_cents=0,
            billed_status=BilledStatus.PAID,
            billed_at=Now(),
            updated_at=Now(),
        )
    logger.info("%s marked %d usage logs paid", actor, changed)
    return changed

"""R5 and R7: exact under concurrency, with real threads on real PostgreSQL."""

import pytest

from accounts.models import User
from billing.errors import IdempotencyKeyReused
from billing.models import CreditLedgerEntry, UsageLog
from billing.services.credits import Charge, credits_charge
from tests import figures
from tests.billing.conftest import fund
from tests.billing.factories import TEST_MODEL
from tests.concurrency import in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("start", "label"), [(200_000, "large"), (700, "small")])
def test_r5_32_threads_by_50_charges_lose_nothing(start, label):
    user = fund(UserFactory(), purchased=start)
    charges_per_thread = 50

    def work(thread):
        for n in range(charges_per_thread):
            credits_charge(
                charge=Charge(
                    user_id=user.pk, model=TEST_MODEL, tokens_input=30_000, tokens_output=0
                ),
                request_id=f"{label}-{thread}-{n}",
            )

    _, errors = in_threads(32, work)
    assert errors == []
    user = User.objects.get(pk=user.pk)
    logs = UsageLog.objects.filter(user=user)
    charged = sum(logs.values_list("credits_charged", flat=True))
    shortfall = sum(logs.values_list("shortfall_cents", flat=True))
    ledger_total = sum(
        CreditLedgerEntry.objects.filter(user=user, bucket="purchased").values_list(
            "amount", flat=True
        )
    )
    lost = 32 * charges_per_thread * 3 - charged - shortfall
    figures.record(
        "R5",
        f"{label} balance: {logs.count()} charges, {lost} lost, final {user.purchased_credits} "
        f"= start - charged {start - charged}, ledger {ledger_total}",
    )
    assert logs.count() == 32 * charges_per_thread
    assert user.purchased_credits == start - charged >= 0
    assert charged + shortfall == 32 * charges_per_thread * 3
    assert ledger_total == user.purchased_credits


def test_r7_one_key_from_32_threads_charges_once():
    user = fund(UserFactory(), purchased=1000)
    same = Charge(user_id=user.pk, model=TEST_MODEL, tokens_input=1_000_000, tokens_output=0)
    results, errors = in_threads(32, lambda _: credits_charge(charge=same, request_id="once"))
    assert errors == []
    replays = sum(1 for _, replayed in results if replayed)
    figures.record("R7", f"service charge: {32 - replays} effect, {replays} replays")
    assert replays == 31
    assert len({log.pk for log, _ in results}) == 1
    assert User.objects.get(pk=user.pk).purchased_credits == 900


def test_r7_one_key_two_users_concurrently_charges_one():
    first, second = fund(UserFactory(), purchased=500), fund(UserFactory(), purchased=500)
    users = [first, second] * 8

    def work(index):
        return credits_charge(
            charge=Charge(
                user_id=users[index].pk, model=TEST_MODEL, tokens_input=1_000_000, tokens_output=0
            ),
            request_id="contested",
        )

    results, errors = in_threads(16, work)
    assert UsageLog.objects.filter(request_id="contested").count() == 1
    assert all(isinstance(error, IdempotencyKeyReused) for error in errors)
    assert len(errors) == 8
    assert len(results) == 8

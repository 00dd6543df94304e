"""BIL-3: every user's buckets against their ledger, in one SQL query."""

from django.db import connection

MISMATCHES = """
WITH sums AS (
    SELECT user_id, bucket, SUM(amount) AS total,
           (ARRAY_AGG(balance_after ORDER BY created_at DESC, id DESC))[1] AS latest
    FROM billing_creditledgerentry
    WHERE user_id IS NOT NULL
    GROUP BY user_id, bucket
)
SELECT u.id, u.email, b.bucket, b.balance, COALESCE(s.total, 0), s.latest
FROM accounts_user u
CROSS JOIN LATERAL (VALUES
    ('daily', u.daily_credits),
    ('bundled', u.bundled_credits),
    ('signup_bonus', u.signup_bonus_credits),
    ('purchased', u.purchased_credits)
) AS b(bucket, balance)
LEFT JOIN sums s ON s.user_id = u.id AND s.bucket = b.bucket
WHERE b.balance <> COALESCE(s.total, 0) OR b.balance <> COALESCE(s.latest, 0)
ORDER BY u.email, b.bucket
"""


def ledger_mismatches():
    """Rows `(user_id, email, bucket, balance, ledger_sum, latest_balance_after)` that break
    the invariant: the bucket equals the sum of its entries and the latest `balance_after`."""
    with connection.cursor() as cursor:
        cursor.execute(MISMATCHES)
        return cursor.fetchall()

"""Benchmark usage logs, each with its `usage` ledger entry, on top of one opening
adjustment per user, so every bucket still equals its ledger (BIL-3).

Half the logs are attributed to one of their user's chats (and its project), and half of
those to one of that chat's runs (BIL-70), so W2 and the chat filters read the new columns
with realistic data."""

OPENING_CREDITS = 10_000_000


def seed(seeder):
    sizes = seeder.sizes
    seeder.run_in_batches(
        "usage logs",
        """
        INSERT INTO billing_usagelog (
            id, created_at, updated_at, user_id, project_id, agent_id, creator_id, model,
            tokens_input, tokens_output, cost_total, credits_charged, shortfall_cents,
            collected_cents, creator_revenue, platform_revenue, is_byok, billed_status,
            billed_at, request_id, chat_id, run_id)
        SELECT gen_random_uuid(), t.at, t.at, u.id, ch.project_id, NULL, NULL,
               (ARRAY['anthropic/claude-sonnet-4', 'openai/gpt-5', 'deepseek/deepseek-chat'])
                   [1 + n %% 3],
               1000 + n %% 20000, 200 + n %% 4000, 1 + n %% 90, 1 + n %% 90, 0, 0, 0,
               1 + n %% 90, false, 'credited', t.at, 'bench-' || n, ch.id, r.id
        FROM generate_series(%(first)s, %(last)s) AS n
        CROSS JOIN LATERAL (
            SELECT now() - ((n::bigint * 7919) %% (60 * 86400)) * interval '1 second' AS at
        ) AS t
        JOIN (SELECT id, row_number() OVER (ORDER BY email) AS rank FROM accounts_user
              WHERE email LIKE 'bench%%') AS u ON u.rank = 1 + ((n::bigint * 31) %% %(users)s)
        LEFT JOIN LATERAL (
            SELECT c.id, c.project_id FROM chat_chat c
            WHERE n %% 2 = 0 AND c.user_id = u.id
            ORDER BY c.created_at DESC OFFSET n %% 3 LIMIT 1
        ) AS ch ON true
        LEFT JOIN LATERAL (
            SELECT ar.id FROM chat_agentrun ar
            WHERE n %% 4 = 0 AND ar.chat_id = ch.id
            ORDER BY ar.created_at, ar.id OFFSET n %% 5 LIMIT 1
        ) AS r ON true
        """,
        sizes.usage_logs,
        {"users": sizes.users},
    )
    seeder.run(
        "opening credits",
        """
        INSERT INTO billing_creditledgerentry (
            id, created_at, updated_at, user_id, bucket, entry_type, amount, balance_after,
            reason)
        SELECT gen_random_uuid(), now() - interval '61 days', now(), id, 'purchased',
               'adjustment', %(opening)s, %(opening)s, 'benchmark opening balance'
        FROM accounts_user WHERE email LIKE 'bench%%'
        """,
        {"opening": OPENING_CREDITS},
    )
    seeder.run(
        "usage ledger entries",
        """
        INSERT INTO billing_creditledgerentry (
            id, created_at, updated_at, user_id, bucket, entry_type, amount, balance_after,
            reason, usage_log_id)
        SELECT gen_random_uuid(), l.created_at, l.created_at, l.user_id, 'purchased', 'usage',
               -l.credits_charged,
               %(opening)s - SUM(l.credits_charged) OVER (
                   PARTITION BY l.user_id ORDER BY l.created_at, l.id),
               '', l.id
        FROM billing_usagelog l WHERE l.request_id LIKE 'bench-%%'
        """,
        {"opening": OPENING_CREDITS},
    )
    seeder.run(
        "buckets",
        """
        UPDATE accounts_user u SET purchased_credits = %(opening)s - COALESCE(s.spent, 0)
        FROM (SELECT user_id, SUM(credits_charged) AS spent FROM billing_usagelog
              WHERE request_id LIKE 'bench-%%' GROUP BY user_id) AS s
        WHERE s.user_id = u.id
        """,
        {"opening": OPENING_CREDITS},
    )
    seeder.run(
        "buckets without usage",
        """
        UPDATE accounts_user SET purchased_credits = %(opening)s
        WHERE email LIKE 'bench%%' AND purchased_credits = 0
        """,
        {"opening": OPENING_CREDITS},
    )

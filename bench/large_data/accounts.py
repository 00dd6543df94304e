"""Benchmark users: `bench<n>@bench.example`; one in ten on a paid tier."""


def seed(seeder):
    seeder.run(
        "users",
        """
        INSERT INTO accounts_user (
            id, created_at, updated_at, password, last_login, is_superuser, email,
            email_verified_at, name, username, slug, subscription_tier, stripe_customer_id,
            bundled_credits, purchased_credits, signup_bonus_credits, signup_bonus_expires_at,
            daily_credits, daily_credits_reset_at, credits_reset_at, total_spend_cents,
            theme_preset, chat_position, disabled_models, two_fa_enabled, avatar_url,
            referral_code, is_active, is_staff, referred_by_id)
        SELECT gen_random_uuid(), now() - (n %% 700) * interval '1 day', now(), '!bench', NULL,
               false, 'bench' || n || '@bench.example', now(), 'Bench User ' || n,
               'bench_' || n, 'bench-' || n || '-seeded',
               CASE WHEN n %% 10 = 0 THEN 'pro' ELSE 'free' END, NULL,
               0, 0, 0, NULL, 0, NULL, NULL, 0, 'default-dark', 'center', '[]'::jsonb, false,
               '', 'B' || lpad(to_hex(n), 7, '0'), true, false, NULL
        FROM generate_series(1, %(users)s) AS n
        """,
        {"users": seeder.sizes.users},
    )

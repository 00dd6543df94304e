"""Benchmark feedback posts with upvotes and comments, counters consistent with the rows."""


def seed(seeder):
    sizes = seeder.sizes
    seeder.run(
        "posts",
        """
        INSERT INTO feedback_feedbackpost (
            id, created_at, updated_at, type, title, description, status, upvote_count,
            is_hidden, hidden_at, hidden_by_id, user_id)
        SELECT gen_random_uuid(), now() - (n %% 400) * interval '1 day', now(),
               CASE WHEN n %% 3 = 0 THEN 'bug' ELSE 'suggestion' END,
               'Seeded idea ' || n, 'It would help if the Studio could do thing ' || n || '.',
               (ARRAY['open', 'open', 'in_progress', 'resolved', 'closed'])[1 + n %% 5], 0,
               false, NULL, NULL, u.id
        FROM generate_series(1, %(posts)s) AS n
        JOIN (SELECT id, row_number() OVER (ORDER BY email) AS rank FROM accounts_user
              WHERE email LIKE 'bench%%') AS u ON u.rank = 1 + (n %% %(users)s)
        """,
        {"posts": sizes.feedback_posts, "users": sizes.users},
    )
    seeder.run(
        "upvotes",
        """
        INSERT INTO feedback_feedbackupvote (id, created_at, updated_at, feedback_id, user_id)
        SELECT gen_random_uuid(), now(), now(), p.id, u.id
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM feedback_feedbackpost)
             AS p
        JOIN (SELECT id, row_number() OVER (ORDER BY email) AS rank FROM accounts_user
              WHERE email LIKE 'bench%%') AS u
          ON u.rank BETWEEN 1 + (p.rank %% 97) AND 1 + (p.rank %% 97) + (p.rank %% 7)
        """,
    )
    seeder.run(
        "upvote counts",
        """
        UPDATE feedback_feedbackpost p SET upvote_count = v.count
        FROM (SELECT feedback_id, count(*) AS count FROM feedback_feedbackupvote
              GROUP BY feedback_id) AS v
        WHERE v.feedback_id = p.id
        """,
    )
    seeder.run(
        "comments",
        """
        INSERT INTO feedback_feedbackcomment (
            id, created_at, updated_at, content, is_official, is_hidden, hidden_at,
            hidden_by_id, user_id, feedback_id)
        SELECT gen_random_uuid(), p.created_at + k * interval '1 hour', now(),
               'Seeded comment ' || k, false, false, NULL, NULL, p.user_id, p.id
        FROM feedback_feedbackpost p CROSS JOIN generate_series(1, 2) AS k
        """,
    )

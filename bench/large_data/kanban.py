"""Benchmark kanban boards (PERFORMANCE.md W4): the first `sizes.kanban_boards` benchmark
projects get a board with KAN-1's five default columns and `TASKS_PER_BOARD` tasks, spread
over the columns, most of them assigned to some benchmark user. Statuses follow the columns,
so `done` tasks (and only they) have `completed_at` (the board's CHECK); `task_counter` is the
highest reference, as KAN-7 keeps it."""

TASKS_PER_BOARD = 300
PER_COLUMN = TASKS_PER_BOARD // 5


def seed(seeder):
    boards = seeder.run(
        "boards",
        """
        INSERT INTO kanban_kanbanboard (
            id, created_at, updated_at, name, description, task_counter, settings, project_id)
        SELECT gen_random_uuid(), p.created_at, now(), p.name || ' Board', '', %(tasks)s,
               '{}'::jsonb, p.id
        FROM projects_project p
        WHERE p.slug LIKE 'bench-project-%%'
          AND substring(p.slug FROM 15)::int <= %(boards)s
        """,
        {"boards": seeder.sizes.kanban_boards, "tasks": TASKS_PER_BOARD},
    )
    if not boards:
        return
    seeder.run(
        "columns",
        """
        INSERT INTO kanban_kanbancolumn (
            id, created_at, updated_at, name, description, position, color, is_backlog,
            is_completed, task_limit, board_id)
        SELECT gen_random_uuid(), b.created_at, now(), c.name, '', c.position, '#4f46e5',
               c.is_backlog, c.is_completed, NULL, b.id
        FROM kanban_kanbanboard b
        JOIN projects_project p ON p.id = b.project_id AND p.slug LIKE 'bench-project-%%'
        CROSS JOIN (VALUES (0, 'Backlog', true, false, 'open'), (1, 'To Do', false, false, 'open'),
                    (2, 'In Progress', false, false, 'blocked'),
                    (3, 'Review', false, false, 'review'), (4, 'Done', false, true, 'done'))
             AS c(position, name, is_backlog, is_completed, status)
        """,
    )
    seeder.run(
        "tasks",
        """
        INSERT INTO kanban_kanbantask (
            id, created_at, updated_at, ref_number, title, description, position, status,
            priority, task_type, due_date, tags, completed_at, version, assignee_id,
            board_id, column_id, reporter_id)
        SELECT gen_random_uuid(), b.created_at + t.ref * interval '1 hour', now(), t.ref,
               'Task ' || t.ref || ': ' || (ARRAY[
                   'Add a search box to the recipe list',
                   'Fix the login redirect after a password reset',
                   'Cache the dashboard totals for an hour',
                   'Write the end-to-end tests of the checkout',
                   'Move the uploads to object storage'])[1 + t.ref %% 5],
               'Steps, acceptance criteria and links for task ' || t.ref || '.',
               k, c.status,
               (ARRAY['low', 'medium', 'high', 'critical'])[1 + t.ref %% 4],
               (ARRAY['feature', 'bug', 'task', 'epic', 'story'])[1 + t.ref %% 5],
               CASE WHEN t.ref %% 3 = 0 THEN b.created_at + interval '30 days' END,
               CASE WHEN t.ref %% 2 = 0 THEN '["backend", "api"]'::jsonb
                    ELSE '["frontend"]'::jsonb END,
               CASE WHEN c.status = 'done' THEN b.created_at + interval '10 days' END,
               1,
               CASE WHEN t.ref %% 6 = 0 THEN NULL ELSE u.id END,
               b.id, col.id, p.owner_id
        FROM kanban_kanbanboard b
        JOIN projects_project p ON p.id = b.project_id AND p.slug LIKE 'bench-project-%%'
        JOIN kanban_kanbancolumn col ON col.board_id = b.id
        JOIN (VALUES (0, 'Backlog', true, false, 'open'), (1, 'To Do', false, false, 'open'),
                    (2, 'In Progress', false, false, 'blocked'),
                    (3, 'Review', false, false, 'review'), (4, 'Done', false, true, 'done'))
             AS c(position, name, is_backlog, is_completed, status)
          ON c.position = col.position
        CROSS JOIN generate_series(0, %(per_column)s - 1) AS k
        CROSS JOIN LATERAL (SELECT col.position * %(per_column)s + k + 1 AS ref) AS t
        JOIN (SELECT id, row_number() OVER (ORDER BY email) AS rank FROM accounts_user
              WHERE email LIKE 'bench%%') AS u
          ON u.rank = 1 + (abs(hashtext(b.id::text)::bigint) + t.ref * 7) %% %(users)s
        """,
        {"per_column": PER_COLUMN, "users": seeder.sizes.users},
    )

"""Benchmark chats, messages and agent runs for `manage.py seed_large` (PERFORMANCE.md W1).

One chat per benchmark project, and `sizes.messages` messages (2M at full scale) over them:
every chat has some, busy chats hold hundreds, and a 50-message page is about 100 KB of JSON
(short user questions alternate with long assistant answers that carry steps and tool
calls). Counters are then set from the rows, so CHT-2 holds
on the seeded data too.

`sizes.agent_runs` runs (200k at full scale, about four a chat) follow: one chat in 50 has a
running run (CHT-40 holds: at most one per chat), one run in ten failed, the rest completed.
"""

CHATS = """
INSERT INTO chat_chat (
    id, created_at, updated_at, user_id, project_id, title, status, last_message_at,
    message_count)
SELECT gen_random_uuid(), p.created_at, now(), p.owner_id, p.id, 'Bench chat ' || p.slug,
       'active', NULL, 0
FROM projects_project p
WHERE p.slug LIKE 'bench-project-%%'
"""

# Messages go in pairs, a question (n even) and its answer (n + 1), so a 50-message page
# is about 100 KB of JSON in every chat. Half the pairs are spread evenly over the chats, the
# other half go to the chat ranked 1 + k² mod chats (k = n / 4), which piles them on some
# chats (the busy ones). Message n is one second
# younger than message n - 1, so each chat's messages are spread over time. An assistant
# answer is markdown of 2 to 4.5 KB: prose, a TypeScript block and a shell block, its
# length varying with n, as the agent's answers are.
MESSAGES = """
INSERT INTO chat_message (
    id, created_at, updated_at, chat_id, role, content, message_metadata)
SELECT gen_random_uuid(), now() - (%(messages)s - n) * interval '1 second', now(), c.id,
       CASE WHEN n %% 2 = 0 THEN 'user' ELSE 'assistant' END,
       CASE WHEN n %% 2 = 0
            THEN 'Question ' || n || ': can the search also ignore plurals, so egg finds eggs?'
            ELSE 'Answer ' || n || E'. Here is the plan.\n\n' || repeat(
                'First a GIN index on the ingredients column keeps the search fast as the '
                || 'table grows; then the API splits the terms on commas and matches all. ',
                8 + n %% 9)
                || E'\n\n```ts\n'
                || 'export async function searchRecipes' || n
                || E'(db: Pool, terms: string[]): Promise<Recipe[]> {\n'
                || E'  const words = terms.map((t) => t.trim().toLowerCase()).filter(Boolean);\n'
                || E'  const { rows } = await db.query(\n'
                || E'    `SELECT id, title, ingredients FROM recipes\n'
                || E'     WHERE ingredients @> $1::text[] ORDER BY created_at DESC LIMIT 50`,\n'
                || E'    [words.flatMap((w) => [w, w.endsWith("s") ? w.slice(0, -1) : w + "s"])],\n'
                || E'  );\n'
                || E'  return rows.map((row) => ({ ...row, score: rank(row, words) }));\n'
                || E'}\n```\n\n'
                || E'Then the migration:\n\n```bash\n'
                || E'npx prisma migrate dev --name recipe_ingredients_gin\nnpm test -- search\n'
                || E'```\n\n'
                || repeat('The tests cover singular and plural terms, empty input and a '
                          || 'thousand recipes, so the index is used and results stay ranked. ',
                          3 + n %% 5)
       END,
       CASE WHEN n %% 2 = 0 THEN '{}'::jsonb
            ELSE jsonb_build_object(
                'steps', jsonb_build_array(
                    jsonb_build_object('type', 'plan', 'items', 3),
                    jsonb_build_object('type', 'test', 'command', 'npm test', 'passed', 14)),
                'tool_calls', jsonb_build_array(
                    jsonb_build_object(
                        'name', 'write_file',
                        'arguments', jsonb_build_object('path', 'src/' || n || '.ts'))))
       END
FROM generate_series(%(first)s, %(last)s) AS n
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM chat_chat
      WHERE title LIKE 'Bench chat %%') AS c
  ON c.rank = 1 + CASE WHEN n %% 4 < 2 THEN (n / 4) %% %(chats)s
                      ELSE ((n / 4)::bigint * (n / 4)) %% %(chats)s END
"""

COUNTERS = """
UPDATE chat_chat c
SET message_count = m.messages, last_message_at = m.latest
FROM (SELECT chat_id, count(*) AS messages, max(created_at) AS latest
      FROM chat_message GROUP BY chat_id) AS m
WHERE m.chat_id = c.id AND c.title LIKE 'Bench chat %%'
"""


# Run n goes to the chat ranked 1 + n mod chats; the first chats/50 runs are the running ones,
# each in a chat of its own. Run n started n seconds ago and took 5 to 185 seconds.
RUNS = """
INSERT INTO chat_agentrun (
    id, created_at, updated_at, chat_id, run_type, status, model, input, metrics,
    error_code, error_message, started_at, finished_at, version, request_id,
    trigger_message_id, result_message_id, parent_run_id)
SELECT gen_random_uuid(), t.at, t.at + t.took, c.id, 'agent_run',
       CASE WHEN n <= %(active)s THEN 'running'
            WHEN n %% 10 = 0 THEN 'failed' ELSE 'completed' END,
       (ARRAY['anthropic/claude-sonnet-4', 'openai/gpt-5', 'deepseek/deepseek-chat'])[1 + n %% 3],
       jsonb_build_object('prompt', 'Make the header sticky, run ' || n),
       jsonb_build_object('tokens_input', 1000 + n %% 50000, 'tokens_output', 200 + n %% 4000,
                          'tool_calls', n %% 12),
       CASE WHEN n > %(active)s AND n %% 10 = 0 THEN 'tool_error' ELSE '' END,
       CASE WHEN n > %(active)s AND n %% 10 = 0 THEN 'npm test exited with 1' ELSE '' END,
       t.at, CASE WHEN n <= %(active)s THEN NULL ELSE t.at + t.took END,
       CASE WHEN n <= %(active)s THEN 1 ELSE 2 END, 'bench-run-' || n, NULL, NULL, NULL
FROM generate_series(%(first)s, %(last)s) AS n
CROSS JOIN LATERAL (
    SELECT now() - n * interval '1 second' AS at, (5 + n %% 181) * interval '1 second' AS took
) AS t
JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM chat_chat
      WHERE title LIKE 'Bench chat %%') AS c ON c.rank = 1 + n %% %(chats)s
"""


def seed(seeder):
    chats = seeder.run("chats", CHATS)
    if not chats:
        return  # no benchmark projects to chat in
    messages = seeder.sizes.messages
    seeder.run_in_batches(
        "messages", MESSAGES, messages, {"messages": messages, "chats": chats}, batches=20
    )
    seeder.run("chat counters", COUNTERS)
    runs = seeder.sizes.agent_runs
    seeder.run_in_batches(
        "agent runs", RUNS, runs, {"chats": chats, "active": max(1, chats // 50)}, batches=10
    )

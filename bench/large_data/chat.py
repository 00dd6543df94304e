"""Benchmark chats and messages for `manage.py seed_large` (PERFORMANCE.md W1).

One chat per benchmark project, and `sizes.messages` messages (2M at full scale) over them:
every chat has some, busy chats hold hundreds, and a 50-message page is about 100 KB of JSON
(short user questions alternate with long assistant answers that carry steps and tool
calls). Counters are then set from the rows, so CHT-2 holds
on the seeded data too.
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

# Half the messages are spread evenly over the chats, the other half go to the chat ranked
# 1 + n² mod chats, which piles them on some chats (the busy ones). Message n is one second
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
                      ELSE (n::bigint * n) %% %(chats)s END
"""

COUNTERS = """
UPDATE chat_chat c
SET message_count = m.messages, last_message_at = m.latest
FROM (SELECT chat_id, count(*) AS messages, max(created_at) AS latest
      FROM chat_message GROUP BY chat_id) AS m
WHERE m.chat_id = c.id AND c.title LIKE 'Bench chat %%'
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

from django.db import migrations, models


class Migration(migrations.Migration):
    """PRJ-100 and PRJ-72's unique indexes on the live deployment table, built CONCURRENTLY.

    The migration linter reads every CREATE UNIQUE INDEX on an existing table as a blocking
    change, CONCURRENTLY or not, so this migration holds these two statements alone and is
    the one the linter skips (config/settings/development.py). Neither blocks writes, and
    neither can fail on old rows: `version` is new and NULL on every one, and the narrowed
    in-progress index covers a subset of the rows the old one did.
    """

    atomic = False

    dependencies = [
        ("projects", "0009_deployment_versions_domains"),
    ]

    operations = [
        # PRJ-100: a partial unique index (NULLs are distinct anyway), built CONCURRENTLY.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="deployment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("version__isnull", False)),
                        fields=("project", "version"),
                        name="projects_deployment_version_unique",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'CREATE UNIQUE INDEX CONCURRENTLY "projects_deployment_version_unique" '
                    'ON "projects_deployment" ("project_id", "version") '
                    "WHERE version IS NOT NULL",
                    reverse_sql='DROP INDEX CONCURRENTLY "projects_deployment_version_unique"',
                ),
            ],
        ),
        # PRJ-72 narrowed to production: the new index is built beside the old one, which is
        # then dropped, so the rule holds throughout.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="deployment", name="projects_deployment_one_in_progress"
                ),
                migrations.AddConstraint(
                    model_name="deployment",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            ("environment", "production"),
                            ("status__in", ("pending", "deploying")),
                        ),
                        fields=("project", "provider"),
                        name="projects_deployment_one_in_progress",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'CREATE UNIQUE INDEX CONCURRENTLY "projects_deployment_one_in_progress_new" '
                    'ON "projects_deployment" ("project_id", "provider") '
                    "WHERE environment = 'production' AND status IN ('pending', 'deploying')",
                    reverse_sql=migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    'DROP INDEX CONCURRENTLY "projects_deployment_one_in_progress"',
                    reverse_sql=migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    'ALTER INDEX "projects_deployment_one_in_progress_new" '
                    'RENAME TO "projects_deployment_one_in_progress"',
                    reverse_sql=migrations.RunSQL.noop,
                ),
            ],
        ),
    ]

import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# The foreign keys are added NOT VALID (no scan under the ALTER's lock) and validated in a
# second statement, which scans the table without blocking its writes.
FOREIGN_KEYS = {
    "chat": ("billing_usagelog_chat_id_fk_chat_chat_id", "chat_chat"),
    "run": ("billing_usagelog_run_id_fk_chat_agentrun_id", "chat_agentrun"),
}


def usage_fk(field, to):
    return models.ForeignKey(
        blank=True,
        null=True,
        db_index=False,
        on_delete=django.db.models.deletion.SET_NULL,
        related_name="usage_logs",
        to=to,
    )


def add_column(field, to):
    """The nullable column with no default (a catalogue change, no rewrite), then its
    foreign key NOT VALID, then the validation."""
    name, table = FOREIGN_KEYS[field]
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AddField(model_name="usagelog", name=field, field=usage_fk(field, to)),
        ],
        database_operations=[
            migrations.RunSQL(
                f'ALTER TABLE "billing_usagelog" ADD COLUMN "{field}_id" uuid NULL',
                reverse_sql=f'ALTER TABLE "billing_usagelog" DROP COLUMN "{field}_id"',
            ),
            migrations.RunSQL(
                f'ALTER TABLE "billing_usagelog" ADD CONSTRAINT "{name}" FOREIGN KEY '
                f'("{field}_id") REFERENCES "{table}" ("id") DEFERRABLE INITIALLY DEFERRED '
                "NOT VALID",
                reverse_sql=migrations.RunSQL.noop,
            ),
            migrations.RunSQL(
                f'ALTER TABLE "billing_usagelog" VALIDATE CONSTRAINT "{name}"',
                reverse_sql=migrations.RunSQL.noop,
            ),
        ],
    )


class Migration(migrations.Migration):
    """BIL-70: UsageLog attributed to a chat and a run (EXTENSIONS.md §2). The usage table is
    live and large: the columns are nullable, the keys validated without blocking writes and
    the indexes built CONCURRENTLY, outside a transaction."""

    atomic = False

    dependencies = [
        ("billing", "0008_verbose_names"),
        ("chat", "0007_runs_summaries_attachments_bookmarks"),
    ]

    operations = [
        add_column("chat", "chat.chat"),
        add_column("run", "chat.agentrun"),
        AddIndexConcurrently(
            model_name="usagelog",
            index=models.Index(
                condition=models.Q(("chat__isnull", False)),
                fields=["chat", "created_at"],
                name="billing_usage_chat",
            ),
        ),
        AddIndexConcurrently(
            model_name="usagelog",
            index=models.Index(
                condition=models.Q(("run__isnull", False)),
                fields=["run"],
                name="billing_usage_run",
            ),
        ),
    ]

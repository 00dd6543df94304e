import django.db.models.deletion
from django.db import migrations, models

FK_INDEX = "projects_container_base_id_1784335f"  # the name Django gives this foreign key's index


class Migration(migrations.Migration):
    """Container.base (DATA_MODEL.md 1.7). The containers table is live and large, so the
    foreign key's index is built CONCURRENTLY, outside a transaction, under the name Django
    would give it; the column itself is nullable and added without a rewrite."""

    atomic = False

    dependencies = [
        ("marketplace", "0001_initial"),
        ("projects", "0002_grant_service_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="container",
                    name="base",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="containers",
                        to="marketplace.marketplacebase",
                    ),
                ),
            ],
            database_operations=[
                migrations.AddField(
                    model_name="container",
                    name="base",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        db_index=False,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="containers",
                        to="marketplace.marketplacebase",
                    ),
                ),
                migrations.RunSQL(
                    f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{FK_INDEX}" '
                    'ON "projects_container" ("base_id")',
                    reverse_sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{FK_INDEX}"',
                ),
            ],
        ),
    ]

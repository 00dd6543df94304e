import django.db.models.deletion
from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    ValidateConstraint,
)
import pgtrigger.compiler
import pgtrigger.migrations
import uuid
from django.conf import settings
from django.db import migrations, models


SNAPSHOT_FK = "projects_deployment_snapshot_id_f7041c2e_fk_projects_projectsnapshot_id"
EVENT_SNAPSHOT_INDEX = "projects_deploymentevent_snapshot_id_5b8b86bc"


class Migration(migrations.Migration):
    """PRJ-100 to PRJ-104 (EXTENSIONS.md §4): deployment versions, environments, timings and
    snapshots; ProjectDomain. Non-atomic: the deployment indexes are built CONCURRENTLY."""

    atomic = False

    dependencies = [
        ("pghistory", "0007_auto_20250421_0444"),
        ("projects", "0008_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectDomain",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("subdomain", models.CharField(max_length=63)),
                ("full_domain", models.CharField(max_length=253)),
                (
                    "dns_status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("active", "Active"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=7,
                    ),
                ),
                (
                    "ssl_status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("active", "Active"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=7,
                    ),
                ),
                ("provider_record_id", models.CharField(blank=True, max_length=255)),
                ("claimed_at", models.DateTimeField()),
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="domain",
                        to="projects.project",
                    ),
                ),
                (
                    "deployment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="domains",
                        to="projects.deployment",
                    ),
                ),
                (
                    "claimed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "permissions": [("release_domain", "Can release a project's domain")],
            },
        ),
        migrations.CreateModel(
            name="ProjectDomainEvent",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("subdomain", models.CharField(max_length=63)),
                ("full_domain", models.CharField(max_length=253)),
                (
                    "dns_status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("active", "Active"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=7,
                    ),
                ),
                (
                    "ssl_status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("active", "Active"),
                            ("failed", "Failed"),
                        ],
                        default="pending",
                        max_length=7,
                    ),
                ),
                ("provider_record_id", models.CharField(blank=True, max_length=255)),
                ("claimed_at", models.DateTimeField()),
            ],
            options={
                "abstract": False,
            },
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="deployment",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="deployment",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="deployment",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="deployment",
            name="build_duration_ms",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deployment",
            name="environment",
            field=models.CharField(
                choices=[("preview", "Preview"), ("production", "Production")],
                db_default="production",
                default="production",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="deployment",
            name="error_phase",
            field=models.CharField(
                blank=True,
                choices=[
                    ("upload", "Upload"),
                    ("build", "Build"),
                    ("deploy", "Deploy"),
                    ("dns", "DNS"),
                ],
                db_default="",
                default="",
                max_length=6,
            ),
        ),
        migrations.AddField(
            model_name="deployment",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deployment",
            name="version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="build_duration_ms",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="environment",
            field=models.CharField(
                choices=[("preview", "Preview"), ("production", "Production")],
                db_default="production",
                default="production",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="error_phase",
            field=models.CharField(
                blank=True,
                choices=[
                    ("upload", "Upload"),
                    ("build", "Build"),
                    ("deploy", "Deploy"),
                    ("dns", "DNS"),
                ],
                db_default="",
                default="",
                max_length=6,
            ),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deploymentevent",
            name="version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        # Deployment is live and large: the snapshot key is added NOT VALID and validated
        # without blocking writes; the checks likewise; the indexes are built CONCURRENTLY.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="deployment",
                    name="snapshot",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="deployments",
                        to="projects.projectsnapshot",
                    ),
                ),
                migrations.AddField(
                    model_name="deploymentevent",
                    name="snapshot",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="projects.projectsnapshot",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "projects_deployment" ADD COLUMN "snapshot_id" uuid NULL',
                    reverse_sql='ALTER TABLE "projects_deployment" DROP COLUMN "snapshot_id"',
                ),
                migrations.RunSQL(
                    f'ALTER TABLE "projects_deployment" ADD CONSTRAINT "{SNAPSHOT_FK}" '
                    'FOREIGN KEY ("snapshot_id") REFERENCES "projects_projectsnapshot" ("id") '
                    "DEFERRABLE INITIALLY DEFERRED NOT VALID",
                    reverse_sql=migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    f'ALTER TABLE "projects_deployment" VALIDATE CONSTRAINT "{SNAPSHOT_FK}"',
                    reverse_sql=migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    'ALTER TABLE "projects_deploymentevent" ADD COLUMN "snapshot_id" uuid NULL',
                    reverse_sql='ALTER TABLE "projects_deploymentevent" DROP COLUMN "snapshot_id"',
                ),
                migrations.RunSQL(
                    f'CREATE INDEX CONCURRENTLY "{EVENT_SNAPSHOT_INDEX}" '
                    'ON "projects_deploymentevent" ("snapshot_id")',
                    reverse_sql=f'DROP INDEX CONCURRENTLY "{EVENT_SNAPSHOT_INDEX}"',
                ),
            ],
        ),
        AddIndexConcurrently(
            model_name="deployment",
            index=models.Index(
                condition=models.Q(("snapshot__isnull", False)),
                fields=["snapshot"],
                name="projects_deployment_snapshot",
            ),
        ),
        AddConstraintNotValid(
            model_name="deployment",
            constraint=models.CheckConstraint(
                condition=models.Q(("environment__in", ["preview", "production"])),
                name="projects_deployment_environment_valid",
            ),
        ),
        ValidateConstraint(model_name="deployment", name="projects_deployment_environment_valid"),
        AddConstraintNotValid(
            model_name="deployment",
            constraint=models.CheckConstraint(
                condition=models.Q(("error_phase__in", ["", "upload", "build", "deploy", "dns"])),
                name="projects_deployment_error_phase_valid",
            ),
        ),
        ValidateConstraint(model_name="deployment", name="projects_deployment_error_phase_valid"),
        pgtrigger.migrations.AddTrigger(
            model_name="deployment",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."build_duration_ms" IS DISTINCT FROM (NEW."build_duration_ms") OR OLD."completed_at" IS DISTINCT FROM (NEW."completed_at") OR OLD."container_id" IS DISTINCT FROM (NEW."container_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."credential_id" IS DISTINCT FROM (NEW."credential_id") OR OLD."deployment_metadata" IS DISTINCT FROM (NEW."deployment_metadata") OR OLD."deployment_url" IS DISTINCT FROM (NEW."deployment_url") OR OLD."environment" IS DISTINCT FROM (NEW."environment") OR OLD."error" IS DISTINCT FROM (NEW."error") OR OLD."error_phase" IS DISTINCT FROM (NEW."error_phase") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."project_id" IS DISTINCT FROM (NEW."project_id") OR OLD."provider" IS DISTINCT FROM (NEW."provider") OR OLD."provider_deployment_id" IS DISTINCT FROM (NEW."provider_deployment_id") OR OLD."snapshot_id" IS DISTINCT FROM (NEW."snapshot_id") OR OLD."started_at" IS DISTINCT FROM (NEW."started_at") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."triggered_by_id" IS DISTINCT FROM (NEW."triggered_by_id") OR OLD."version" IS DISTINCT FROM (NEW."version"))',
                    func='INSERT INTO "projects_deploymentevent" ("build_duration_ms", "completed_at", "container_id", "created_at", "credential_id", "deployment_metadata", "deployment_url", "environment", "error", "error_phase", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "provider_deployment_id", "snapshot_id", "started_at", "status", "triggered_by_id", "version") VALUES (NEW."build_duration_ms", NEW."completed_at", NEW."container_id", NEW."created_at", NEW."credential_id", NEW."deployment_metadata", NEW."deployment_url", NEW."environment", NEW."error", NEW."error_phase", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."project_id", NEW."provider", NEW."provider_deployment_id", NEW."snapshot_id", NEW."started_at", NEW."status", NEW."triggered_by_id", NEW."version"); RETURN NULL;',
                    hash="241d1402c3ad60c830e909337d12bb3cc156f98c",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a088e",
                    table="projects_deployment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="deployment",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "projects_deploymentevent" ("build_duration_ms", "completed_at", "container_id", "created_at", "credential_id", "deployment_metadata", "deployment_url", "environment", "error", "error_phase", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "provider_deployment_id", "snapshot_id", "started_at", "status", "triggered_by_id", "version") VALUES (NEW."build_duration_ms", NEW."completed_at", NEW."container_id", NEW."created_at", NEW."credential_id", NEW."deployment_metadata", NEW."deployment_url", NEW."environment", NEW."error", NEW."error_phase", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."project_id", NEW."provider", NEW."provider_deployment_id", NEW."snapshot_id", NEW."started_at", NEW."status", NEW."triggered_by_id", NEW."version"); RETURN NULL;',
                    hash="3783ed4bd089f6c28232980647728a851bbf6d0b",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_741dc",
                    table="projects_deployment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="deployment",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "projects_deploymentevent" ("build_duration_ms", "completed_at", "container_id", "created_at", "credential_id", "deployment_metadata", "deployment_url", "environment", "error", "error_phase", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "provider_deployment_id", "snapshot_id", "started_at", "status", "triggered_by_id", "version") VALUES (OLD."build_duration_ms", OLD."completed_at", OLD."container_id", OLD."created_at", OLD."credential_id", OLD."deployment_metadata", OLD."deployment_url", OLD."environment", OLD."error", OLD."error_phase", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."project_id", OLD."provider", OLD."provider_deployment_id", OLD."snapshot_id", OLD."started_at", OLD."status", OLD."triggered_by_id", OLD."version"); RETURN NULL;',
                    hash="ca5021fe060e802732c3c7d3bb45749edcf6300c",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_279a1",
                    table="projects_deployment",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddField(
            model_name="projectdomainevent",
            name="claimed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="projectdomainevent",
            name="deployment",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="projects.deployment",
            ),
        ),
        migrations.AddField(
            model_name="projectdomainevent",
            name="pgh_context",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pghistory.context",
            ),
        ),
        migrations.AddField(
            model_name="projectdomainevent",
            name="pgh_obj",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="events",
                to="projects.projectdomain",
            ),
        ),
        migrations.AddField(
            model_name="projectdomainevent",
            name="project",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="projects.project",
            ),
        ),
        migrations.AddConstraint(
            model_name="projectdomain",
            constraint=models.CheckConstraint(
                condition=models.Q(("subdomain__regex", "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")),
                name="projects_domain_subdomain_label",
            ),
        ),
        migrations.AddConstraint(
            model_name="projectdomain",
            constraint=models.CheckConstraint(
                condition=models.Q(("dns_status__in", ["pending", "active", "failed"])),
                name="projects_domain_dns_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="projectdomain",
            constraint=models.CheckConstraint(
                condition=models.Q(("ssl_status__in", ["pending", "active", "failed"])),
                name="projects_domain_ssl_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="projectdomain",
            constraint=models.UniqueConstraint(
                fields=("subdomain",), name="projects_domain_subdomain_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="projectdomain",
            constraint=models.UniqueConstraint(
                fields=("full_domain",), name="projects_domain_full_domain_unique"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="projectdomain",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."claimed_at" IS DISTINCT FROM (NEW."claimed_at") OR OLD."claimed_by_id" IS DISTINCT FROM (NEW."claimed_by_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."deployment_id" IS DISTINCT FROM (NEW."deployment_id") OR OLD."dns_status" IS DISTINCT FROM (NEW."dns_status") OR OLD."full_domain" IS DISTINCT FROM (NEW."full_domain") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."project_id" IS DISTINCT FROM (NEW."project_id") OR OLD."provider_record_id" IS DISTINCT FROM (NEW."provider_record_id") OR OLD."ssl_status" IS DISTINCT FROM (NEW."ssl_status") OR OLD."subdomain" IS DISTINCT FROM (NEW."subdomain"))',
                    func='INSERT INTO "projects_projectdomainevent" ("claimed_at", "claimed_by_id", "created_at", "deployment_id", "dns_status", "full_domain", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider_record_id", "ssl_status", "subdomain") VALUES (NEW."claimed_at", NEW."claimed_by_id", NEW."created_at", NEW."deployment_id", NEW."dns_status", NEW."full_domain", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."project_id", NEW."provider_record_id", NEW."ssl_status", NEW."subdomain"); RETURN NULL;',
                    hash="aaa2d32a8a186b20cf87ce00bd53838d9abd0d9d",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_2d085",
                    table="projects_projectdomain",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="projectdomain",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "projects_projectdomainevent" ("claimed_at", "claimed_by_id", "created_at", "deployment_id", "dns_status", "full_domain", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider_record_id", "ssl_status", "subdomain") VALUES (NEW."claimed_at", NEW."claimed_by_id", NEW."created_at", NEW."deployment_id", NEW."dns_status", NEW."full_domain", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."project_id", NEW."provider_record_id", NEW."ssl_status", NEW."subdomain"); RETURN NULL;',
                    hash="a91d0d923ee6c8730268e85635f50d87e05b614c",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_42303",
                    table="projects_projectdomain",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="projectdomain",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "projects_projectdomainevent" ("claimed_at", "claimed_by_id", "created_at", "deployment_id", "dns_status", "full_domain", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider_record_id", "ssl_status", "subdomain") VALUES (OLD."claimed_at", OLD."claimed_by_id", OLD."created_at", OLD."deployment_id", OLD."dns_status", OLD."full_domain", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."project_id", OLD."provider_record_id", OLD."ssl_status", OLD."subdomain"); RETURN NULL;',
                    hash="cad9a6bcfcfd88cbafe860bacbc4d4ae3057a369",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_8e3b1",
                    table="projects_projectdomain",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="projectdomainevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="026781f24365c1e986fa2377a2e87fc8301c1b22",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_29c59",
                    table="projects_projectdomainevent",
                    when="BEFORE",
                ),
            ),
        ),
    ]

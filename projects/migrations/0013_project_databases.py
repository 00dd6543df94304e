import config.validators
import django.db.models.deletion
import django_cryptography.fields
import pgtrigger.compiler
import pgtrigger.migrations
import projects.validators
import uuid
from django.db import migrations, models

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    """PRJ-120 to PRJ-122 (EXTENSIONS.md §12): ProjectDatabase, a new table; Support reads it
    (masked)."""

    dependencies = [
        ('pghistory', '0007_auto_20250421_0444'),
        ('projects', '0012_connector_credentials'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProjectDatabase',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('provider', models.CharField(choices=[('neon', 'Neon'), ('supabase', 'Supabase'), ('postgres', 'PostgreSQL')], max_length=8)),
                ('connection_string', django_cryptography.fields.encrypt(models.TextField())),
                ('connection_string_last4', models.CharField(blank=True, max_length=4)),
                ('host', models.CharField(blank=True, max_length=255)),
                ('database_name', models.CharField(max_length=63)),
                ('role_name', models.CharField(blank=True, max_length=63)),
                ('branch_name', models.CharField(blank=True, max_length=255)),
                ('is_active', models.BooleanField(default=True)),
                ('metadata', models.JSONField(blank=True, default=dict, validators=[config.validators.JsonValidator(rules=(projects.validators.validate_provider_metadata,))])),
                ('container', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='databases', to='projects.container')),
                ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='databases', to='projects.project')),
            ],
        ),
        migrations.CreateModel(
            name='ProjectDatabaseEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('provider', models.CharField(choices=[('neon', 'Neon'), ('supabase', 'Supabase'), ('postgres', 'PostgreSQL')], max_length=8)),
                ('connection_string_last4', models.CharField(blank=True, max_length=4)),
                ('host', models.CharField(blank=True, max_length=255)),
                ('database_name', models.CharField(max_length=63)),
                ('role_name', models.CharField(blank=True, max_length=63)),
                ('branch_name', models.CharField(blank=True, max_length=255)),
                ('is_active', models.BooleanField(default=True)),
                ('metadata', models.JSONField(blank=True, default=dict, validators=[config.validators.JsonValidator(rules=(projects.validators.validate_provider_metadata,))])),
                ('container', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='projects.container')),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='projects.projectdatabase')),
                ('project', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='projects.project')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddConstraint(
            model_name='projectdatabase',
            constraint=models.CheckConstraint(condition=models.Q(('provider__in', ['neon', 'supabase', 'postgres'])), name='projects_database_provider_valid'),
        ),
        migrations.AddConstraint(
            model_name='projectdatabase',
            constraint=models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('project', 'provider', 'database_name'), name='projects_database_active_unique'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='projectdatabase',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."branch_name" IS DISTINCT FROM (NEW."branch_name") OR OLD."connection_string_last4" IS DISTINCT FROM (NEW."connection_string_last4") OR OLD."container_id" IS DISTINCT FROM (NEW."container_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."database_name" IS DISTINCT FROM (NEW."database_name") OR OLD."host" IS DISTINCT FROM (NEW."host") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."is_active" IS DISTINCT FROM (NEW."is_active") OR OLD."metadata" IS DISTINCT FROM (NEW."metadata") OR OLD."project_id" IS DISTINCT FROM (NEW."project_id") OR OLD."provider" IS DISTINCT FROM (NEW."provider") OR OLD."role_name" IS DISTINCT FROM (NEW."role_name"))', func='INSERT INTO "projects_projectdatabaseevent" ("branch_name", "connection_string_last4", "container_id", "created_at", "database_name", "host", "id", "is_active", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "role_name") VALUES (NEW."branch_name", NEW."connection_string_last4", NEW."container_id", NEW."created_at", NEW."database_name", NEW."host", NEW."id", NEW."is_active", NEW."metadata", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."project_id", NEW."provider", NEW."role_name"); RETURN NULL;', hash='1bbac72304ed17309d43137f8c55ee7be37ad6e2', operation='UPDATE', pgid='pgtrigger_update_update_d7ac8', table='projects_projectdatabase', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='projectdatabase',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "projects_projectdatabaseevent" ("branch_name", "connection_string_last4", "container_id", "created_at", "database_name", "host", "id", "is_active", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "role_name") VALUES (NEW."branch_name", NEW."connection_string_last4", NEW."container_id", NEW."created_at", NEW."database_name", NEW."host", NEW."id", NEW."is_active", NEW."metadata", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."project_id", NEW."provider", NEW."role_name"); RETURN NULL;', hash='39e58e7d8eca0471eb5ce0396fb4fec328789811', operation='INSERT', pgid='pgtrigger_insert_insert_63721', table='projects_projectdatabase', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='projectdatabase',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "projects_projectdatabaseevent" ("branch_name", "connection_string_last4", "container_id", "created_at", "database_name", "host", "id", "is_active", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "role_name") VALUES (OLD."branch_name", OLD."connection_string_last4", OLD."container_id", OLD."created_at", OLD."database_name", OLD."host", OLD."id", OLD."is_active", OLD."metadata", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."project_id", OLD."provider", OLD."role_name"); RETURN NULL;', hash='1efd257ddbcc1a512d332c326afb07c164006a87', operation='DELETE', pgid='pgtrigger_delete_delete_a5581', table='projects_projectdatabase', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='projectdatabase',
            trigger=pgtrigger.compiler.Trigger(name='secret_change_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."connection_string" IS DISTINCT FROM NEW."connection_string")', func='INSERT INTO "projects_projectdatabaseevent" ("branch_name", "connection_string_last4", "container_id", "created_at", "database_name", "host", "id", "is_active", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "project_id", "provider", "role_name") VALUES (NEW."branch_name", NEW."connection_string_last4", NEW."container_id", NEW."created_at", NEW."database_name", NEW."host", NEW."id", NEW."is_active", NEW."metadata", _pgh_attach_context(), NOW(), \'secret_change\', NEW."id", NEW."project_id", NEW."provider", NEW."role_name"); RETURN NULL;', hash='3f971889fa8c2197eed2f59917318f3db7474af6', operation='UPDATE', pgid='pgtrigger_secret_change_update_a1c46', table='projects_projectdatabase', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='projectdatabaseevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='7bd8a7c1030925401727bd51087790193b21d83a', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_e4824', table='projects_projectdatabaseevent', when='BEFORE')),
        ),
        grant_to_group(SUPPORT_GROUP, "projects", ["view_projectdatabase"]),
    ]

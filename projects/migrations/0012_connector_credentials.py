import config.validators
import django.db.models.deletion
import django_cryptography.fields
import pgtrigger.compiler
import pgtrigger.migrations
import projects.validators
import uuid
from django.conf import settings
from django.db import migrations, models

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    """PRJ-110 to PRJ-113 (EXTENSIONS.md §9): ConnectorCredential, a new table; Support reads
    it (masked)."""

    dependencies = [
        ('pghistory', '0007_auto_20250421_0444'),
        ('projects', '0011_grant_domains'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConnectorCredential',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('connector_type', models.CharField(choices=[('google_drive', 'Google Drive'), ('slack', 'Slack'), ('notion', 'Notion'), ('github_app', 'GitHub app'), ('composio', 'Composio')], max_length=12)),
                ('account_label', models.CharField(max_length=255)),
                ('access_token', django_cryptography.fields.encrypt(models.TextField())),
                ('access_token_last4', models.CharField(blank=True, max_length=4)),
                ('refresh_token', django_cryptography.fields.encrypt(models.TextField(blank=True, null=True))),
                ('refresh_token_last4', models.CharField(blank=True, max_length=4)),
                ('token_expires_at', models.DateTimeField(blank=True, null=True)),
                ('scope', models.CharField(blank=True, max_length=500)),
                ('token_digest', models.CharField(editable=False, max_length=64)),
                ('endpoint_url', django_cryptography.fields.encrypt(models.TextField(blank=True))),
                ('endpoint_url_last4', models.CharField(blank=True, max_length=4)),
                ('metadata', models.JSONField(blank=True, default=dict, validators=[config.validators.JsonValidator(rules=(projects.validators.validate_provider_metadata,))])),
                ('enabled_tools', models.JSONField(blank=True, default=list, validators=[config.validators.JsonValidator(kind=list)])),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('active', 'Active'), ('needs_reauth', 'Needs reauthorization'), ('revoked', 'Revoked')], default='pending', max_length=12)),
                ('is_default', models.BooleanField(default=False)),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='connector_credentials', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='ConnectorCredentialEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('connector_type', models.CharField(choices=[('google_drive', 'Google Drive'), ('slack', 'Slack'), ('notion', 'Notion'), ('github_app', 'GitHub app'), ('composio', 'Composio')], max_length=12)),
                ('account_label', models.CharField(max_length=255)),
                ('access_token_last4', models.CharField(blank=True, max_length=4)),
                ('refresh_token_last4', models.CharField(blank=True, max_length=4)),
                ('token_expires_at', models.DateTimeField(blank=True, null=True)),
                ('scope', models.CharField(blank=True, max_length=500)),
                ('endpoint_url_last4', models.CharField(blank=True, max_length=4)),
                ('metadata', models.JSONField(blank=True, default=dict, validators=[config.validators.JsonValidator(rules=(projects.validators.validate_provider_metadata,))])),
                ('enabled_tools', models.JSONField(blank=True, default=list, validators=[config.validators.JsonValidator(kind=list)])),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('active', 'Active'), ('needs_reauth', 'Needs reauthorization'), ('revoked', 'Revoked')], default='pending', max_length=12)),
                ('is_default', models.BooleanField(default=False)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='projects.connectorcredential')),
                ('user', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddConstraint(
            model_name='connectorcredential',
            constraint=models.CheckConstraint(condition=models.Q(('connector_type__in', ['google_drive', 'slack', 'notion', 'github_app', 'composio'])), name='projects_connector_connector_type_valid'),
        ),
        migrations.AddConstraint(
            model_name='connectorcredential',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'active', 'needs_reauth', 'revoked'])), name='projects_connector_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='connectorcredential',
            constraint=models.UniqueConstraint(fields=('user', 'connector_type', 'account_label'), name='projects_connector_unique'),
        ),
        migrations.AddConstraint(
            model_name='connectorcredential',
            constraint=models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('user', 'connector_type'), name='projects_connector_one_default'),
        ),
        migrations.AddConstraint(
            model_name='connectorcredential',
            constraint=models.UniqueConstraint(fields=('token_digest',), name='projects_connector_token_digest_unique'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='connectorcredential',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."access_token_last4" IS DISTINCT FROM (NEW."access_token_last4") OR OLD."account_label" IS DISTINCT FROM (NEW."account_label") OR OLD."connector_type" IS DISTINCT FROM (NEW."connector_type") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."enabled_tools" IS DISTINCT FROM (NEW."enabled_tools") OR OLD."endpoint_url_last4" IS DISTINCT FROM (NEW."endpoint_url_last4") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."is_default" IS DISTINCT FROM (NEW."is_default") OR OLD."metadata" IS DISTINCT FROM (NEW."metadata") OR OLD."refresh_token_last4" IS DISTINCT FROM (NEW."refresh_token_last4") OR OLD."scope" IS DISTINCT FROM (NEW."scope") OR OLD."status" IS DISTINCT FROM (NEW."status") OR OLD."token_expires_at" IS DISTINCT FROM (NEW."token_expires_at") OR OLD."user_id" IS DISTINCT FROM (NEW."user_id"))', func='INSERT INTO "projects_connectorcredentialevent" ("access_token_last4", "account_label", "connector_type", "created_at", "enabled_tools", "endpoint_url_last4", "id", "is_default", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refresh_token_last4", "scope", "status", "token_expires_at", "user_id") VALUES (NEW."access_token_last4", NEW."account_label", NEW."connector_type", NEW."created_at", NEW."enabled_tools", NEW."endpoint_url_last4", NEW."id", NEW."is_default", NEW."metadata", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."refresh_token_last4", NEW."scope", NEW."status", NEW."token_expires_at", NEW."user_id"); RETURN NULL;', hash='c52b746aabd6a0f89b9344b28c2325ac1b6600bd', operation='UPDATE', pgid='pgtrigger_update_update_ebafd', table='projects_connectorcredential', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='connectorcredential',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "projects_connectorcredentialevent" ("access_token_last4", "account_label", "connector_type", "created_at", "enabled_tools", "endpoint_url_last4", "id", "is_default", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refresh_token_last4", "scope", "status", "token_expires_at", "user_id") VALUES (NEW."access_token_last4", NEW."account_label", NEW."connector_type", NEW."created_at", NEW."enabled_tools", NEW."endpoint_url_last4", NEW."id", NEW."is_default", NEW."metadata", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."refresh_token_last4", NEW."scope", NEW."status", NEW."token_expires_at", NEW."user_id"); RETURN NULL;', hash='e0107bf9ca90a11fd2fa1e036fb85971f3bfea9e', operation='INSERT', pgid='pgtrigger_insert_insert_edbdc', table='projects_connectorcredential', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='connectorcredential',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "projects_connectorcredentialevent" ("access_token_last4", "account_label", "connector_type", "created_at", "enabled_tools", "endpoint_url_last4", "id", "is_default", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refresh_token_last4", "scope", "status", "token_expires_at", "user_id") VALUES (OLD."access_token_last4", OLD."account_label", OLD."connector_type", OLD."created_at", OLD."enabled_tools", OLD."endpoint_url_last4", OLD."id", OLD."is_default", OLD."metadata", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."refresh_token_last4", OLD."scope", OLD."status", OLD."token_expires_at", OLD."user_id"); RETURN NULL;', hash='f857ed8ebb1bf7e4d2cbafcfeff819c078e80feb', operation='DELETE', pgid='pgtrigger_delete_delete_eaa54', table='projects_connectorcredential', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='connectorcredential',
            trigger=pgtrigger.compiler.Trigger(name='secret_change_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."access_token" IS DISTINCT FROM NEW."access_token" OR OLD."refresh_token" IS DISTINCT FROM NEW."refresh_token" OR OLD."token_digest" IS DISTINCT FROM NEW."token_digest" OR OLD."endpoint_url" IS DISTINCT FROM NEW."endpoint_url")', func='INSERT INTO "projects_connectorcredentialevent" ("access_token_last4", "account_label", "connector_type", "created_at", "enabled_tools", "endpoint_url_last4", "id", "is_default", "metadata", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "refresh_token_last4", "scope", "status", "token_expires_at", "user_id") VALUES (NEW."access_token_last4", NEW."account_label", NEW."connector_type", NEW."created_at", NEW."enabled_tools", NEW."endpoint_url_last4", NEW."id", NEW."is_default", NEW."metadata", _pgh_attach_context(), NOW(), \'secret_change\', NEW."id", NEW."refresh_token_last4", NEW."scope", NEW."status", NEW."token_expires_at", NEW."user_id"); RETURN NULL;', hash='d02bd68d1a44c10cf1324be01989a8b512b381a9', operation='UPDATE', pgid='pgtrigger_secret_change_update_ae1a4', table='projects_connectorcredential', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='connectorcredentialevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='bf15ede5210e747e51f2b1e6f90bc4f2448c69f5', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_ffc2f', table='projects_connectorcredentialevent', when='BEFORE')),
        ),
        grant_to_group(SUPPORT_GROUP, "projects", ["view_connectorcredential"]),
    ]

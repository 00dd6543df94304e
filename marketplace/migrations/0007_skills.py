import config.validators
import django.db.models.deletion
import django.db.models.lookups
import pgtrigger.compiler
import pgtrigger.migrations
import projects.models.common
import uuid
from django.conf import settings
from django.db import migrations, models

from config.roles import CURATORS_GROUP, grant_to_group


class Migration(migrations.Migration):
    """MKT-60 to MKT-63 (EXTENSIONS.md §10): Skill, a new table; Marketplace curators read
    every skill and switch one on or off."""

    dependencies = [
        ('marketplace', '0006_free_install_key'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Skill',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('name', models.CharField(max_length=64)),
                ('description', models.TextField(blank=True)),
                ('source', models.CharField(choices=[('builtin', 'Built-in'), ('github', 'GitHub'), ('custom', 'Custom')], default='custom', max_length=7)),
                ('source_url', models.URLField(blank=True, max_length=500, validators=[config.validators.validate_public_https_url])),
                ('content', models.TextField(help_text='The SKILL.md text, at most 256 KiB.')),
                ('allowed_tools', models.JSONField(blank=True, default=list, validators=[config.validators.JsonValidator(kind=list)])),
                ('license', models.CharField(blank=True, max_length=500)),
                ('compatibility', models.CharField(blank=True, max_length=500)),
                ('is_enabled', models.BooleanField(default=True)),
                ('owner', models.ForeignKey(blank=True, help_text='Empty for a built-in skill.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='skills', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='SkillEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('name', models.CharField(max_length=64)),
                ('description', models.TextField(blank=True)),
                ('source', models.CharField(choices=[('builtin', 'Built-in'), ('github', 'GitHub'), ('custom', 'Custom')], default='custom', max_length=7)),
                ('source_url', models.URLField(blank=True, max_length=500, validators=[config.validators.validate_public_https_url])),
                ('content', models.TextField(help_text='The SKILL.md text, at most 256 KiB.')),
                ('allowed_tools', models.JSONField(blank=True, default=list, validators=[config.validators.JsonValidator(kind=list)])),
                ('license', models.CharField(blank=True, max_length=500)),
                ('compatibility', models.CharField(blank=True, max_length=500)),
                ('is_enabled', models.BooleanField(default=True)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, help_text='Empty for a built-in skill.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='marketplace.skill')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddConstraint(
            model_name='skill',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['builtin', 'github', 'custom'])), name='marketplace_skill_source_valid'),
        ),
        migrations.AddConstraint(
            model_name='skill',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('owner__isnull', True), ('source', 'builtin')), models.Q(models.Q(('source', 'builtin'), _negated=True), ('owner__isnull', False)), _connector='OR'), name='marketplace_skill_builtin_iff_no_owner'),
        ),
        migrations.AddConstraint(
            model_name='skill',
            constraint=models.CheckConstraint(condition=models.Q(('name__regex', '^[a-z0-9]+(-[a-z0-9]+)*$')), name='marketplace_skill_name_slug'),
        ),
        migrations.AddConstraint(
            model_name='skill',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(projects.models.common.OctetLength('description'), 1024), name='marketplace_skill_description_max'),
        ),
        migrations.AddConstraint(
            model_name='skill',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(projects.models.common.OctetLength('content'), 262144), name='marketplace_skill_content_max'),
        ),
        migrations.AddConstraint(
            model_name='skill',
            constraint=models.UniqueConstraint(fields=('owner', 'name'), name='marketplace_skill_unique', nulls_distinct=False),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='skill',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."allowed_tools" IS DISTINCT FROM (NEW."allowed_tools") OR OLD."compatibility" IS DISTINCT FROM (NEW."compatibility") OR OLD."content" IS DISTINCT FROM (NEW."content") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."description" IS DISTINCT FROM (NEW."description") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."is_enabled" IS DISTINCT FROM (NEW."is_enabled") OR OLD."license" IS DISTINCT FROM (NEW."license") OR OLD."name" IS DISTINCT FROM (NEW."name") OR OLD."owner_id" IS DISTINCT FROM (NEW."owner_id") OR OLD."source" IS DISTINCT FROM (NEW."source") OR OLD."source_url" IS DISTINCT FROM (NEW."source_url"))', func='INSERT INTO "marketplace_skillevent" ("allowed_tools", "compatibility", "content", "created_at", "description", "id", "is_enabled", "license", "name", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "source", "source_url") VALUES (NEW."allowed_tools", NEW."compatibility", NEW."content", NEW."created_at", NEW."description", NEW."id", NEW."is_enabled", NEW."license", NEW."name", NEW."owner_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."source", NEW."source_url"); RETURN NULL;', hash='902e31931aed653523e1844003f91471ea275471', operation='UPDATE', pgid='pgtrigger_update_update_685b2', table='marketplace_skill', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='skill',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_skillevent" ("allowed_tools", "compatibility", "content", "created_at", "description", "id", "is_enabled", "license", "name", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "source", "source_url") VALUES (NEW."allowed_tools", NEW."compatibility", NEW."content", NEW."created_at", NEW."description", NEW."id", NEW."is_enabled", NEW."license", NEW."name", NEW."owner_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."source", NEW."source_url"); RETURN NULL;', hash='39208b5e22f611a3fa4e0cd15de1ed4fd36603ce', operation='INSERT', pgid='pgtrigger_insert_insert_b7bb0', table='marketplace_skill', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='skill',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "marketplace_skillevent" ("allowed_tools", "compatibility", "content", "created_at", "description", "id", "is_enabled", "license", "name", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "source", "source_url") VALUES (OLD."allowed_tools", OLD."compatibility", OLD."content", OLD."created_at", OLD."description", OLD."id", OLD."is_enabled", OLD."license", OLD."name", OLD."owner_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."source", OLD."source_url"); RETURN NULL;', hash='e8d0a090e52fd2943e32f56fa35d471f8acfa6d0', operation='DELETE', pgid='pgtrigger_delete_delete_5bd13', table='marketplace_skill', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='skillevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='088277e9abf5616fc04d606cd1660700dfd396a4', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_71cab', table='marketplace_skillevent', when='BEFORE')),
        ),
        grant_to_group(CURATORS_GROUP, "marketplace", ["view_skill", "change_skill"]),
    ]

"""The groups behind the moderator, service and staff roles (DATA_MODEL.md ACC-9, issue 11),
and the migration operation each app uses to grant its own permissions to them."""

from django.db import migrations

MODERATORS_GROUP = "Moderators"
SERVICE_ACCOUNTS_GROUP = "Service accounts"
# The staff roles (issue 11, docs/roles.md): a staff member has `is_staff` and one of these.
SUPPORT_GROUP = "Support"
BILLING_GROUP = "Billing"
CURATORS_GROUP = "Marketplace curators"

SERVICE_PERMISSIONS = (
    "chat.record_messages",
    "chat.record_command_logs",
    "chat.manage_shell_sessions",
    "chat.record_runs",
    "billing.charge_usage",
    "projects.report_runtime_state",
)


def is_service_account(user):
    """A user holding any of the service permissions (superusers hold them all)."""
    return any(user.has_perm(permission) for permission in SERVICE_PERMISSIONS)


def grant_to_group(group_name, app_label, codenames):
    """A data-migration operation: get or create `group_name` and give it these permissions.

    Django creates permissions only after every migration has run, so a fresh database has none
    yet: the operation creates the app's permissions first.
    """

    def forwards(apps, schema_editor):
        from django.contrib.auth.management import create_permissions

        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
        Group = apps.get_model("auth", "Group")  # named as the migration linter expects
        Permission = apps.get_model("auth", "Permission")
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )

    def backwards(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )

    return migrations.RunPython(forwards, backwards)

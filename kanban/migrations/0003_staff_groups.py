"""Support reads boards and tasks (issue 11)."""

from django.db import migrations

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("kanban", "0002_audit_history"),
    ]

    operations = [
        grant_to_group(SUPPORT_GROUP, "kanban", ["view_kanbanboard", "view_kanbantask"]),
    ]

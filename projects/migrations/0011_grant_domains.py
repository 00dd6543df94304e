"""Support reads project domains and releases one on a takedown (`projects.release_domain`,
issue 24)."""

from django.db import migrations

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_deployment_unique_indexes"),
    ]

    operations = [
        grant_to_group(SUPPORT_GROUP, "projects", ["view_projectdomain", "release_domain"]),
    ]

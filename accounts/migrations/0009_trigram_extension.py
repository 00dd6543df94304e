from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, for the admin's contains-search indexes (config.models.contains_index). A
    trusted extension (PostgreSQL 13+): the database's owner may create it, no superuser
    needed; creating it takes no lock on any table."""

    dependencies = [
        ("accounts", "0008_verbose_names"),
    ]

    operations = [TrigramExtension()]

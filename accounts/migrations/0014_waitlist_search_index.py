import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    """The waitlist's contains-search index (config.models.contains_index), built CONCURRENTLY
    like every index the admin's search reads (0010)."""

    atomic = False

    dependencies = [
        ('accounts', '0013_waitlist'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='waitlistentry',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('email'), name='gin_trgm_ops'), name='accounts_waitlistentry_search'),
        ),
    ]

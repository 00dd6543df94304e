import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    """The admin's contains-search index (config.models.contains_index), built CONCURRENTLY on
    the live table."""

    atomic = False


    dependencies = [
        ('accounts', '0009_trigram_extension'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='user',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('email'), name='gin_trgm_ops'), django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name'), name='gin_trgm_ops'), django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('username'), name='gin_trgm_ops'), name='accounts_user_search'),
        ),
    ]

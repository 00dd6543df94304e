import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    """The admin's contains-search index (config.models.contains_index), built CONCURRENTLY on
    the live table."""

    atomic = False


    dependencies = [
        ("accounts", "0009_trigram_extension"),
        ('projects', '0007_bounded_json'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='project',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('name'), name='gin_trgm_ops'), django.contrib.postgres.indexes.OpClass(django.db.models.functions.text.Upper('slug'), name='gin_trgm_ops'), name='projects_project_search'),
        ),
    ]

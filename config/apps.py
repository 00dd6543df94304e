from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project-wide building blocks; installed so its management commands are found, and
    so every database connection reads timestamps with `config.timestamps`."""

    name = "config"
    verbose_name = "Studio"

    def ready(self):
        from django.db.backends.signals import connection_created

        from config.timestamps import use_fast_timestamps

        connection_created.connect(use_fast_timestamps, dispatch_uid="config.timestamps")

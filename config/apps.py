from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project-wide building blocks; installed so its management commands are found."""

    name = "config"
    verbose_name = "Studio"

    def ready(self):
        from config import schema  # noqa: F401 - registers the OpenAPI serializer field extension

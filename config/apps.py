from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project-wide building blocks; installed so its management commands are found."""

    name = "config"
    verbose_name = "Studio"

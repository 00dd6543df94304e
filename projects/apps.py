from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        # Registers the domain errors that answer constraint races (config.exceptions).
        from projects import errors  # noqa: F401

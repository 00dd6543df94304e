from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConfigConfig(AppConfig):
    """The project-wide building blocks; installed so its management commands are found."""

    name = "config"
    verbose_name = "Studio"

    def ready(self):
        from django.contrib import admin
        from pghistory.models import Events

        from config import schema  # noqa: F401 - registers the OpenAPI authentication extension
        from config.history import EventsAdmin

        # The audit history's list across models (config/history.py). pghistory's own admin
        # app is not installed: it shows every model's events to whoever opens it.
        admin.site.register(Events, EventsAdmin)


class StudioAdminConfig(admin_apps.AdminConfig):
    """Django admin with the back office's site (config/admin_site.py) as `admin.site`."""

    default = False
    default_site = "config.admin_site.StudioAdminSite"

    def ready(self):
        super().ready()
        from config.admin import link_related_rows_only_where_allowed

        link_related_rows_only_where_allowed()

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from pghistory.apps import PGHistoryConfig


class BackofficeConfig(AppConfig):
    """The back office above the seven apps: the admin site, its home page, the audit history
    as staff read it, and the admins that compose several apps (backoffice/admin.py)."""

    name = "backoffice"
    verbose_name = "Back office"


class StudioAdminConfig(admin_apps.AdminConfig):
    """Django admin with the back office's site (backoffice/site.py) as `admin.site`."""

    default = False
    default_site = "backoffice.site.StudioAdminSite"

    def ready(self):
        super().ready()
        from config.admin import link_related_rows_only_where_allowed

        link_related_rows_only_where_allowed()


class AuditHistoryConfig(PGHistoryConfig):
    """django-pghistory under the name staff read on the admin home (its own is "Pghistory")."""

    verbose_name = "Audit history"

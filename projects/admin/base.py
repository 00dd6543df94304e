"""Building blocks of the projects admin."""

from django.contrib import admin
from django.db import models

from config.admin import LargeTableMixin, ReadOnlyInline

# URLs are https only (R18); the form field should assume it too.
HTTPS_URL_INPUTS = {models.URLField: {"assume_scheme": "https"}}


def adopt(form_instance, saved):
    """Lets the admin's add view carry on with the row a service created for its form."""
    form_instance.pk = saved.pk
    form_instance.refresh_from_db()


class ProjectsModelAdmin(LargeTableMixin, admin.ModelAdmin):
    """Changelists that never count a whole table, and https-only URL inputs."""

    formfield_overrides = HTTPS_URL_INPUTS


class LinkedReadOnlyInline(ReadOnlyInline):
    formfield_overrides = HTTPS_URL_INPUTS
    show_change_link = True

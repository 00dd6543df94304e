"""Where the generated references read from: the repository and the project's own apps."""

from pathlib import Path

from django.apps import apps
from django.conf import settings


def repository_root():
    return Path(settings.BASE_DIR)


def project_apps():
    """The installed apps whose code lives in this repository, in INSTALLED_APPS order (the
    order the apps depend on one another). Each is a top-level folder of the repository;
    Django's and third-party apps live elsewhere (a virtualenv inside the checkout included)."""
    root = repository_root()
    return [config for config in apps.get_app_configs() if Path(config.path).parent == root]


def relative(path):
    """A path as the docs print it: from the repository root, with forward slashes."""
    return Path(path).relative_to(repository_root()).as_posix()

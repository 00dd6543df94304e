"""The back office tests' shared data: the demo data set, topped up to a row of every model
the admin registers."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction

from accounts.models import AccessToken, CodePurpose
from accounts.services import code_issue
from tests.accounts.factories import OAuthAccountFactory
from tests.billing.factories import UserAPIKeyFactory, UserCustomModelFactory
from tests.chat.factories import ShellSessionFactory
from tests.factories import UserFactory
from tests.kanban.factories import KanbanTaskCommentFactory
from tests.marketplace.factories import BaseReviewFactory, CoInstallFactory
from tests.projects.factories import (
    BrowserPreviewFactory,
    ProjectAssetFactory,
    ProjectSnapshotFactory,
)

# Rows the demo data set has none of.
TOP_UP = {
    "accounts.AccessToken": lambda: AccessToken.issue(
        user=UserFactory(), ttl=timedelta(days=1), name="matrix"
    ),
    "accounts.EmailVerificationCode": lambda: code_issue(
        user=UserFactory(), purpose=CodePurpose.PASSWORD_RESET
    ),
    "accounts.OAuthAccount": OAuthAccountFactory,
    "billing.UserAPIKey": UserAPIKeyFactory,
    "billing.UserCustomModel": UserCustomModelFactory,
    "chat.ShellSession": ShellSessionFactory,
    "kanban.KanbanTaskComment": KanbanTaskCommentFactory,
    "marketplace.AgentCoInstall": CoInstallFactory,
    "marketplace.BaseReview": BaseReviewFactory,
    "projects.BrowserPreview": BrowserPreviewFactory,
    "projects.ProjectAsset": ProjectAssetFactory,
    "projects.ProjectSnapshot": ProjectSnapshotFactory,
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo data set and a row of each model it lacks, loaded once for the module and
    rolled back after it; each test runs in a savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
        for model in admin.site._registry:
            if model._meta.label in TOP_UP and not model._default_manager.exists():
                TOP_UP[model._meta.label]()
        yield
        transaction.set_rollback(True)

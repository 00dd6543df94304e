"""The admin home's figures (issue 11): what staff look at first.

Each tile is one aggregate over one filter, and that filter is also the query string of the
changelist the tile links to, so the number and the rows behind it cannot disagree. Each query
is backed by an index (tests/backoffice/test_dashboard.py EXPLAINs them with sequential scans
off), so the page stays fast with millions of rows. A tile shows only to staff who may view its
model.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing.models import BilledStatus, CreditPurchase, UsageLog
from config.admin import may_view, money
from feedback.models import FeedbackPost, FeedbackStatus
from projects.models import Deployment, DeploymentStatus, EnvironmentStatus, Project


@dataclass(frozen=True)
class Tile:
    label: str
    model: type
    filters: dict
    total: object = Count("pk")
    is_money: bool = False  # a sum of cents

    def value(self):
        return self.model.objects.filter(**self.filters).aggregate(value=self.total)["value"] or 0

    def shown(self, value):
        """The figure as staff read it: "$1,234.56" for money, "1,234" for a count."""
        return money(value) if self.is_money else f"{value:,}"

    def url(self):
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{changelist}?{urlencode(self.filters)}"


def days(field, start, end):
    """A date range as Django admin's date filter writes it, so the changelist shows it
    selected ("Today", "Past 7 days")."""
    return {f"{field}__gte": str(start), f"{field}__lt": str(end)}


def tiles():
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + timedelta(days=1)
    past_week = today - timedelta(days=7)
    return [
        Tile("Sign-ups today", User, days("created_at", today, tomorrow)),
        Tile("Sign-ups, past 7 days", User, days("created_at", past_week, tomorrow)),
        Tile("Active projects", Project, {"environment_status__exact": EnvironmentStatus.ACTIVE}),
        Tile(
            "Hibernated projects",
            Project,
            {"environment_status__exact": EnvironmentStatus.HIBERNATED},
        ),
        Tile(
            "Credits charged today",
            UsageLog,
            days("created_at", today, tomorrow),
            Sum("credits_charged"),
            is_money=True,
        ),
        Tile(
            "Credits purchased today",
            CreditPurchase,
            days("completed_at", today, tomorrow),
            Sum("credits_amount"),
            is_money=True,
        ),
        Tile(
            "Shortfalls outstanding",
            UsageLog,
            {"billed_status__exact": BilledStatus.PENDING},
            Sum("shortfall_cents"),
            is_money=True,
        ),
        Tile(
            "Failed deployments, past 7 days",
            Deployment,
            {"status__exact": DeploymentStatus.FAILED, **days("created_at", past_week, tomorrow)},
        ),
        Tile(
            "Feedback open (moderation queue)", FeedbackPost, {"status__exact": FeedbackStatus.OPEN}
        ),
        Tile(
            "Feedback in progress",
            FeedbackPost,
            {"status__exact": FeedbackStatus.IN_PROGRESS},
        ),
    ]


def tiles_for(request):
    """The tiles whose changelist this staff member may open (the admin's one rule for links,
    `config.admin.may_view`), with their values."""
    shown = []
    for tile in tiles():
        if may_view(request, tile.model):
            value = tile.value()
            shown.append(
                {"label": tile.label, "value": value, "shown": tile.shown(value), "url": tile.url()}
            )
    return shown

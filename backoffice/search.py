"""The admin home's search box (issue 22): one term looked up in users, projects and chats at
once, each by its own changelist's search (index-backed, PERFORMANCE.md W8), for the staff
member who does not yet know which list holds what they are after."""

from urllib.parse import urlencode

from django.urls import reverse

from accounts.models import User
from chat.models import Chat
from config.admin import admin_link, admin_of, may_view
from projects.models import Project

SEARCHED = (User, Project, Chat)
SHOWN = 10


def search_everywhere(request, term):
    """Per searched model the viewer may view: the first `SHOWN` rows its changelist's search
    finds (unordered, so each is the bitmap of index scans the search is built as, never a
    walk down an ordering index), and the link to that changelist searched."""
    found = []
    for model in SEARCHED:
        if not may_view(request, model):
            continue
        model_admin = admin_of(model)
        queryset, _ = model_admin.get_search_results(
            request, model_admin.get_queryset(request), term
        )
        rows = sorted(queryset.order_by()[:SHOWN], key=str)
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        found.append(
            {
                "name": opts.verbose_name_plural.capitalize(),
                "rows": [admin_link(model, row.pk, str(row)) for row in rows],
                "more": len(rows) == SHOWN,
                "changelist": f"{changelist}?{urlencode({'q': term})}",
            }
        )
    return found

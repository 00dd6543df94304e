"""Reads that depend on the caller (STYLE.md): the related-agents list (MKT-52)."""

from django.db.models import OuterRef, Subquery

from marketplace.models import AgentCoInstall, MarketplaceAgent

RELATED_LIMIT = 6


def _candidates(agent, user):
    """Listed agents other than `agent` that the caller has no library row for, with the
    caller's flags and the creator joined for the serializer."""
    agents = MarketplaceAgent.objects.listed().exclude(pk=agent.pk)
    if user.is_authenticated:
        agents = agents.exclude(purchased_by__user=user)
    return agents.with_library_flags(user).select_related("created_by_user")


def related_agents(agent, user):
    """MKT-52: up to 6 listed agents most often installed together with `agent`, leaving out
    the agent itself and those the caller already has; topped up with listed agents of the
    same category by downloads. At most two queries, whatever the counts."""
    pairs = AgentCoInstall.objects.filter(agent=agent)
    count = pairs.filter(related_agent=OuterRef("pk")).values("co_install_count")
    related = list(
        _candidates(agent, user)
        .filter(pk__in=pairs.values("related_agent"))
        .annotate(co_install_count=Subquery(count))
        .order_by("-co_install_count", "-downloads", "id")[:RELATED_LIMIT]
    )
    if len(related) < RELATED_LIMIT and agent.category:
        same_category = (
            _candidates(agent, user)
            .filter(category=agent.category)
            .exclude(pk__in=[row.pk for row in related])
            .order_by("-downloads", "id")
        )
        related += list(same_category[: RELATED_LIMIT - len(related)])
    return related

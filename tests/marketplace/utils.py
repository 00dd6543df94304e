"""URLs of the marketplace API and the error assertion shared by the marketplace tests."""

API = "/api/v1/"
AGENTS = f"{API}marketplace/agents/"
BASES = f"{API}marketplace/bases/"
WORKFLOWS = f"{API}marketplace/workflows/"
LIBRARY_AGENTS = f"{API}marketplace/library/agents/"
LIBRARY_BASES = f"{API}marketplace/library/bases/"


def agent_url(agent, suffix=""):
    return f"{AGENTS}{agent.pk}/{suffix}"


def base_url(base, suffix=""):
    return f"{BASES}{base.pk}/{suffix}"


def workflow_url(template, suffix=""):
    return f"{WORKFLOWS}{template.pk}/{suffix}"


def reviews_url(item):
    prefix = AGENTS if hasattr(item, "system_prompt") else BASES
    return f"{prefix}{item.pk}/reviews/"


def review_url(review):
    item = getattr(review, "agent", None) or review.base
    return f"{reviews_url(item)}{review.pk}/"


def project_agents_url(project, row=None):
    suffix = f"{row.pk}/" if row is not None else ""
    return f"{API}projects/{project.pk}/agents/{suffix}"

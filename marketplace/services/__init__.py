"""Every write of the marketplace that carries a rule (DATA_MODEL.md §5, MKT-*).

Each service takes keyword-only arguments and the acting user, checks the caller's right
itself, runs in one transaction and raises the spec's domain errors. API views and admin
actions call the same functions. Adding to a library is `marketplace.library.library_add`,
which billing's purchase service calls too.
"""

from marketplace.services.catalogue import (
    AGENT_FIELDS,
    BASE_FIELDS,
    agent_create,
    agent_delete,
    agent_fork,
    agent_publish,
    agent_unpublish,
    agent_update,
    base_delete,
    base_submit,
    base_update,
)
from marketplace.services.curation import (
    item_recount_downloads,
    item_set_active,
    item_set_featured,
    workflow_set_published,
)
from marketplace.services.library import (
    library_entry_remove,
    library_entry_set_active,
    subscriptions_expire,
)
from marketplace.services.projects import (
    base_use,
    project_agent_add,
    project_agent_remove,
    project_agent_set_enabled,
    workflow_apply,
)
from marketplace.services.reviews import (
    item_recalculate_rating,
    review_create,
    review_delete,
    review_update,
)
from marketplace.services.skills import (
    skill_create,
    skill_delete,
    skill_set_enabled,
    skill_update,
)

__all__ = [
    "AGENT_FIELDS",
    "BASE_FIELDS",
    "agent_create",
    "agent_delete",
    "agent_fork",
    "agent_publish",
    "agent_unpublish",
    "agent_update",
    "base_delete",
    "base_submit",
    "base_update",
    "base_use",
    "item_recalculate_rating",
    "item_recount_downloads",
    "item_set_active",
    "item_set_featured",
    "library_entry_remove",
    "library_entry_set_active",
    "project_agent_add",
    "project_agent_remove",
    "project_agent_set_enabled",
    "review_create",
    "review_delete",
    "review_update",
    "skill_create",
    "skill_delete",
    "skill_set_enabled",
    "skill_update",
    "subscriptions_expire",
    "workflow_apply",
    "workflow_set_published",
]

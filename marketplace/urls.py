"""Marketplace API routes, under /api/v1/ (API.md §9.4). Ids are UUIDs: anything else is a 404.

`marketplace/agents/{id}/purchase/` and `marketplace/bases/{id}/purchase/` are billing's views
(billing depends on the marketplace, not the reverse), mounted by billing's URLconf.
"""

from rest_framework.routers import SimpleRouter

from marketplace import views

router = SimpleRouter(use_regex_path=False)
router.register("marketplace/agents", views.AgentViewSet, basename="marketplace-agent")
router.register(
    "marketplace/agents/<uuid:agent_pk>/reviews",
    views.AgentReviewViewSet,
    basename="marketplace-agent-review",
)
router.register("marketplace/bases", views.BaseViewSet, basename="marketplace-base")
router.register(
    "marketplace/bases/<uuid:base_pk>/reviews",
    views.BaseReviewViewSet,
    basename="marketplace-base-review",
)
router.register(
    "marketplace/workflows", views.WorkflowTemplateViewSet, basename="marketplace-workflow"
)
router.register(
    "marketplace/library/agents", views.LibraryAgentViewSet, basename="marketplace-library-agent"
)
router.register(
    "marketplace/library/bases", views.LibraryBaseViewSet, basename="marketplace-library-base"
)
router.register("marketplace/skills", views.SkillViewSet, basename="marketplace-skill")
router.register("projects/<uuid:pid>/agents", views.ProjectAgentViewSet, basename="project-agent")

urlpatterns = router.urls

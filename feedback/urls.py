"""Feedback API routes, under /api/v1/ (API.md §9.7). Ids are UUIDs: anything else is a 404."""

from rest_framework.routers import SimpleRouter

from feedback.views import FeedbackCommentViewSet, FeedbackPostViewSet

router = SimpleRouter(use_regex_path=False)
router.register("feedback/posts", FeedbackPostViewSet, basename="feedback-post")
router.register(
    "feedback/posts/<uuid:post_pk>/comments", FeedbackCommentViewSet, basename="feedback-comment"
)

urlpatterns = router.urls

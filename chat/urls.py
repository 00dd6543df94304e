"""Chat API routes, under /api/v1/ (API.md §9.3).

Everything hangs under the project as `pid`, and every id is a UUID path converter, so a
malformed id is an unrouted 404 before any view runs.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from chat import views

NESTED = "projects/<uuid:pid>"

router = SimpleRouter(use_regex_path=False)
router.register(f"{NESTED}/chats", views.ChatViewSet, basename="project-chat")
router.register(
    f"{NESTED}/chats/<uuid:cid>/messages", views.MessageViewSet, basename="project-chat-message"
)
router.register(
    f"{NESTED}/chats/<uuid:cid>/runs", views.AgentRunViewSet, basename="project-chat-run"
)
router.register(
    f"{NESTED}/chats/<uuid:cid>/summaries",
    views.ChatSummaryViewSet,
    basename="project-chat-summary",
)
router.register("chats/bookmarks", views.BookmarkListViewSet, basename="chat-bookmark")
router.register(
    f"{NESTED}/command-logs", views.AgentCommandLogViewSet, basename="project-command-log"
)
router.register(
    f"{NESTED}/shell-sessions", views.ShellSessionViewSet, basename="project-shell-session"
)

urlpatterns = [
    *router.urls,
    path(
        f"{NESTED}/chats/<uuid:cid>/bookmarks/<str:kind>/",
        views.ChatBookmarkViewSet.as_view({"put": "add", "delete": "remove"}),
        name="project-chat-bookmark",
    ),
]

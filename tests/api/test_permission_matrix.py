"""R1, R2 and R4 across the whole API: every routed URL under /api/v1/, every method its view
allows, every role, in one table (docs/spec/API.md §2, §3; RELIABILITY.md R1, R2, R4).

How to read it:

- `WORLD` (the `world` fixture) makes one object of each type, owned by "owner": a project with
  every child (containers, files, chats, board, …), credentials, marketplace items, reviews,
  library rows, feedback, billing rows, a second token and an OAuth account.
- `ROUTES` is the table: per route name and method, the path (formatted with the world's ids:
  the mapping from URL kwargs to objects) and an access class.
- `CLASSES` gives, per access class, the expected code for each of the ten roles. `OK` means
  "authorized": the call passed authentication and authorization, so the answer is a success
  or the endpoint's own verdict on the (empty) body or state (400, 402, 409), never 401, 403,
  404, 405 or 5xx. The exact success codes with valid bodies are pinned per app in
  tests/<app>/test_permissions.py; this table pins who is refused, and how, everywhere.
- The roles: anonymous; owner; other (a plain user); moderator; service (holding the service
  permissions); staff; superuser; inactive (the owner, deactivated, with a token issued while
  active); expired (the owner's expired token); revoked (the owner's token after logout).

The routes run in groups (the first path segment), each group on one fresh world; each call
runs in a savepoint that is rolled back, so one call's success does not change what the next
sees. A completeness test
fails when the resolver serves a route or method that has no row (or a row names none).

R2 comes out of the same calls: every stranger's read, write and delete of the owner's rows
must be 404, and every list a stranger gets must hold none of the owner's rows (their ids are
searched for in the body). R4: every moderator-, service- or staff-only action as a plain user
must be refused.
"""

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AccessToken, User
from accounts.services import mcp_server_create
from billing.services.credits import Charge, credits_charge
from chat.models import Message
from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from tests import figures
from tests.accounts.factories import OAuthAccountFactory
from tests.api.routes import served
from tests.billing.factories import (
    TEST_MODEL,
    UserAPIKeyFactory,
    UserCustomModelFactory,
    pending_purchase,
    price_catalogue,
)
from tests.chat.factories import (
    AgentCommandLogFactory,
    AgentRunFactory,
    ChatBookmarkFactory,
    ChatFactory,
    ChatSummaryFactory,
    ShellSessionFactory,
)
from tests.conftest import granted_group
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory, FeedbackPostFactory
from tests.kanban.factories import (
    KanbanBoardFactory,
    KanbanColumnFactory,
    KanbanTaskCommentFactory,
    KanbanTaskFactory,
    ProjectNoteFactory,
)
from tests.marketplace.factories import (
    AgentFactory,
    AgentReviewFactory,
    BaseFactory,
    BaseReviewFactory,
    ProjectAgentFactory,
    SkillFactory,
    WorkflowTemplateFactory,
    install,
)
from tests.projects.factories import (
    BrowserPreviewFactory,
    ConnectorCredentialFactory,
    ContainerConnectionFactory,
    DeploymentCredentialFactory,
    DeploymentFactory,
    GitProviderCredentialFactory,
    ProjectAssetFactory,
    ProjectDatabaseFactory,
    ProjectDomainFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "owner",
    "other",
    "moderator",
    "service",
    "staff",
    "superuser",
    "inactive",
    "expired",
    "revoked",
)
STRANGERS = ("other", "moderator", "service", "staff", "superuser")
BAD_CREDENTIALS = ("inactive", "expired", "revoked")
OK = "ok"  # authorized: anything but 401, 403, 404, 405 and 5xx


def row(anonymous, owner, strangers, *, bad=401, **special):
    """The codes of one access class: anonymous, owner, each stranger (unless `special` names
    the role), and the three bad credentials."""
    codes = {"anonymous": anonymous, "owner": owner, **dict.fromkeys(STRANGERS, strangers)}
    codes.update(dict.fromkeys(BAD_CREDENTIALS, bad))
    codes.update(special)
    return codes


# The access classes (API.md §3). Strangers are every signed-in role but the owner.
CLASSES = {
    # no credentials needed, none checked: the health probe, the schema documents, and the
    # Stripe webhook (no
    # signature in these calls, so 400 for everyone)
    "unauthenticated": row(OK, OK, OK, bad=OK),
    "webhook": row(400, 400, 400, bad=400),
    # anonymous welcome; a bad token is still refused (API.md §2)
    "public": row(OK, OK, OK),
    # any signed-in user; the owner's own rows in lists
    "user": row(401, OK, OK),
    # the owner's row: anyone else does not see it
    "owner": row(401, OK, 404),
    # the owner's row that anonymous callers cannot see either (a private marketplace item)
    "owner_private": row(404, OK, 404),
    # the owner's row that others can see but not change (a listed item, a visible post)
    "owner_visible": row(401, OK, 403),
    # the owner's project, also open to the runtime (service) and superusers
    "owner_or_service": row(401, OK, 404, service=OK, superuser=OK),
    # a runtime report on the owner's row: the owner sees the row but may not report
    "service": row(401, 403, 404, service=OK, superuser=OK),
    # a service endpoint without a target row (billing usage charges)
    "service_no_row": row(401, 403, 403, service=OK, superuser=OK),
    # moderation of the owner's visible post or comment
    "moderator": row(401, 403, 403, moderator=OK, superuser=OK),
}

A = "/api/v1/marketplace/agents"
B = "/api/v1/marketplace/bases"
L = "/api/v1/marketplace/library"
P = "/api/v1/projects/{project}"
F = "/api/v1/feedback/posts/{post}"
K = "/api/v1/projects/{project}/board"

# route name, method: path (with the world's ids), access class
ROUTES = {
    # system
    # the documents authenticate nobody (SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = []), so
    # a bad token on them is not looked at
    ("schema", "GET"): ("/api/v1/schema/", "unauthenticated"),
    ("swagger-ui", "GET"): ("/api/v1/docs/", "unauthenticated"),
    ("redoc", "GET"): ("/api/v1/redoc/", "unauthenticated"),
    ("health", "GET"): ("/api/v1/health/", "unauthenticated"),
    ("api-root", "GET"): ("/api/v1/", "unauthenticated"),
    # accounts
    ("auth-register", "POST"): ("/api/v1/auth/register/", "public"),
    ("auth-login", "POST"): ("/api/v1/auth/login/", "public"),
    ("auth-login-2fa", "POST"): ("/api/v1/auth/login/2fa/", "public"),
    ("auth-login-2fa-resend", "POST"): ("/api/v1/auth/login/2fa/resend/", "public"),
    ("auth-logout", "POST"): ("/api/v1/auth/logout/", "user"),
    ("auth-logout-all", "POST"): ("/api/v1/auth/logout-all/", "user"),
    ("auth-password-reset", "POST"): ("/api/v1/auth/password-reset/", "public"),
    ("auth-waitlist", "POST"): ("/api/v1/auth/waitlist/", "public"),
    ("auth-password-reset-confirm", "POST"): ("/api/v1/auth/password-reset/confirm/", "public"),
    ("auth-password-change", "POST"): ("/api/v1/auth/password/change/", "user"),
    ("auth-verify-email", "POST"): ("/api/v1/auth/verify-email/", "user"),
    ("auth-verify-email-resend", "POST"): ("/api/v1/auth/verify-email/resend/", "user"),
    ("auth-email-change", "POST"): ("/api/v1/auth/email/change/", "user"),
    ("auth-email-confirm", "POST"): ("/api/v1/auth/email/confirm/", "user"),
    ("auth-me", "GET"): ("/api/v1/auth/me/", "user"),
    ("auth-me", "PATCH"): ("/api/v1/auth/me/", "user"),
    ("auth-me", "DELETE"): ("/api/v1/auth/me/", "user"),
    ("auth-oauth-authorize", "GET"): ("/api/v1/auth/oauth/github/authorize/", "public"),
    ("auth-oauth-callback", "POST"): ("/api/v1/auth/oauth/github/callback/", "public"),
    ("access-token-list", "GET"): ("/api/v1/auth/tokens/", "user"),
    ("access-token-list", "POST"): ("/api/v1/auth/tokens/", "user"),
    ("access-token-detail", "DELETE"): ("/api/v1/auth/tokens/{token}/", "owner"),
    ("oauth-account-list", "GET"): ("/api/v1/auth/oauth-accounts/", "user"),
    ("oauth-account-detail", "DELETE"): ("/api/v1/auth/oauth-accounts/{oauth}/", "owner"),
    ("mcp-server-list", "GET"): ("/api/v1/auth/mcp-servers/", "user"),
    ("mcp-server-list", "POST"): ("/api/v1/auth/mcp-servers/", "user"),
    ("mcp-server-detail", "GET"): ("/api/v1/auth/mcp-servers/{mcp_server}/", "owner"),
    ("mcp-server-detail", "PATCH"): ("/api/v1/auth/mcp-servers/{mcp_server}/", "owner"),
    ("mcp-server-detail", "DELETE"): ("/api/v1/auth/mcp-servers/{mcp_server}/", "owner"),
    # projects
    ("project-list", "GET"): ("/api/v1/projects/", "user"),
    ("project-list", "POST"): ("/api/v1/projects/", "user"),
    ("project-detail", "GET"): (f"{P}/", "owner"),
    ("project-detail", "PATCH"): (f"{P}/", "owner"),
    ("project-detail", "DELETE"): (f"{P}/", "owner"),
    ("project-activity", "POST"): (f"{P}/activity/", "owner_or_service"),
    ("project-environment", "POST"): (f"{P}/environment/", "service"),
    ("project-hibernate", "POST"): (f"{P}/hibernate/", "owner"),
    ("project-wake", "POST"): (f"{P}/wake/", "owner"),
    ("project-container-list", "GET"): (f"{P}/containers/", "owner"),
    ("project-container-list", "POST"): (f"{P}/containers/", "owner"),
    ("project-container-detail", "GET"): (f"{P}/containers/{{container}}/", "owner"),
    ("project-container-detail", "PATCH"): (f"{P}/containers/{{container}}/", "owner"),
    ("project-container-detail", "DELETE"): (f"{P}/containers/{{container}}/", "owner"),
    ("project-container-start", "POST"): (f"{P}/containers/{{container}}/start/", "owner"),
    ("project-container-status", "POST"): (f"{P}/containers/{{container}}/status/", "service"),
    ("project-container-stop", "POST"): (f"{P}/containers/{{container}}/stop/", "owner"),
    ("project-connection-list", "GET"): (f"{P}/connections/", "owner"),
    ("project-connection-list", "POST"): (f"{P}/connections/", "owner"),
    ("project-connection-detail", "GET"): (f"{P}/connections/{{connection}}/", "owner"),
    ("project-connection-detail", "PATCH"): (f"{P}/connections/{{connection}}/", "owner"),
    ("project-connection-detail", "DELETE"): (f"{P}/connections/{{connection}}/", "owner"),
    ("project-preview-list", "GET"): (f"{P}/previews/", "owner"),
    ("project-preview-list", "POST"): (f"{P}/previews/", "owner"),
    ("project-preview-detail", "GET"): (f"{P}/previews/{{preview}}/", "owner"),
    ("project-preview-detail", "PATCH"): (f"{P}/previews/{{preview}}/", "owner"),
    ("project-preview-detail", "DELETE"): (f"{P}/previews/{{preview}}/", "owner"),
    ("project-file-list", "GET"): (f"{P}/files/", "owner"),
    ("project-file-list", "POST"): (f"{P}/files/", "owner"),
    ("project-file-upsert", "POST"): (f"{P}/files/upsert/", "owner"),
    ("project-file-detail", "GET"): (f"{P}/files/{{file}}/", "owner"),
    ("project-file-detail", "PATCH"): (f"{P}/files/{{file}}/", "owner"),
    ("project-file-detail", "DELETE"): (f"{P}/files/{{file}}/", "owner"),
    ("project-asset-list", "GET"): (f"{P}/assets/", "owner"),
    ("project-asset-list", "POST"): (f"{P}/assets/", "owner"),
    ("project-asset-detail", "GET"): (f"{P}/assets/{{asset}}/", "owner"),
    ("project-asset-detail", "PATCH"): (f"{P}/assets/{{asset}}/", "owner"),
    ("project-asset-detail", "DELETE"): (f"{P}/assets/{{asset}}/", "owner"),
    ("project-asset-download", "GET"): (f"{P}/assets/{{asset}}/download/", "owner"),
    ("project-snapshot-list", "GET"): (f"{P}/snapshots/", "owner"),
    ("project-snapshot-list", "POST"): (f"{P}/snapshots/", "owner"),
    ("project-snapshot-detail", "GET"): (f"{P}/snapshots/{{snapshot}}/", "owner"),
    ("project-snapshot-detail", "PATCH"): (f"{P}/snapshots/{{snapshot}}/", "owner"),
    ("project-snapshot-detail", "DELETE"): (f"{P}/snapshots/{{snapshot}}/", "owner"),
    ("project-snapshot-restore", "POST"): (f"{P}/snapshots/{{snapshot}}/restore/", "owner"),
    ("project-snapshot-status", "POST"): (f"{P}/snapshots/{{snapshot}}/status/", "service"),
    ("project-deployment-list", "GET"): (f"{P}/deployments/", "owner"),
    ("project-deployment-list", "POST"): (f"{P}/deployments/", "owner"),
    ("project-deployment-detail", "GET"): (f"{P}/deployments/{{deployment}}/", "owner"),
    ("project-deployment-status", "POST"): (
        f"{P}/deployments/{{deployment}}/status/",
        "service",
    ),
    ("project-database-list", "GET"): (f"{P}/databases/", "owner"),
    ("project-database-list", "POST"): (f"{P}/databases/", "owner_or_service"),
    ("project-database-detail", "GET"): (f"{P}/databases/{{database}}/", "owner"),
    ("project-database-detail", "DELETE"): (f"{P}/databases/{{database}}/", "owner"),
    ("project-domain", "GET"): (f"{P}/domain/", "owner"),
    ("project-domain", "PUT"): (f"{P}/domain/", "owner"),
    ("project-domain", "DELETE"): (f"{P}/domain/", "owner"),
    ("project-domain-status", "POST"): (f"{P}/domain/status/", "service"),
    ("deployment-credential-list", "GET"): ("/api/v1/deployment-credentials/", "user"),
    ("deployment-credential-list", "POST"): ("/api/v1/deployment-credentials/", "user"),
    ("deployment-credential-detail", "GET"): (
        "/api/v1/deployment-credentials/{deploy_credential}/",
        "owner",
    ),
    ("deployment-credential-detail", "PATCH"): (
        "/api/v1/deployment-credentials/{deploy_credential}/",
        "owner",
    ),
    ("deployment-credential-detail", "DELETE"): (
        "/api/v1/deployment-credentials/{deploy_credential}/",
        "owner",
    ),
    ("git-credential-list", "GET"): ("/api/v1/git-credentials/", "user"),
    ("git-credential-list", "POST"): ("/api/v1/git-credentials/", "user"),
    ("git-credential-detail", "GET"): ("/api/v1/git-credentials/{git_credential}/", "owner"),
    ("git-credential-detail", "PATCH"): ("/api/v1/git-credentials/{git_credential}/", "owner"),
    ("git-credential-detail", "DELETE"): ("/api/v1/git-credentials/{git_credential}/", "owner"),
    ("connector-list", "GET"): ("/api/v1/connectors/", "user"),
    ("connector-list", "POST"): ("/api/v1/connectors/", "user"),
    ("connector-detail", "GET"): ("/api/v1/connectors/{connector}/", "owner"),
    ("connector-detail", "PATCH"): ("/api/v1/connectors/{connector}/", "owner"),
    ("connector-detail", "DELETE"): ("/api/v1/connectors/{connector}/", "owner"),
    # chat
    ("project-chat-list", "GET"): (f"{P}/chats/", "owner"),
    ("project-chat-list", "POST"): (f"{P}/chats/", "owner"),
    ("project-chat-detail", "GET"): (f"{P}/chats/{{chat}}/", "owner"),
    ("project-chat-detail", "PATCH"): (f"{P}/chats/{{chat}}/", "owner"),
    ("project-chat-detail", "DELETE"): (f"{P}/chats/{{chat}}/", "owner"),
    ("project-chat-message-list", "GET"): (f"{P}/chats/{{chat}}/messages/", "owner"),
    ("project-chat-message-list", "POST"): (f"{P}/chats/{{chat}}/messages/", "owner_or_service"),
    ("project-chat-run-list", "GET"): (f"{P}/chats/{{chat}}/runs/", "owner"),
    ("project-chat-run-list", "POST"): (f"{P}/chats/{{chat}}/runs/", "service"),
    ("project-chat-run-detail", "GET"): (f"{P}/chats/{{chat}}/runs/{{run}}/", "owner_or_service"),
    ("project-chat-run-status", "POST"): (f"{P}/chats/{{chat}}/runs/{{run}}/status/", "service"),
    ("project-chat-run-cancel", "POST"): (
        f"{P}/chats/{{chat}}/runs/{{run}}/cancel/",
        "owner_or_service",
    ),
    ("project-chat-summary-list", "GET"): (f"{P}/chats/{{chat}}/summaries/", "owner"),
    ("project-chat-summary-list", "POST"): (f"{P}/chats/{{chat}}/summaries/", "service"),
    ("project-chat-summary-latest", "GET"): (
        f"{P}/chats/{{chat}}/summaries/latest/",
        "owner_or_service",
    ),
    ("project-chat-bookmark", "PUT"): (f"{P}/chats/{{chat}}/bookmarks/pin/", "owner"),
    ("project-chat-bookmark", "DELETE"): (f"{P}/chats/{{chat}}/bookmarks/pin/", "owner"),
    ("chat-bookmark-list", "GET"): ("/api/v1/chats/bookmarks/", "user"),
    ("project-command-log-list", "GET"): (f"{P}/command-logs/", "owner"),
    ("project-command-log-list", "POST"): (f"{P}/command-logs/", "service"),
    ("project-command-log-detail", "GET"): (f"{P}/command-logs/{{command_log}}/", "owner"),
    ("project-shell-session-list", "GET"): (f"{P}/shell-sessions/", "owner_or_service"),
    ("project-shell-session-list", "POST"): (f"{P}/shell-sessions/", "owner_or_service"),
    ("project-shell-session-detail", "GET"): (
        f"{P}/shell-sessions/{{shell}}/",
        "owner_or_service",
    ),
    ("project-shell-session-close", "POST"): (
        f"{P}/shell-sessions/{{shell}}/close/",
        "owner_or_service",
    ),
    ("project-shell-session-status", "POST"): (f"{P}/shell-sessions/{{shell}}/status/", "service"),
    ("project-shell-session-usage", "POST"): (f"{P}/shell-sessions/{{shell}}/usage/", "service"),
    # kanban
    ("kanban-board", "GET"): (f"{K}/", "owner"),
    ("kanban-board", "PATCH"): (f"{K}/", "owner"),
    ("kanban-note", "GET"): (f"{P}/note/", "owner"),
    ("kanban-note", "PUT"): (f"{P}/note/", "owner"),
    ("kanban-column-list", "POST"): (f"{K}/columns/", "owner"),
    ("kanban-column-detail", "PATCH"): (f"{K}/columns/{{column}}/", "owner"),
    ("kanban-column-detail", "DELETE"): (f"{K}/columns/{{column}}/", "owner"),
    ("kanban-column-move", "POST"): (f"{K}/columns/{{column}}/move/", "owner"),
    ("kanban-task-list", "GET"): (f"{K}/tasks/", "owner"),
    ("kanban-task-list", "POST"): (f"{K}/tasks/", "owner"),
    ("kanban-task-detail", "GET"): (f"{K}/tasks/{{task}}/", "owner"),
    ("kanban-task-detail", "PATCH"): (f"{K}/tasks/{{task}}/", "owner"),
    ("kanban-task-detail", "DELETE"): (f"{K}/tasks/{{task}}/", "owner"),
    ("kanban-task-move", "POST"): (f"{K}/tasks/{{task}}/move/", "owner"),
    ("kanban-task-by-reference", "GET"): (f"{K}/tasks/TSK-0001/", "owner"),
    ("kanban-comment-list", "GET"): (f"{K}/tasks/{{task}}/comments/", "owner"),
    ("kanban-comment-list", "POST"): (f"{K}/tasks/{{task}}/comments/", "owner"),
    ("kanban-comment-detail", "PATCH"): (f"{K}/tasks/{{task}}/comments/{{task_comment}}/", "owner"),
    ("kanban-comment-detail", "DELETE"): (
        f"{K}/tasks/{{task}}/comments/{{task_comment}}/",
        "owner",
    ),
    # feedback: the owner's post and comment are visible to every signed-in user
    ("feedback-post-list", "GET"): ("/api/v1/feedback/posts/", "user"),
    ("feedback-post-list", "POST"): ("/api/v1/feedback/posts/", "user"),
    ("feedback-post-detail", "GET"): (f"{F}/", "user"),
    ("feedback-post-detail", "PATCH"): (f"{F}/", "owner_visible"),
    ("feedback-post-detail", "DELETE"): (f"{F}/", "owner_visible"),
    ("feedback-post-moderation", "PATCH"): (f"{F}/moderation/", "moderator"),
    ("feedback-post-upvote", "POST"): (f"{F}/upvote/", "user"),
    ("feedback-post-upvote", "DELETE"): (f"{F}/upvote/", "user"),
    ("feedback-comment-list", "GET"): (f"{F}/comments/", "user"),
    ("feedback-comment-list", "POST"): (f"{F}/comments/", "user"),
    ("feedback-comment-detail", "PATCH"): (f"{F}/comments/{{comment}}/", "owner_visible"),
    ("feedback-comment-detail", "DELETE"): (f"{F}/comments/{{comment}}/", "owner_visible"),
    ("feedback-comment-moderation", "PATCH"): (
        f"{F}/comments/{{comment}}/moderation/",
        "moderator",
    ),
    # billing
    ("billing-config", "GET"): ("/api/v1/billing/config/", "public"),
    ("billing-credits", "GET"): ("/api/v1/billing/credits/", "user"),
    ("billing-subscription-checkout", "POST"): ("/api/v1/billing/subscription/checkout/", "user"),
    ("billing-portal", "POST"): ("/api/v1/billing/portal/", "user"),
    ("billing-stripe-webhook", "POST"): ("/api/v1/billing/stripe/webhook/", "webhook"),
    ("billing-earnings", "GET"): ("/api/v1/billing/earnings/", "user"),
    ("billing-agent-purchase", "POST"): (f"{A}/{{platform_agent}}/purchase/", "user"),
    ("billing-base-purchase", "POST"): (f"{B}/{{platform_base}}/purchase/", "user"),
    ("billing-ledger-list", "GET"): ("/api/v1/billing/ledger/", "user"),
    ("billing-usage-list", "GET"): ("/api/v1/billing/usage/", "user"),
    ("billing-usage-list", "POST"): ("/api/v1/billing/usage/", "service_no_row"),
    ("billing-usage-check", "POST"): ("/api/v1/billing/usage/check/", "service_no_row"),
    ("billing-usage-summary", "GET"): ("/api/v1/billing/usage/summary/", "user"),
    ("billing-credit-purchase-list", "GET"): ("/api/v1/billing/credit-purchases/", "user"),
    ("billing-credit-purchase-list", "POST"): ("/api/v1/billing/credit-purchases/", "user"),
    ("billing-credit-purchase-detail", "GET"): (
        "/api/v1/billing/credit-purchases/{purchase}/",
        "owner",
    ),
    ("billing-marketplace-transaction-list", "GET"): (
        "/api/v1/billing/marketplace-transactions/",
        "user",
    ),
    ("billing-api-key-list", "GET"): ("/api/v1/billing/api-keys/", "user"),
    ("billing-api-key-list", "POST"): ("/api/v1/billing/api-keys/", "user"),
    ("billing-api-key-detail", "GET"): ("/api/v1/billing/api-keys/{api_key}/", "owner"),
    ("billing-api-key-detail", "PATCH"): ("/api/v1/billing/api-keys/{api_key}/", "owner"),
    ("billing-api-key-detail", "DELETE"): ("/api/v1/billing/api-keys/{api_key}/", "owner"),
    ("billing-custom-model-list", "GET"): ("/api/v1/billing/custom-models/", "user"),
    ("billing-model-list", "GET"): ("/api/v1/billing/models/", "user"),
    ("billing-custom-model-list", "POST"): ("/api/v1/billing/custom-models/", "user"),
    ("billing-custom-model-detail", "GET"): (
        "/api/v1/billing/custom-models/{custom_model}/",
        "owner",
    ),
    ("billing-custom-model-detail", "PATCH"): (
        "/api/v1/billing/custom-models/{custom_model}/",
        "owner",
    ),
    ("billing-custom-model-detail", "DELETE"): (
        "/api/v1/billing/custom-models/{custom_model}/",
        "owner",
    ),
    # marketplace: the owner's agent is listed (others see it, may not change it); the owner's
    # base is private (nobody else sees it); reviews are the owner's, on platform items
    ("marketplace-agent-list", "GET"): (f"{A}/", "public"),
    ("marketplace-agent-list", "POST"): (f"{A}/", "user"),
    ("marketplace-agent-detail", "GET"): (f"{A}/{{agent}}/", "public"),
    ("marketplace-agent-detail", "PATCH"): (f"{A}/{{agent}}/", "owner_visible"),
    ("marketplace-agent-detail", "DELETE"): (f"{A}/{{agent}}/", "owner_visible"),
    ("marketplace-agent-fork", "POST"): (f"{A}/{{agent}}/fork/", "user"),
    ("marketplace-agent-publish", "POST"): (f"{A}/{{agent}}/publish/", "owner_visible"),
    ("marketplace-agent-related", "GET"): (f"{A}/{{agent}}/related/", "public"),
    ("marketplace-agent-unpublish", "POST"): (f"{A}/{{agent}}/unpublish/", "owner_visible"),
    ("marketplace-agent-review-list", "GET"): (f"{A}/{{platform_agent}}/reviews/", "public"),
    ("marketplace-agent-review-list", "POST"): (f"{A}/{{platform_agent}}/reviews/", "user"),
    ("marketplace-agent-review-detail", "PATCH"): (
        f"{A}/{{platform_agent}}/reviews/{{agent_review}}/",
        "owner_visible",
    ),
    ("marketplace-agent-review-detail", "DELETE"): (
        f"{A}/{{platform_agent}}/reviews/{{agent_review}}/",
        "owner_visible",
    ),
    ("marketplace-base-list", "GET"): (f"{B}/", "public"),
    ("marketplace-base-list", "POST"): (f"{B}/", "user"),
    ("marketplace-base-detail", "GET"): (f"{B}/{{base}}/", "owner_private"),
    ("marketplace-base-detail", "PATCH"): (f"{B}/{{base}}/", "owner"),
    ("marketplace-base-detail", "DELETE"): (f"{B}/{{base}}/", "owner"),
    ("marketplace-base-use", "POST"): (f"{B}/{{base}}/use/", "owner"),
    ("marketplace-base-review-list", "GET"): (f"{B}/{{base}}/reviews/", "owner_private"),
    ("marketplace-base-review-list", "POST"): (f"{B}/{{base}}/reviews/", "owner"),
    ("marketplace-base-review-detail", "PATCH"): (
        f"{B}/{{platform_base}}/reviews/{{base_review}}/",
        "owner_visible",
    ),
    ("marketplace-base-review-detail", "DELETE"): (
        f"{B}/{{platform_base}}/reviews/{{base_review}}/",
        "owner_visible",
    ),
    ("marketplace-workflow-list", "GET"): ("/api/v1/marketplace/workflows/", "public"),
    ("marketplace-workflow-detail", "GET"): ("/api/v1/marketplace/workflows/{template}/", "public"),
    ("marketplace-workflow-apply", "POST"): (
        "/api/v1/marketplace/workflows/{template}/apply/",
        "user",
    ),
    ("marketplace-library-agent-list", "GET"): (f"{L}/agents/", "user"),
    ("marketplace-library-agent-detail", "GET"): (f"{L}/agents/{{agent_row}}/", "owner"),
    ("marketplace-library-agent-detail", "DELETE"): (f"{L}/agents/{{agent_row}}/", "owner"),
    ("marketplace-library-base-list", "GET"): (f"{L}/bases/", "user"),
    ("marketplace-library-base-detail", "GET"): (f"{L}/bases/{{base_row}}/", "owner"),
    ("marketplace-library-base-detail", "DELETE"): (f"{L}/bases/{{base_row}}/", "owner"),
    ("marketplace-skill-list", "GET"): ("/api/v1/marketplace/skills/", "user"),
    ("marketplace-skill-list", "POST"): ("/api/v1/marketplace/skills/", "user"),
    ("marketplace-skill-detail", "GET"): ("/api/v1/marketplace/skills/{skill}/", "owner"),
    ("marketplace-skill-detail", "PATCH"): ("/api/v1/marketplace/skills/{skill}/", "owner"),
    ("marketplace-skill-detail", "DELETE"): ("/api/v1/marketplace/skills/{skill}/", "owner"),
    ("project-agent-list", "GET"): (f"{P}/agents/", "owner"),
    ("project-agent-list", "POST"): (f"{P}/agents/", "owner"),
    ("project-agent-detail", "PATCH"): (f"{P}/agents/{{project_agent}}/", "owner"),
    ("project-agent-detail", "DELETE"): (f"{P}/agents/{{project_agent}}/", "owner"),
}

# R4: the classes whose actions are for moderators, service accounts or staff only
PRIVILEGED_CLASSES = ("moderator", "service", "service_no_row")

# R2: the world's rows only the owner may see; no stranger's list may contain their ids
PRIVATE_ROWS = (
    "project",
    "container",
    "connection",
    "preview",
    "file",
    "asset",
    "snapshot",
    "deployment",
    "domain",
    "database",
    "deploy_credential",
    "git_credential",
    "connector",
    "chat",
    "message",
    "run",
    "summary",
    "bookmark",
    "command_log",
    "shell",
    "column",
    "task",
    "task_comment",
    "note",
    "token",
    "oauth",
    "mcp_server",
    "purchase",
    "api_key",
    "custom_model",
    "base",
    "agent_row",
    "base_row",
    "project_agent",
    "usage",
    "skill",
)


def build_world():
    price_catalogue()
    owner = UserFactory(subscription_tier="pro")
    project = ProjectFactory(owner=owner)
    connection = ContainerConnectionFactory(project=project)
    board = KanbanBoardFactory(project=project)
    task = KanbanTaskFactory(board=board)
    chat = ChatFactory(project=project)
    message = Message.objects.create(chat=chat, role="user", content="Hello there")
    platform_agent = AgentFactory(platform=True, listed=True)
    platform_base = BaseFactory(platform=True, listed=True)
    agent = AgentFactory(created_by_user=owner, listed=True, is_forkable=True)
    install(owner, agent)
    post = FeedbackPostFactory(user=owner)
    token, _ = AccessToken.issue(user=owner, ttl=timedelta(days=1), name="second")
    usage, _ = credits_charge(
        charge=Charge(user_id=owner.pk, model=TEST_MODEL, tokens_input=0, tokens_output=0),
        request_id=f"world-{uuid.uuid4()}",
    )
    return SimpleNamespace(
        owner=owner,
        project=project,
        container=connection.source_container,
        connection=connection,
        preview=BrowserPreviewFactory(project=project),
        file=ProjectFileFactory(project=project),
        asset=ProjectAssetFactory(project=project),
        snapshot=ProjectSnapshotFactory(project=project, ready=True),
        deployment=DeploymentFactory(project=project),
        domain=ProjectDomainFactory(project=project),
        database=ProjectDatabaseFactory(project=project),
        deploy_credential=DeploymentCredentialFactory(user=owner),
        git_credential=GitProviderCredentialFactory(user=owner),
        connector=ConnectorCredentialFactory(user=owner),
        chat=chat,
        message=message,
        run=AgentRunFactory(chat=chat, running=True),
        summary=ChatSummaryFactory(chat=chat, end_message=message),
        bookmark=ChatBookmarkFactory(chat=chat),
        command_log=AgentCommandLogFactory(project=project),
        shell=ShellSessionFactory(project=project, active=True),
        board=board,
        column=KanbanColumnFactory(board=board),
        task=task,
        task_comment=KanbanTaskCommentFactory(task=task),
        note=ProjectNoteFactory(project=project),
        post=post,
        comment=FeedbackCommentFactory(user=owner, feedback=post),
        token=token,
        oauth=OAuthAccountFactory(user=owner),
        mcp_server=mcp_server_create(
            actor=owner, name="matrix", url="https://mcp.example.com/", headers={"X-Key": "k"}
        ),
        purchase=pending_purchase(owner),
        api_key=UserAPIKeyFactory(user=owner),
        custom_model=UserCustomModelFactory(user=owner),
        usage=usage,
        agent=agent,
        platform_agent=platform_agent,
        platform_base=platform_base,
        base=BaseFactory(created_by_user=owner),
        agent_review=AgentReviewFactory(user=owner, agent=platform_agent),
        base_review=BaseReviewFactory(user=owner, base=platform_base),
        template=WorkflowTemplateFactory(listed=True),
        agent_row=install(owner, platform_agent),
        base_row=install(owner, platform_base),
        project_agent=ProjectAgentFactory(project=project, agent=platform_agent),
        skill=SkillFactory(owner=owner),
    )


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def callers(world):
    """A client per role. The bad credentials are the owner's own, so only the credential's
    state stands between them and the owner's rows."""
    # Every caller is on a paid tier, so BIL-50's upgrade_required (a 403 about the tier, not
    # the caller's rights) does not answer for them.
    moderator = UserFactory(subscription_tier="pro")
    moderator.groups.add(granted_group(MODERATORS_GROUP, ["feedback.moderate_feedback"]))
    service = UserFactory(subscription_tier="pro")
    service.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    users = {
        "owner": world.owner,
        "other": UserFactory(subscription_tier="pro"),
        "moderator": moderator,
        "service": service,
        "staff": UserFactory(staff=True, subscription_tier="pro"),
        "superuser": UserFactory(superuser=True, subscription_tier="pro"),
    }
    clients = {"anonymous": APIClient()}
    for role, user in users.items():
        clients[role] = bearer(AccessToken.issue(user=user, ttl=timedelta(days=1), name=role)[1])
    clients["inactive"] = bearer(
        AccessToken.issue(user=world.owner, ttl=timedelta(days=1), name="inactive")[1]
    )
    expired, raw = AccessToken.issue(user=world.owner, ttl=timedelta(days=1), name="expired")
    AccessToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    clients["expired"] = bearer(raw)
    revoked, raw = AccessToken.issue(user=world.owner, ttl=timedelta(days=1), name="revoked")
    revoked.delete()
    clients["revoked"] = bearer(raw)
    return clients


def ids_of(world):
    return {name: value.pk for name, value in vars(world).items() if hasattr(value, "pk")}


def matches(expected, status):
    if expected == OK:
        return status not in (401, 403, 404, 405) and status < 500
    return status == expected


def call(client, method, path):
    cache.clear()  # throttles (register: 5/hour) must not decide the answer
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    return getattr(client, method.lower())(
        path, {} if method != "GET" else None, format="json", **headers
    )


def foreign_ids_in(response, world):
    """The ids of the owner's private rows that appear in a response body."""
    body = response.content.decode(errors="replace")
    return [name for name in PRIVATE_ROWS if str(getattr(world, name).pk) in body]


def group_of(route):
    """The first path segment after /api/v1/: the matrix runs one test per group."""
    return ROUTES[route][0].split("/")[3]


GROUPS = sorted({group_of(route) for route in ROUTES})


@pytest.mark.parametrize("group", GROUPS)
def test_r1_permission_matrix(group):
    """Each route and method of the group, for each role, on one world; a role's call runs in
    a savepoint that is rolled back."""
    for name in ("foreign reads", "foreign writes", "foreign deletes", "answered other than 404"):
        figures.count("R2", name, 0)  # the order of the summary line
    world = build_world()
    clients = callers(world)
    ids = ids_of(world)
    mismatches, foreign = [], []
    for route in sorted(r for r in ROUTES if group_of(r) == group):
        _, method = route
        template, access = ROUTES[route]
        path = template.format(**ids)
        expected = CLASSES[access]
        for role in ROLES:
            with transaction.atomic():
                if role == "inactive":
                    User.objects.filter(pk=world.owner.pk).update(is_active=False)
                response = call(clients[role], method, path)
                transaction.set_rollback(True)
            status = response.status_code
            if not matches(expected[role], status):
                mismatches.append(
                    f"{method} {template} {role}: expected {expected[role]}, got {status}"
                )
            if role in STRANGERS and access in ("user", "public") and status < 300:
                foreign += [
                    f"{method} {template} {role}: {row}" for row in foreign_ids_in(response, world)
                ]
            record_r2(role, method, access, status)
            if role in ("expired", "revoked") and expected[role] == 401:
                figures.count("R12", "expired or revoked token calls")
                figures.count("R12", "accepted", int(status != 401))
            if access in PRIVILEGED_CLASSES and role == "other":
                figures.count("R4", "privileged calls as a plain user")
                figures.count("R4", "allowed", int(status < 400))
            figures.count("R1", "calls")
    figures.count("R1", "mismatches", len(mismatches))
    figures.count("R2", "foreign rows in lists", len(foreign))
    assert not mismatches, "\n".join(mismatches)
    assert not foreign, "the owner's rows shown to others:\n" + "\n".join(foreign)


def record_r2(role, method, access, status):
    """R2's counters: a stranger's call on the owner's private rows that did not answer 404."""
    if role not in STRANGERS or access not in ("owner", "owner_private"):
        return
    kind = {"GET": "reads", "DELETE": "deletes"}.get(method, "writes")
    figures.count("R2", f"foreign {kind}")
    figures.count("R2", "answered other than 404", int(status != 404))


def served_routes():
    """Every (route name, method) the resolver serves under /api/v1/, from each view's
    allowed methods (HEAD and OPTIONS aside)."""
    return {
        (pattern.name, method.upper()) for _, pattern, _, methods in served() for method in methods
    }


def test_r1_every_route_and_method_has_a_row():
    served = served_routes()
    unlisted = served - set(ROUTES)
    stale = set(ROUTES) - served
    figures.count("R1", "routes and methods", len(served))
    figures.count("R1", "unlisted", len(unlisted))
    assert not unlisted, f"no row: {sorted(unlisted)}"
    assert not stale, f"rows for nothing served: {sorted(stale)}"


def test_r1_every_access_class_names_every_role():
    for name, codes in CLASSES.items():
        assert set(codes) == set(ROLES), name
    assert {access for _, access in ROUTES.values()} <= set(CLASSES)

import os

from django.utils import timezone

from accounts.models import McpServer, McpTransport, User, WaitlistEntry, WaitlistStatus
from accounts.services import mcp_server_create, waitlist_join

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_USER_PASSWORD = "studio-demo-user"  # noqa: S105 - development demo data only
DEMO_USERS = (
    ("ada@example.com", "Ada Lovelace", "ada"),
    ("grace@example.com", "Grace Hopper", "grace"),
    ("linus@example.com", "Linus Pauling", "linus"),
)


def demo_users():
    """The demo users other apps' demo data belongs to (created by `seed`)."""
    return list(User.objects.filter(email__in=[email for email, _, _ in DEMO_USERS]))


def seed(stdout):
    """The demo superuser (password reset to the demo one on every run) and three users."""
    password = os.environ.get("DEMO_ADMIN_PASSWORD", "studio-demo-admin")
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_superuser(DEMO_ADMIN_EMAIL, password, name="Demo admin")
    else:
        admin.set_password(password)
        admin.save(update_fields=["password"])
    for email, name, username in DEMO_USERS:
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email, DEMO_USER_PASSWORD, name=name, username=username)
    _mcp_servers()
    _waitlist(admin)
    stdout.write(
        f"Demo admin: http://127.0.0.1:8000/admin/  email {DEMO_ADMIN_EMAIL}  password {password}"
    )
    stdout.write(
        f"Demo users: {', '.join(e for e, _, _ in DEMO_USERS)}  password {DEMO_USER_PASSWORD}"
    )


def _mcp_servers():
    """Ada's MCP servers (ACC-42): one with a header Support sees by name only, one paused."""
    ada = User.objects.filter(email=DEMO_USERS[0][0]).first()
    if ada is None or McpServer.objects.filter(user=ada).exists():
        return
    mcp_server_create(
        actor=ada,
        name="docs-search",
        transport=McpTransport.HTTP,
        url="https://mcp.example.com/docs",
        headers={"Authorization": "Bearer demo-mcp-token"},
        enabled_tools=["search", "fetch_page"],
    )
    mcp_server_create(
        actor=ada,
        name="issue-tracker",
        transport=McpTransport.SSE,
        url="https://tracker.example.com/mcp/sse",
        is_active=False,
    )


def _waitlist(admin):
    """The waitlist (ACC-45): two people waiting, one invited, one who signed up (Linus)."""
    if WaitlistEntry.objects.exists():
        return
    waitlist_join(email="eve@example.com", source="launch-page")
    waitlist_join(email="frank@example.com", source="newsletter")
    # Set directly, not through the invite service: demo data mails no one.
    WaitlistEntry.objects.create(
        email="heidi@example.com",
        source="launch-page",
        status=WaitlistStatus.INVITED,
        invited_at=timezone.now(),
        invited_by=admin,
    )
    linus = User.objects.filter(email=DEMO_USERS[2][0]).first()
    WaitlistEntry.objects.create(
        email=DEMO_USERS[2][0],
        source="beta",
        status=WaitlistStatus.JOINED,
        invited_at=timezone.now(),
        invited_by=admin,
        joined_user=linus,
    )

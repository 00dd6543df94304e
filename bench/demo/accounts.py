import os

from accounts.models import User

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
    stdout.write(
        f"Demo admin: http://127.0.0.1:8000/admin/  email {DEMO_ADMIN_EMAIL}  password {password}"
    )
    stdout.write(
        f"Demo users: {', '.join(e for e, _, _ in DEMO_USERS)}  password {DEMO_USER_PASSWORD}"
    )

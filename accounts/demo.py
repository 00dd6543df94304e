import os

from accounts.models import User

DEMO_ADMIN_EMAIL = "admin@example.com"


def seed(stdout):
    """The demo superuser; its password is reset to the demo one on every run."""
    password = os.environ.get("DEMO_ADMIN_PASSWORD", "studio-demo-admin")
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_superuser(DEMO_ADMIN_EMAIL, password, name="Demo admin")
    else:
        admin.set_password(password)
        admin.save(update_fields=["password"])
    stdout.write(
        f"Demo admin: http://127.0.0.1:8000/admin/  email {DEMO_ADMIN_EMAIL}  password {password}"
    )

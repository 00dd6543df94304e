"""Admin of the projects domain (DATA_MODEL.md §3 "Admin" notes).

Lifecycle columns are read-only here; they change through the same services the API uses
(the Hibernate and Wake actions, file saves, container edits). Encrypted columns are never in
a form and are deferred on every queryset, so a list page decrypts nothing and shows secrets
only as `•••• last4`.
"""

# Importing the modules registers their ModelAdmins with the admin site; the Project admin is
# registered by backoffice/admin.py, which adds the marketplace's inline to it.
from projects.admin import canvas, credentials, files, projects, runtime  # noqa: F401

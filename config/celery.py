"""The task queue (Celery, with the project's Redis as broker): work that must not hold a
request, such as outbound mail, with retries (docs/operations.md, "Worker").

Settings are the `CELERY_*` names of the Django settings. Without `CELERY_BROKER_URL`
(development and the test suite) tasks run eagerly, inside the caller. The worker is started
with DJANGO_SETTINGS_MODULE set (Procfile: `worker`).
"""

from celery import Celery

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

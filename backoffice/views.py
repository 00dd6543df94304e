from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults


def handler403(request, exception):
    """A staff member refused an admin page stays inside the admin, with a way back."""
    user = getattr(request, "user", None)
    if request.path.startswith("/admin/") and user is not None and user.is_staff:
        context = {
            **admin.site.each_context(request),
            "title": "You may not open this page",
            "back": safe_referrer(request) or reverse("admin:index"),
        }
        return TemplateResponse(request, "admin/denied.html", context, status=403).render()
    return defaults.permission_denied(request, exception)


def safe_referrer(request):
    """The page the request came from, when it is on this site."""
    referrer = request.META.get("HTTP_REFERER", "")
    allowed = url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referrer if allowed else None

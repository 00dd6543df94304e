from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.session_login import login_view
from config import views

api_v1 = [
    path("", views.ApiRootView.as_view(), name="api-root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", views.OfflineRedocView.as_view(url_name="schema"), name="redoc"),
    path("health/", views.HealthView.as_view(), name="health"),
    # The busiest routes first (PERFORMANCE.md W1 to W5): no two apps' routes overlap, so the
    # order changes only how many patterns a request is tried against before its own.
    path("", include("chat.urls")),
    path("", include("billing.urls")),
    path("", include("projects.urls")),
    path("", include("kanban.urls")),
    path("", include("feedback.urls")),
    path("", include("marketplace.urls")),
    path("", include("accounts.urls")),
    # Unrouted API paths answer in the error shape, also with DEBUG on.
    re_path(r"^.*$", views.api_not_found),
]

# Admin and the browsable API sign in through one form that cannot skip 2FA.
session_auth = [
    path("login/", login_view, name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
]

urlpatterns = [
    path("", views.landing, name="landing"),
    path("admin/login/", login_view, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api-auth/", include((session_auth, "rest_framework"))),
    path("api/v1/", include(api_v1)),
    re_path(r"^api/", views.api_not_found),
    path("healthz", views.liveness, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

handler400 = "config.exceptions.handler400"
handler403 = "backoffice.views.handler403"
handler404 = "config.views.handler404"
handler500 = "config.exceptions.handler500"

"""Accounts API routes, under /api/v1/ (docs/spec/API.md §9.1)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import views

router = SimpleRouter()
router.register("auth/tokens", views.AccessTokenViewSet, basename="access-token")
router.register("auth/oauth-accounts", views.OAuthAccountViewSet, basename="oauth-account")
router.register("auth/mcp-servers", views.McpServerViewSet, basename="mcp-server")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/login/2fa/", views.LoginTwoFactorView.as_view(), name="auth-login-2fa"),
    path(
        "auth/login/2fa/resend/",
        views.LoginTwoFactorResendView.as_view(),
        name="auth-login-2fa-resend",
    ),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/password-reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/verify-email/", views.EmailConfirmView.as_view(), name="auth-verify-email"),
    path(
        "auth/verify-email/resend/",
        views.VerifyEmailResendView.as_view(),
        name="auth-verify-email-resend",
    ),
    path("auth/email/change/", views.EmailChangeView.as_view(), name="auth-email-change"),
    path("auth/email/confirm/", views.EmailConfirmView.as_view(), name="auth-email-confirm"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("auth/waitlist/", views.WaitlistJoinView.as_view(), name="auth-waitlist"),
    path(
        "auth/oauth/<str:provider>/authorize/",
        views.OAuthAuthorizeView.as_view(),
        name="auth-oauth-authorize",
    ),
    path(
        "auth/oauth/<str:provider>/callback/",
        views.OAuthCallbackView.as_view(),
        name="auth-oauth-callback",
    ),
    *router.urls,
]

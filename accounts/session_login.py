"""The one sign-in form of Django admin and the browsable API (docs/spec/API.md §2).

It runs the steps of `POST auth/login/`: the password, then the emailed code when
`two_fa_enabled` is on, so a session cannot skip 2FA. The API's sign-in throttles apply too.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts import services
from accounts.errors import ChallengeInvalid
from accounts.throttles import LoginEmailThrottle, LoginThrottle
from config.exceptions import DomainError
from config.throttling import ThrottleUnavailable

PENDING_CHALLENGE = "accounts.pending_2fa_challenge"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PasswordStepForm(forms.Form):
    email = forms.EmailField(max_length=320, widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(max_length=128, strip=False, widget=forms.PasswordInput)


class CodeStepForm(forms.Form):
    code = forms.RegexField(
        r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code"}),
        error_messages={"invalid": "Enter the 6-digit code from the email."},
    )


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/admin/"


def _refusal(request):
    """(message, status) when the sign-in throttles refuse this attempt, else None; they fail
    closed while their cache is down (config.throttling.ThrottleCache)."""
    try:
        allowed = all(
            throttle.allow_request(request, None)
            for throttle in (LoginThrottle(), LoginEmailThrottle())
        )
    except ThrottleUnavailable as unavailable:
        return str(unavailable.detail), 503
    return None if allowed else ("Too many attempts. Wait a minute and try again.", 429)


def _page(request, form, step, status=200):
    context = {
        **admin.site.each_context(request),
        "form": form,
        "step": step,
        "app_path": request.get_full_path(),
        "next": _next_url(request),
        "title": "Log in",
    }
    return render(request, "accounts/login.html", context, status=status)


def _password_step(request):
    form = PasswordStepForm(request.POST)
    if not form.is_valid():
        return _page(request, form, "password")
    refusal = _refusal(request)
    if refusal:
        form.add_error(None, refusal[0])
        return _page(request, form, "password", status=refusal[1])
    try:
        result = services.login_password(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            request=request,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, form, "password")
    if isinstance(result, services.Challenge):
        request.session[PENDING_CHALLENGE] = result.token
        return _page(request, CodeStepForm(), "code")
    auth_login(request, result)
    return redirect(_next_url(request))


def _code_step(request):
    form = CodeStepForm(request.POST)
    if not form.is_valid():
        return _page(request, form, "code")
    refusal = _refusal(request)
    if refusal:
        form.add_error(None, refusal[0])
        return _page(request, form, "code", status=refusal[1])
    try:
        user = services.login_two_factor(
            challenge_token=request.session[PENDING_CHALLENGE], raw=form.cleaned_data["code"]
        )
    except ChallengeInvalid as exc:
        del request.session[PENDING_CHALLENGE]
        restart = PasswordStepForm()
        restart.add_error(None, exc.message)
        return _page(request, restart, "password")
    except DomainError as exc:
        form.add_error("code", exc.message)
        return _page(request, form, "code")
    del request.session[PENDING_CHALLENGE]
    auth_login(request, user, backend=MODEL_BACKEND)
    return redirect(_next_url(request))


@sensitive_post_parameters("password", "code")
@csrf_protect
@never_cache
def login_view(request):
    if request.method != "POST":
        request.session.pop(PENDING_CHALLENGE, None)
        return _page(request, PasswordStepForm(), "password")
    if "code" in request.POST and PENDING_CHALLENGE in request.session:
        return _code_step(request)
    return _password_step(request)

"""The one error shape of docs/spec/API.md §4, for every failure class."""

import json

import pytest

from accounts.models import User
from tests.helpers import assert_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.probe")]


def test_bad_json_is_parse_error(client_for, user):
    response = client_for(user).post(
        "/api/v1/probe/echo/", data='{"name": ', content_type="application/json"
    )
    body = assert_error(response, 400, "parse_error")
    assert body["fields"] == {}


def test_unknown_route_is_not_found(api_client):
    assert_error(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(api_client.post("/api/v2/anything"), 404, "not_found")


def test_an_unrouted_path_answers_in_the_same_bytes_as_a_routed_one(api_client, user):
    """Issue 22: one renderer for every API error, routed or not."""
    api_client.force_authenticate(user)
    unrouted = api_client.get("/api/v1/no-such-thing/")
    routed = api_client.get("/api/v1/projects/00000000-0000-0000-0000-000000000000/")
    assert routed.status_code == unrouted.status_code == 404
    assert (
        unrouted.content
        == routed.content
        == b'{"code":"not_found","message":"Not found.","fields":{}}'
    )
    assert unrouted["Content-Type"] == routed["Content-Type"]


def test_an_unrouted_path_is_negotiated_as_a_routed_one(client, user):
    """Issue 22: in a browser the unrouted 404 is the browsable API's page, as a routed one
    is, not a bare line of JSON."""
    client.force_login(user)
    unrouted = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT="text/html")
    routed = client.get(
        "/api/v1/projects/00000000-0000-0000-0000-000000000000/", HTTP_ACCEPT="text/html"
    )
    assert routed.status_code == unrouted.status_code == 404
    assert unrouted["Content-Type"] == routed["Content-Type"] == "text/html; charset=utf-8"
    assert b"&quot;not_found&quot;" in unrouted.content


def test_wrong_method_is_method_not_allowed(api_client):
    assert_error(api_client.delete("/api/v1/health/"), 405, "method_not_allowed")


def test_missing_token_is_not_authenticated(api_client):
    response = api_client.post("/api/v1/probe/echo/", {"name": "a"}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_bad_token_is_authentication_failed(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer stu_not-a-real-token")
    response = api_client.post("/api/v1/probe/echo/", {"name": "a"}, format="json")
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Bearer"


def test_validation_errors_use_dotted_paths(client_for, user):
    response = client_for(user).post(
        "/api/v1/probe/echo/",
        {"name": "toolong", "tags": ["ok", "toolong"], "items": [{"qty": 1}, {"qty": "x"}]},
        format="json",
    )
    body = assert_error(response, 400, "validation_error")
    assert set(body["fields"]) == {"name", "tags.1", "items.1.qty"}
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)


def test_object_level_validation_is_non_field_errors(client_for, user):
    response = client_for(user).post("/api/v1/probe/echo/", {"name": "bad"}, format="json")
    body = assert_error(response, 400, "validation_error")
    assert list(body["fields"]) == ["non_field_errors"]


def test_valid_input_passes(client_for, user):
    response = client_for(user).post("/api/v1/probe/echo/", {"name": "ok"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"name": "ok"}


def test_body_over_the_cap_is_payload_too_large(client_for, user, settings):
    body = b'{"name": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    response = client_for(user).post(
        "/api/v1/probe/echo/", data=body, content_type="application/json"
    )
    assert_error(response, 413, "payload_too_large")


def test_unsupported_content_type(client_for, user):
    response = client_for(user).post(
        "/api/v1/probe/echo/", data="name=ok", content_type="text/plain"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_unique_violation_is_already_exists_naming_fields_not_values(client_for, user, other_user):
    response = client_for(user).post(
        "/api/v1/probe/conflict/", {"email": other_user.email}, format="json"
    )
    body = assert_error(response, 409, "already_exists")
    assert list(body["fields"]) == ["email"]
    assert other_user.email not in response.content.decode()


def test_check_violation_is_validation_error_and_changes_nothing(client_for, user):
    response = client_for(user).post("/api/v1/probe/check-violation/")
    assert_error(response, 400, "validation_error")
    user.refresh_from_db()
    assert user.purchased_credits == 0


def test_data_error_is_validation_error(client_for, user):
    response = client_for(user).post("/api/v1/probe/data-error/")
    assert_error(response, 400, "validation_error")
    user.refresh_from_db()
    assert user.theme_preset == "default-dark"


def test_unexpected_error_is_logged_500_without_traceback(client_for, user, caplog):
    response = client_for(user).get("/api/v1/probe/crash/", HTTP_X_REQUEST_ID="req-42")
    body = assert_error(response, 500, "server_error")
    assert "req-42" in body["message"]
    assert response["X-Request-ID"] == "req-42"
    text = response.content.decode()
    assert "Traceback" not in text and "internal detail" not in text
    assert any("req-42" in record.getMessage() and record.exc_info for record in caplog.records)


def test_domain_error_carries_its_code_and_status(client_for, user):
    assert_error(client_for(user).post("/api/v1/probe/domain/"), 409, "invalid_state_transition")


def test_permission_denied(client_for, user):
    assert_error(client_for(user).get("/api/v1/probe/denied/"), 403, "permission_denied")


def test_error_changes_nothing_in_the_database(client_for, user):
    before = User.objects.count()
    client_for(user).post("/api/v1/probe/conflict/", {"email": user.email}, format="json")
    assert User.objects.count() == before


def test_unsafe_method_on_an_unknown_route_with_a_session_is_404_not_a_csrf_page(user):
    """R14 regression: the catch-all answered POST with Django's HTML CSRF page."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.delete("/api/v1/auth/oauth-accounts/0.5/")
    assert_error(response, 404, "not_found")


def test_csrf_failure_is_the_error_shape_under_the_api_only():
    from django.test import RequestFactory

    from config.exceptions import csrf_failure

    api = csrf_failure(RequestFactory().post("/api/v1/anything/"), reason="no token")
    assert api.status_code == 403
    assert json.loads(api.content)["code"] == "permission_denied"
    page = csrf_failure(RequestFactory().post("/admin/login/"), reason="no token")
    assert page.status_code == 403 and "text/html" in page["Content-Type"]


def test_json_nested_past_the_recursion_limit_is_a_parse_error(client_for, user):
    """Regression: DRF's parser hit RecursionError (a 500) on deeply nested JSON."""
    body = "[" * 100_000 + "]" * 100_000
    response = client_for(user).post(
        "/api/v1/probe/echo/", data=body, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")

"""Admin and the browsable API sign in through one form that cannot skip 2FA (API.md §2)."""

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def password_step(client, user, password=DEFAULT_PASSWORD):
    return client.post(LOGIN, {"email": user.email, "password": password})


def test_staff_without_2fa_signs_in_with_the_password(client, staff_user):
    response = password_step(client, staff_user)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_password_stays_on_the_form(client, staff_user):
    response = password_step(client, staff_user, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_two_fa_staff_must_enter_the_emailed_code(client, committed, mailed_code):
    staff = UserFactory(staff=True, two_fa_enabled=True)
    with committed():
        response = password_step(client, staff)
    assert response.status_code == 200
    assert response.context["step"] == "code"
    assert client.get("/admin/").status_code == 302  # the password alone signs nobody in
    wrong = client.post(
        LOGIN, {"code": "000000" if mailed_code(staff.email) != "000000" else "111111"}
    )
    assert wrong.context["step"] == "code"
    response = client.post(LOGIN, {"code": mailed_code(staff.email)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_without_a_password_step_signs_nobody_in(client):
    response = client.post(LOGIN, {"code": "123456"})
    assert response.context["step"] == "password"
    assert client.get("/admin/").status_code == 302


def test_browsable_api_uses_the_same_form(client, user):
    page = client.get("/api-auth/login/")
    assert page.status_code == 200
    assert page.context["step"] == "password"
    response = client.post(
        "/api-auth/login/?next=/api/v1/auth/me/",
        {"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/api/v1/auth/me/", HTTP_ACCEPT="application/json").status_code == 200


def test_session_login_is_throttled_like_the_api(client, staff_user):
    statuses = [password_step(client, staff_user, "wrong-one").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_next_may_not_leave_the_site(client, staff_user):
    response = client.post(
        "/admin/login/?next=https://evil.example.com/",
        {"email": staff_user.email, "password": DEFAULT_PASSWORD},
    )
    assert response["Location"] == "/admin/"

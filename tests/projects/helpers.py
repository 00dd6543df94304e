"""Small helpers shared by the projects tests."""


def assert_error(response, status, code):
    """The error shape of spec/API.md §4, asserting on the stable `code`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code, body
    return body

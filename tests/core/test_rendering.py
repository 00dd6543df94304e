import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.probe")]


def test_json_formats_for_decimal_uuid_and_datetime(api_client):
    response = api_client.get("/api/v1/probe/formats/")
    assert response["Content-Type"] == "application/json"
    assert response.content == (
        b'{"decimal":"7.5000","uuid":"12345678-1234-5678-1234-567812345678",'
        b'"time":"2025-05-01T12:00:00.123456Z"}'
    )


def test_request_id_is_generated_or_echoed(api_client):
    generated = api_client.get("/api/v1/probe/public/")["X-Request-ID"]
    assert len(generated) == 32
    assert (
        api_client.get("/api/v1/probe/public/", HTTP_X_REQUEST_ID="abc-1")["X-Request-ID"]
        == "abc-1"
    )
    spoofed = api_client.get("/api/v1/probe/public/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"]
    assert spoofed != "bad id\n" and len(spoofed) == 32


def test_integers_beyond_64_bits_render_instead_of_failing():
    """Regression: jsonb keeps integers orjson cannot write (a 500 on every later read)."""
    from config.renderers import ORJSONRenderer

    assert (
        ORJSONRenderer().render({"big": 10**20, "ok": 1}) == b'{"big":100000000000000000000,"ok":1}'
    )


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/json; indent=4", "text/html", "text/*"],
)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
def test_negotiation_answers_as_drf_does(rf, accept, query):
    """The shortcut for the common Accept headers picks what DRF's own negotiation picks, and
    refuses what it refuses."""
    from rest_framework.exceptions import NotAcceptable
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.renderers import BrowsableAPIRenderer
    from rest_framework.request import Request

    from config.renderers import ContentNegotiation, ORJSONRenderer

    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(rf.get(f"/api/v1/{query}", **headers))
    renderers = [ORJSONRenderer(), BrowsableAPIRenderer()]

    def answer(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except NotAcceptable:
            return "406"
        return type(renderer), media_type

    assert answer(ContentNegotiation()) == answer(DefaultContentNegotiation())

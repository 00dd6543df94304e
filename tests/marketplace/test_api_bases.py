"""marketplace/bases/ through the API: browsing, submitting, editing, deleting and using a base
(API.md §9.4, MKT-15…17)."""

import pytest

from marketplace.models import MarketplaceBase
from projects.models import Container
from tests.factories import UserFactory
from tests.helpers import assert_error, assert_refused, ids
from tests.marketplace.factories import BaseFactory, install
from tests.marketplace.utils import API, BASES, base_url
from tests.projects.factories import ContainerFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NEW_BASE = {
    "name": "Starter",
    "description": "A starter.",
    "git_repo_url": "https://github.com/example/starter",
    "category": "backend",
    "tech_stack": ["python"],
}


def test_mkt_1_anonymous_browse_lists_public_active_bases(as_user, base, creator):
    BaseFactory(created_by_user=creator)  # private
    BaseFactory(listed=True, is_active=False)
    response = as_user(None).get(BASES)
    assert ids(response) == [str(base.pk)]
    row = response.json()["results"][0]
    assert row["visibility"] == "public"
    assert row["git_repo_url"] == base.git_repo_url


def test_filters_search_and_ordering(as_user, creator):
    paid = BaseFactory(listed=True, paid=True, category="data", downloads=1, name="Pipes")
    featured = BaseFactory(listed=True, is_featured=True, downloads=5, tags=["etl"])
    client = as_user(None)
    assert ids(client.get(BASES, {"category": "data"})) == [str(paid.pk)]
    assert ids(client.get(BASES, {"pricing_type": "paid"})) == [str(paid.pk)]
    assert ids(client.get(BASES, {"is_featured": "true"})) == [str(featured.pk)]
    assert ids(client.get(BASES, {"search": "pip"})) == [str(paid.pk)]
    assert ids(client.get(BASES, {"search": "ETL"})) == [str(featured.pk)]
    assert ids(client.get(BASES)) == [str(featured.pk), str(paid.pk)]
    assert ids(client.get(BASES, {"ordering": "-price"})) == [str(paid.pk), str(featured.pk)]


@pytest.mark.parametrize(
    "params",
    [{"category": "games"}, {"pricing_type": "monthly"}, {"mine": "x"}, {"ordering": "visibility"}],
)
def test_bad_list_parameters_are_400(as_user, params):
    assert_error(as_user(None).get(BASES, params), 400, "validation_error")


def test_mkt_15_submit_is_private_whatever_is_sent(as_user, user):
    refused = as_user(user).post(BASES, {**NEW_BASE, "visibility": "public"}, format="json")
    assert_refused(refused, "visibility")
    response = as_user(user).post(BASES, NEW_BASE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["visibility"], body["in_library"], body["default_branch"]) == (
        "private",
        True,
        "main",
    )
    assert as_user(None).get(base_url(MarketplaceBase.objects.get())).status_code == 404


def test_mkt_15_creator_switches_visibility(as_user, creator):
    base = BaseFactory(created_by_user=creator)
    response = as_user(creator).patch(base_url(base), {"visibility": "public"}, format="json")
    assert response.json()["visibility"] == "public"
    assert as_user(None).get(base_url(base)).status_code == 200


BAD_BASE_INPUT = {
    "name": ["", "x" * 101],
    "description": ["", "x" * 2001],
    "long_description": ["x" * 50_001],
    "git_repo_url": [
        "http://github.com/a/b",
        "https://user:pw@github.com/a/b",
        "https://127.0.0.1/a",
        "https://localhost/a",
        "https://github.com/a/b?x=1",
        "https://github.com/a/b#frag",
        "not a url",
    ],
    "default_branch": ["", "-rf", "a b", "a..b", "x" * 101],
    "category": ["games"],
    "tech_stack": ["react", ["t"] * 31, [3]],
    "tags": [["x" * 51]],
    "icon": ["x" * 33],
    "pricing_type": ["monthly"],
    "price": [-1, 10],
    "visibility": ["secret"],
}
BAD_BASE_CASES = [
    pytest.param(field, value, id=f"{field}-{index}")
    for field, values in BAD_BASE_INPUT.items()
    for index, value in enumerate(values)
]


@pytest.mark.parametrize(("field", "value"), BAD_BASE_CASES)
def test_bad_input_for_every_writable_field_is_400_and_changes_nothing(
    as_user, base, creator, field, value
):
    client = as_user(creator)
    before = MarketplaceBase.objects.count()
    if field != "visibility":  # not a create field: ignored there
        body = assert_error(
            client.post(BASES, {**NEW_BASE, field: value}, format="json"), 400, "validation_error"
        )
        assert any(key.split(".")[0] == field for key in body["fields"]), body
    assert MarketplaceBase.objects.count() == before
    assert_error(
        client.patch(base_url(base), {field: value}, format="json"), 400, "validation_error"
    )
    assert MarketplaceBase.objects.get(pk=base.pk).updated_at == base.updated_at


def test_mkt_17_delete_through_the_api(as_user, base, creator, user):
    install(user, base)
    assert_error(as_user(creator).delete(base_url(base)), 409, "base_in_use")
    assert_error(as_user(user).delete(base_url(base)), 403, "permission_denied")
    mine = BaseFactory(created_by_user=creator)
    install(creator, mine)
    assert as_user(creator).delete(base_url(mine)).status_code == 204


# Use (MKT-16)


def use(client, base, target_project, **body):
    body = {"project": str(target_project.pk), "name": "web", **body}
    return client.post(base_url(base, "use/"), body, format="json")


def test_mkt_16_use_returns_the_container_with_its_base(as_user, base, user, project):
    response = use(as_user(user), base, project, directory="apps/web")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["base"] == {"id": str(base.pk), "slug": base.slug, "name": base.name}
    assert (body["name"], body["directory"], body["is_primary"]) == ("web", "apps/web", True)
    container = as_user(user).get(f"{API}projects/{project.pk}/containers/{body['id']}/").json()
    assert container["base"]["slug"] == base.slug


def test_mkt_16_use_failures(as_user, base, creator, user, project):
    client = as_user(user)
    assert_error(use(client, base, ProjectFactory()), 404, "not_found")
    assert_error(use(client, BaseFactory(created_by_user=creator), project), 404, "not_found")
    paid = BaseFactory(created_by_user=creator, listed=True, paid=True)
    assert_error(use(client, paid, project), 403, "purchase_required")
    ContainerFactory(project=project, name="web")
    body = assert_error(use(client, base, project), 409, "already_exists")
    assert "name" in body["fields"]
    assert Container.objects.filter(project=project).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Web App"},
        {"name": ""},
        {"name": "x" * 64},
        {"directory": "../up"},
        {"directory": "/abs"},
        {"project": "nope"},
        {"project": None},
    ],
)
def test_mkt_16_bad_use_input_is_400(as_user, base, user, project, body):
    assert_error(use(as_user(user), base, project, **body), 400, "validation_error")
    assert not Container.objects.exists()


def test_mkt_10_using_a_free_base_counts_one_download_per_user(as_user, base, project):
    use(as_user(project.owner), base, project)
    other = UserFactory()
    use(as_user(other), base, ProjectFactory(owner=other))
    use(as_user(project.owner), base, project, name="second")
    base.refresh_from_db()
    assert base.downloads == 2

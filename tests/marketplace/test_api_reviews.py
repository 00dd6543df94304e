"""Reviews through the API (MKT-40…43, RELIABILITY.md R19): reviewing without installing, a
second review and reviewing one's own item all fail."""

from decimal import Decimal

import pytest

from marketplace.models import AgentReview, MarketplaceAgent
from tests.factories import UserFactory
from tests.helpers import assert_error, assert_refused, ids
from tests.marketplace.factories import AgentFactory, AgentReviewFactory, install
from tests.marketplace.utils import agent_url, review_url, reviews_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["agent", "base"])
def test_mkt_40_r19_review_needs_access_and_not_own_item(request, as_user, creator, user, kind):
    item = request.getfixturevalue(kind)
    install(creator, item)
    url = reviews_url(item)
    assert_error(as_user(user).post(url, {"rating": 5}), 403, "purchase_required")
    assert_error(as_user(creator).post(url, {"rating": 5}), 403, "own_item")
    install(user, item)
    response = as_user(user).post(url, {"rating": 5, "comment": "Great"})
    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["comment"], body["user"]["id"]) == (5, "Great", str(user.pk))
    assert "email" not in body["user"]
    item.refresh_from_db()
    assert (item.rating, item.reviews_count) == (Decimal("5.00"), 1)


def test_mkt_41_r19_a_second_review_is_409_and_patch_edits(as_user, agent, user):
    install(user, agent)
    client = as_user(user)
    review_id = client.post(reviews_url(agent), {"rating": 2}).json()["id"]
    assert_error(client.post(reviews_url(agent), {"rating": 4}), 409, "already_exists")
    review = AgentReview.objects.get(pk=review_id)
    response = client.patch(review_url(review), {"comment": "Better now"}, format="json")
    assert response.status_code == 200
    assert (response.json()["rating"], response.json()["comment"]) == (2, "Better now")
    response = client.patch(review_url(review), {"rating": 4}, format="json")
    assert MarketplaceAgent.objects.get(pk=agent.pk).rating == Decimal("4.00")
    assert response.json()["created_at"] < response.json()["updated_at"]


def test_mkt_42_delete_recomputes_and_only_the_author_writes(as_user, agent, user, other_user):
    install(user, agent)
    install(other_user, agent)
    mine = AgentReview.objects.get(
        pk=as_user(user).post(reviews_url(agent), {"rating": 1}).json()["id"]
    )
    as_user(other_user).post(reviews_url(agent), {"rating": 4})
    assert_error(
        as_user(other_user).patch(review_url(mine), {"rating": 5}), 403, "permission_denied"
    )
    assert_error(as_user(other_user).delete(review_url(mine)), 403, "permission_denied")
    assert as_user(user).delete(review_url(mine)).status_code == 204
    agent.refresh_from_db()
    assert (agent.rating, agent.reviews_count) == (Decimal("4.00"), 1)


def test_reviews_of_an_invisible_item_are_404(as_user, creator, user):
    draft = AgentFactory(created_by_user=creator)
    review = AgentReviewFactory(agent=draft)
    assert_error(as_user(user).get(reviews_url(draft)), 404, "not_found")
    assert_error(as_user(user).post(reviews_url(draft), {"rating": "bad"}), 404, "not_found")
    assert_error(as_user(review.user).patch(review_url(review), {"rating": 1}), 404, "not_found")


def test_review_list_is_public_and_ordered(as_user, agent):
    old = AgentReviewFactory(agent=agent, rating=5)
    new = AgentReviewFactory(agent=agent, rating=2)
    client = as_user(None)
    assert ids(client.get(reviews_url(agent))) == [str(new.pk), str(old.pk)]
    assert ids(client.get(reviews_url(agent), {"ordering": "-rating"})) == [
        str(old.pk),
        str(new.pk),
    ]
    assert_error(client.get(reviews_url(agent), {"ordering": "user"}), 400, "validation_error")


def test_a_review_under_another_item_is_404(as_user, agent, user):
    other = AgentFactory(listed=True)
    review = AgentReviewFactory(agent=other, user=user)
    url = f"{agent_url(agent)}reviews/{review.pk}/"
    assert_error(as_user(user).patch(url, {"rating": 1}), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [{}, {"rating": 0}, {"rating": 6}, {"rating": "five"}, {"rating": 3, "comment": "x" * 5001}],
)
def test_bad_review_input_is_400_and_changes_nothing(as_user, agent, user, body):
    install(user, agent)
    assert_error(
        as_user(user).post(reviews_url(agent), body, format="json"), 400, "validation_error"
    )
    assert not AgentReview.objects.exists()


@pytest.mark.parametrize("body", [{"rating": 0}, {"comment": "x" * 5001}])
def test_bad_review_edit_is_400_and_changes_nothing(as_user, agent, user, body):
    review = AgentReviewFactory(agent=agent, user=user, rating=3)
    assert_error(
        as_user(user).patch(review_url(review), body, format="json"), 400, "validation_error"
    )
    review.refresh_from_db()
    assert (review.rating, review.comment) == (3, "")


def test_r3_review_refuses_privileged_fields(as_user, agent, user):
    install(user, agent)
    someone = UserFactory()
    response = as_user(user).post(
        reviews_url(agent),
        {"rating": 3, "user": str(someone.pk), "agent": str(AgentFactory().pk)},
    )
    assert_refused(response, "user", "agent")
    assert not AgentReview.objects.exists()

"""FBK-8 under real concurrency: simultaneous API requests against PostgreSQL, one thread and
one database connection per request, all released together by a barrier."""

import pytest

from feedback.models import FeedbackPost, FeedbackUpvote
from tests.concurrency import clients_sharing_token, run_at_once
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackPostFactory, upvote
from tests.feedback.utils import post_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_fbk_8_fifty_users_upvoting_at_once_give_fifty(client_for):
    post = FeedbackPostFactory()
    clients = [client_for(voter) for voter in UserFactory.create_batch(50)]
    url = post_url(post, "upvote/")
    responses = run_at_once([lambda client=client: client.post(url) for client in clients])
    assert [response.status_code for response in responses] == [201] * 50
    assert FeedbackPost.objects.get().upvote_count == FeedbackUpvote.objects.count() == 50


def test_fbk_8_one_user_upvoting_twenty_times_at_once_gives_one(client_for, user):
    post = FeedbackPostFactory()
    url = post_url(post, "upvote/")
    clients = clients_sharing_token(client_for, user, 20)
    responses = run_at_once([lambda client=client: client.post(url) for client in clients])
    assert sorted(response.status_code for response in responses) == [200] * 19 + [201]
    assert {response.json()["upvote_count"] for response in responses} == {1}
    assert FeedbackPost.objects.get().upvote_count == FeedbackUpvote.objects.count() == 1


def test_fbk_8_one_user_withdrawing_twenty_times_at_once_gives_zero(client_for, user):
    post = upvote(FeedbackPostFactory(), user, UserFactory())
    url = post_url(post, "upvote/")
    clients = clients_sharing_token(client_for, user, 20)
    responses = run_at_once([lambda client=client: client.delete(url) for client in clients])
    assert {response.status_code for response in responses} == {204}
    assert FeedbackPost.objects.get().upvote_count == FeedbackUpvote.objects.count() == 1


def test_fbk_8_mixed_adds_and_removes_stay_exact(client_for):
    post = FeedbackPostFactory()
    stayers, leavers = UserFactory.create_batch(15), UserFactory.create_batch(15)
    upvote(post, *leavers)
    url = post_url(post, "upvote/")
    adders = [client_for(voter) for voter in stayers]
    removers = [client_for(voter) for voter in leavers]
    requests = [lambda client=client: client.post(url) for client in adders]
    requests += [lambda client=client: client.delete(url) for client in removers]
    run_at_once(requests)
    assert FeedbackPost.objects.get().upvote_count == FeedbackUpvote.objects.count() == 15

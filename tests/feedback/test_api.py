"""The feedback API through URLs (API.md §9.7): shapes, rules, bad input, queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import FeedbackComment, FeedbackPost, FeedbackStatus, FeedbackUpvote
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory, FeedbackPostFactory, upvote
from tests.feedback.utils import POSTS, comment_url, comments_url, post_url
from tests.helpers import assert_error, assert_refused, ids

pytestmark = pytest.mark.django_db

NEW_POST = {"type": "bug", "title": "Export fails", "description": "The zip is empty."}


def snapshot(model):
    """Every row of `model` as plain values, to show a refused request changed nothing."""
    return sorted(model.objects.values_list(), key=str)


# Post shape


def test_post_shape_for_another_user(client_for, post, other_user):
    upvote(post, other_user)
    FeedbackCommentFactory(feedback=post)
    body = client_for(other_user).get(post_url(post)).json()
    assert body == {
        "id": str(post.pk),
        "author": {
            "id": str(post.user.pk),
            "username": post.user.username,
            "name": post.user.name,
            "avatar_url": "",
        },
        "type": "bug",
        "title": post.title,
        "description": post.description,
        "status": "open",
        "upvote_count": 1,
        "comment_count": 1,
        "has_upvoted": True,
        "is_mine": False,
        "is_hidden": None,  # the same keys for every viewer; the value is not theirs to know
        "hidden_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert post.user.email not in str(body)


@pytest.mark.parametrize("viewer", ["author", "moderator"])
def test_hidden_state_is_shown_to_the_author_and_moderators(request, client_for, post, viewer):
    body = client_for(request.getfixturevalue(viewer)).get(post_url(post)).json()
    assert (body["is_hidden"], body["hidden_at"]) == (False, None)


def test_times_are_utc_with_z(client_for, post, user):
    body = client_for(user).get(post_url(post)).json()
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")


# FBK-1 visibility


def test_fbk_1_list_shows_visible_posts_and_own_hidden_ones(
    client_for, post, hidden_post, author, other_user, moderator
):
    assert set(ids(client_for(author).get(POSTS))) == {str(post.pk), str(hidden_post.pk)}
    assert set(ids(client_for(moderator).get(POSTS))) == {str(post.pk), str(hidden_post.pk)}
    assert ids(client_for(other_user).get(POSTS)) == [str(post.pk)]


def test_fbk_1_another_users_hidden_post_is_404_everywhere(client_for, hidden_post, other_user):
    client = client_for(other_user)
    before = snapshot(FeedbackPost)
    assert_error(client.get(post_url(hidden_post)), 404, "not_found")
    assert_error(client.patch(post_url(hidden_post), {"title": "x"}), 404, "not_found")
    assert_error(client.delete(post_url(hidden_post)), 404, "not_found")
    assert_error(client.post(post_url(hidden_post, "upvote/")), 404, "not_found")
    assert_error(client.delete(post_url(hidden_post, "upvote/")), 404, "not_found")
    assert_error(client.get(comments_url(hidden_post)), 404, "not_found")
    assert_error(client.post(comments_url(hidden_post), {"content": "x"}), 404, "not_found")
    assert snapshot(FeedbackPost) == before
    assert not FeedbackComment.objects.exists()


def test_unknown_and_malformed_ids_are_404(client_for, user, post):
    client = client_for(user)
    assert_error(client.get(f"{POSTS}00000000-0000-0000-0000-000000000000/"), 404, "not_found")
    assert_error(client.get(f"{POSTS}not-a-uuid/"), 404, "not_found")
    assert_error(client.get(f"{POSTS}not-a-uuid/comments/"), 404, "not_found")


# FBK-2 create


def test_fbk_2_create_returns_the_new_open_post(client_for, user):
    response = client_for(user).post(POSTS, NEW_POST)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in NEW_POST} == NEW_POST
    assert (body["status"], body["upvote_count"], body["comment_count"]) == ("open", 0, 0)
    assert (body["is_mine"], body["has_upvoted"], body["is_hidden"]) == (True, False, False)
    assert FeedbackPost.objects.get().user == user


def test_r3_privileged_fields_on_create_are_refused(client_for, user, other_user):
    privileged = {
        "status": "resolved",
        "upvote_count": 99,
        "is_hidden": True,
        "hidden_at": timezone.now().isoformat(),
        "user": str(other_user.pk),
        "author": str(other_user.pk),
        "id": "00000000-0000-0000-0000-000000000001",
    }
    response = client_for(user).post(POSTS, {**NEW_POST, **privileged})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(privileged)
    assert not FeedbackPost.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "question"}, "type"),
        ({"type": None}, "type"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": ["list"]}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"description": ""}, "description"),
        ({"description": "\n\t "}, "description"),
        ({"description": "x" * 20_001}, "description"),
        ({"description": {"not": "text"}}, "description"),
    ],
)
def test_bad_post_input_is_400_and_creates_nothing(client_for, user, changes, field):
    response = client_for(user).post(POSTS, {**NEW_POST, **changes})
    body = assert_error(response, 400, "validation_error")
    assert list(body["fields"]) == [field]
    assert not FeedbackPost.objects.exists()


@pytest.mark.parametrize("missing", ["type", "title", "description"])
def test_every_post_field_is_required_on_create(client_for, user, missing):
    data = {key: value for key, value in NEW_POST.items() if key != missing}
    body = assert_error(client_for(user).post(POSTS, data), 400, "validation_error")
    assert list(body["fields"]) == [missing]


def test_title_is_stripped_and_limits_are_inclusive(client_for, user):
    data = {"type": "bug", "title": f"  {'t' * 500}  ", "description": "d" * 20_000}
    assert client_for(user).post(POSTS, data).status_code == 201
    assert FeedbackPost.objects.get().title == "t" * 500


def test_malformed_json_is_parse_error(client_for, user):
    response = client_for(user).post(POSTS, data="{", content_type="application/json")
    assert_error(response, 400, "parse_error")


# FBK-3 edit


def test_fbk_3_author_edits_an_open_post(client_for, post, author):
    response = client_for(author).patch(post_url(post), {"title": "Better title"})
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Better title"
    assert response.json()["is_mine"] is True


def test_fbk_3_a_post_that_is_not_open_is_409_post_locked(client_for, post, author):
    FeedbackPost.objects.filter(pk=post.pk).update(status=FeedbackStatus.IN_PROGRESS)
    assert_error(client_for(author).patch(post_url(post), {"title": "x"}), 409, "post_locked")
    assert FeedbackPost.objects.get().title == post.title


def test_fbk_3_bad_input_is_400_before_the_lock_is_409(client_for, post, author):
    FeedbackPost.objects.filter(pk=post.pk).update(status=FeedbackStatus.CLOSED)
    assert_error(client_for(author).patch(post_url(post), {"type": "x"}), 400, "validation_error")


@pytest.mark.parametrize(
    "changes", [{"title": ""}, {"type": "feature"}, {"description": "x" * 20_001}]
)
def test_fbk_3_bad_edits_are_400_and_change_nothing(client_for, post, author, changes):
    before = snapshot(FeedbackPost)
    assert_error(client_for(author).patch(post_url(post), changes), 400, "validation_error")
    assert snapshot(FeedbackPost) == before


def test_fbk_3_an_edit_that_names_no_field_changes_nothing(client_for, post, author):
    FeedbackPost.objects.filter(pk=post.pk).update(status=FeedbackStatus.CLOSED)
    before = snapshot(FeedbackPost)
    assert client_for(author).patch(post_url(post), {}).status_code == 200
    assert_refused(client_for(author).patch(post_url(post), {"status": "open"}), "status")
    assert snapshot(FeedbackPost) == before


def test_r3_privileged_fields_on_edit_are_refused(client_for, post, author):
    response = client_for(author).patch(
        post_url(post), {"status": "closed", "upvote_count": 5, "is_hidden": True}
    )
    fields = assert_error(response, 400, "validation_error")["fields"]
    assert set(fields) == {"status", "upvote_count", "is_hidden"}
    post.refresh_from_db()
    assert (post.status, post.upvote_count, post.is_hidden) == ("open", 0, False)


def test_fbk_3_others_who_see_the_post_get_403_even_with_bad_input(client_for, post, other_user):
    response = client_for(other_user).patch(post_url(post), {"type": "not-a-type"})
    assert_error(response, 403, "permission_denied")


def test_put_is_not_offered(client_for, post, author):
    assert_error(client_for(author).put(post_url(post), NEW_POST), 405, "method_not_allowed")


# FBK-4 delete


def test_fbk_4_author_deletes_their_post(client_for, post, author, other_user):
    upvote(post, other_user)
    response = client_for(author).delete(post_url(post))
    assert response.status_code == 204 and response.content == b""
    assert not FeedbackPost.objects.exists() and not FeedbackUpvote.objects.exists()


# FBK-5 moderation


def test_fbk_5_moderator_sets_status_and_hides(client_for, post, moderator):
    response = client_for(moderator).patch(
        post_url(post, "moderation/"), {"status": "resolved", "is_hidden": True}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["is_hidden"]) == ("resolved", True)
    assert body["hidden_at"].endswith("Z")


def test_fbk_5_moderator_unhides(client_for, hidden_post, moderator):
    response = client_for(moderator).patch(
        post_url(hidden_post, "moderation/"), {"is_hidden": False}
    )
    assert (response.json()["is_hidden"], response.json()["hidden_at"]) == (False, None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "non_field_errors"),
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"is_hidden": "maybe"}, "is_hidden"),
    ],
)
def test_fbk_5_bad_moderation_is_400_and_changes_nothing(client_for, post, moderator, data, field):
    before = snapshot(FeedbackPost)
    response = client_for(moderator).patch(post_url(post, "moderation/"), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert snapshot(FeedbackPost) == before


def test_fbk_5_users_get_403_before_their_input_is_read(client_for, post, author):
    response = client_for(author).patch(post_url(post, "moderation/"), {"status": "nope"})
    assert_error(response, 403, "permission_denied")


# FBK-6, FBK-7 upvotes


def test_fbk_6_first_upvote_is_201_and_a_repeat_200(client_for, post, other_user):
    client = client_for(other_user)
    first, repeat = client.post(post_url(post, "upvote/")), client.post(post_url(post, "upvote/"))
    assert (first.status_code, repeat.status_code) == (201, 200)
    assert first.json() == repeat.json() == {"upvote_count": 1, "has_upvoted": True}
    assert client.get(post_url(post)).json()["has_upvoted"] is True


def test_fbk_6_authors_may_upvote_their_own_post(client_for, post, author):
    assert client_for(author).post(post_url(post, "upvote/")).status_code == 201


@pytest.mark.parametrize("viewer", ["author", "moderator"])
def test_fbk_6_a_hidden_post_is_409_post_hidden(request, client_for, hidden_post, viewer):
    response = client_for(request.getfixturevalue(viewer)).post(post_url(hidden_post, "upvote/"))
    assert_error(response, 409, "post_hidden")
    assert not FeedbackUpvote.objects.exists()


def test_fbk_7_removing_is_always_204(client_for, post, other_user):
    upvote(post, other_user)
    client = client_for(other_user)
    assert client.delete(post_url(post, "upvote/")).status_code == 204
    assert client.delete(post_url(post, "upvote/")).status_code == 204
    post.refresh_from_db()
    assert post.upvote_count == 0


def test_fbk_7_authors_and_moderators_may_withdraw_from_a_hidden_post(
    client_for, hidden_post, moderator
):
    assert client_for(moderator).delete(post_url(hidden_post, "upvote/")).status_code == 204


def test_r19_upvoting_twice_counts_once(client_for, post, other_user):
    client = client_for(other_user)
    for _ in range(3):
        client.post(post_url(post, "upvote/"))
    assert FeedbackPost.objects.get().upvote_count == 1


# List: filters, search, ordering (FBK-9)


@pytest.fixture
def board(author, other_user):
    """Four posts of other_user's with distinct upvotes, comments and ages, and one of author's."""
    now = timezone.now()
    rows = {
        "popular": ("bug", "open", 3, 0, now - timedelta(days=4)),
        "discussed": ("suggestion", "open", 1, 3, now - timedelta(days=3)),
        "quiet": ("suggestion", "closed", 0, 1, now - timedelta(days=1)),
        "fresh": ("bug", "resolved", 1, 0, now),
    }
    posts = {}
    for name, (kind, status, votes, comments, created_at) in rows.items():
        post = FeedbackPostFactory(user=other_user, type=kind, status=status, title=f"{name} title")
        FeedbackPost.objects.filter(pk=post.pk).update(created_at=created_at)
        upvote(post, *UserFactory.create_batch(votes))
        FeedbackCommentFactory.create_batch(comments, feedback=post)
        posts[name] = str(post.pk)
    FeedbackCommentFactory(feedback=FeedbackPost.objects.get(title="quiet title"), hidden=True)
    FeedbackCommentFactory(feedback=FeedbackPost.objects.get(title="quiet title"), hidden=True)
    mine = FeedbackPostFactory(user=author, title="mine title", description="About EXPORTS")
    FeedbackPost.objects.filter(pk=mine.pk).update(created_at=now - timedelta(days=10))
    posts["mine"] = str(mine.pk)
    return posts


def names(board, response):
    assert response.status_code == 200, response.content
    by_id = {pk: name for name, pk in board.items()}
    return [by_id[pk] for pk in ids(response)]


def test_default_order_is_most_upvoted_then_newest(client_for, author, board):
    # "fresh" and "discussed" tie on one upvote: the newer comes first.
    assert names(board, client_for(author).get(POSTS)) == [
        "popular",
        "fresh",
        "discussed",
        "quiet",
        "mine",
    ]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("created_at", ["mine", "popular", "discussed", "quiet", "fresh"]),
        ("-created_at", ["fresh", "quiet", "discussed", "popular", "mine"]),
        ("upvote_count", ["quiet", "mine", "fresh", "discussed", "popular"]),
        ("-comment_count", ["discussed", "quiet", "fresh", "popular", "mine"]),
        ("comment_count,-upvote_count", ["popular", "fresh", "mine", "quiet", "discussed"]),
    ],
)
def test_ordering(client_for, author, board, ordering, expected):
    assert names(board, client_for(author).get(POSTS, {"ordering": ordering})) == expected


def test_fbk_9_comment_ordering_spans_the_whole_result_not_a_page(client_for, author, board):
    client = client_for(author)
    first = client.get(POSTS, {"ordering": "-comment_count", "page_size": 1})
    second = client.get(POSTS, {"ordering": "-comment_count", "page_size": 1, "page": 2})
    assert names(board, first) + names(board, second) == ["discussed", "quiet"]


def test_fbk_23_hidden_comments_are_not_counted(client_for, author, board):
    rows = client_for(author).get(POSTS).json()["results"]
    assert {row["title"]: row["comment_count"] for row in rows}["quiet title"] == 1


def test_ties_are_broken_by_id(client_for, author):
    created_at = timezone.now()
    posts = FeedbackPostFactory.create_batch(4)
    FeedbackPost.objects.update(created_at=created_at)
    expected = sorted(str(post.pk) for post in posts)
    assert ids(client_for(author).get(POSTS)) == expected
    assert ids(client_for(author).get(POSTS, {"ordering": "created_at"})) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "bug"}, ["popular", "fresh", "mine"]),
        ({"status": "open"}, ["popular", "discussed", "mine"]),
        ({"type": "suggestion", "status": "closed"}, ["quiet"]),
        ({"mine": "true"}, ["mine"]),
        ({"mine": "false"}, ["popular", "fresh", "discussed", "quiet"]),
        ({"search": "DISCUSSED"}, ["discussed"]),
        ({"search": "exports"}, ["mine"]),
        (
            {"search": "title", "type": "bug", "ordering": "created_at"},
            ["mine", "popular", "fresh"],
        ),
        ({"unknown": "ignored"}, ["popular", "fresh", "discussed", "quiet", "mine"]),
    ],
)
def test_filters_and_search(client_for, author, board, query, expected):
    assert names(board, client_for(author).get(POSTS, query)) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"type": "feature"}, "type"),
        ({"status": "done"}, "status"),
        ({"mine": "yes"}, "mine"),
        ({"mine": "1"}, "mine"),
        ({"search": ""}, "search"),
        ({"search": "   "}, "search"),
        ({"search": "x" * 101}, "search"),
        ({"ordering": "title"}, "ordering"),
        ({"ordering": "upvote_count,-id"}, "ordering"),
    ],
)
def test_bad_list_parameters_are_400(client_for, user, query, field):
    response = client_for(user).get(POSTS, query)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]


def test_search_of_100_characters_is_accepted(client_for, user):
    assert client_for(user).get(POSTS, {"search": "x" * 100}).status_code == 200


def test_is_hidden_filter_is_for_moderators(client_for, post, hidden_post, moderator):
    client = client_for(moderator)
    assert ids(client.get(POSTS, {"is_hidden": "true"})) == [str(hidden_post.pk)]
    assert ids(client.get(POSTS, {"is_hidden": "false"})) == [str(post.pk)]
    assert_error(client.get(POSTS, {"is_hidden": "maybe"}), 400, "validation_error")


def test_is_hidden_filter_is_ignored_for_others(client_for, post, hidden_post, author):
    client = client_for(author)
    for value in ("true", "false", "maybe"):
        assert len(ids(client.get(POSTS, {"is_hidden": value}))) == 2


def test_is_hidden_filter_follows_each_caller_in_turn(
    client_for, post, hidden_post, author, moderator
):
    """Filter forms are built once per filterset and set of filters (config.filters): the
    moderator's form and the author's, asked in turn, stay each their own."""
    for _ in range(2):
        assert len(ids(client_for(author).get(POSTS, {"is_hidden": "maybe"}))) == 2
        moderated = client_for(moderator).get(POSTS, {"is_hidden": "maybe"})
        assert_error(moderated, 400, "validation_error")


def test_page_size_is_capped_at_100(client_for, user):
    FeedbackPostFactory.create_batch(3)
    body = client_for(user).get(POSTS, {"page_size": 1000}).json()
    assert body["count"] == 3 and len(body["results"]) == 3


def test_filters_do_not_apply_to_detail_routes(client_for, post, user):
    assert client_for(user).get(post_url(post), {"status": "closed"}).status_code == 200


# Query counts (PERFORMANCE.md W5): token + 2 permission lookups + count + page.

LIST_QUERIES = 5


def warm(client, url):
    """One request first, so the token's once-a-minute `last_used_at` stamp is out of the way."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("viewer", ["user", "moderator"])
def test_w5_post_list_queries_do_not_grow_with_the_page(
    request, client_for, django_assert_num_queries, viewer
):
    viewer = request.getfixturevalue(viewer)
    client = client_for(viewer)
    warm(client, POSTS)

    def build(count):
        for post in FeedbackPostFactory.create_batch(count):
            upvote(post, viewer)
            FeedbackCommentFactory(feedback=post)

    build(2)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(client.get(POSTS, {"ordering": "-comment_count", "search": "Post"}))) == 2
    build(10)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(ids(client.get(POSTS, {"ordering": "-comment_count", "search": "Post"}))) == 12


def test_w5_the_page_is_one_query_with_both_annotations(client_for, user):
    FeedbackPostFactory.create_batch(2)
    client = client_for(user)
    warm(client, POSTS)
    with CaptureQueriesContext(connection) as queries:
        client.get(POSTS)
    page = [
        q["sql"] for q in queries if "LIMIT" in q["sql"] and "feedback_feedbackpost" in q["sql"]
    ]
    assert len(page) == 1
    assert "EXISTS" in page[0] and "COUNT" in page[0]


def test_comment_list_queries_do_not_grow_with_the_page(
    client_for, post, user, django_assert_num_queries
):
    client = client_for(user)
    warm(client, comments_url(post))
    FeedbackCommentFactory.create_batch(2, feedback=post)
    # token + 2 permission lookups + the post + count + page
    with django_assert_num_queries(6):
        assert len(ids(client.get(comments_url(post)))) == 2
    FeedbackCommentFactory.create_batch(10, feedback=post)
    with django_assert_num_queries(6):
        assert len(ids(client.get(comments_url(post)))) == 12


# Comments


def test_comments_are_listed_oldest_first(client_for, post, user):
    comments = FeedbackCommentFactory.create_batch(3, feedback=post)
    for age, comment in enumerate(reversed(comments)):
        FeedbackComment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(minutes=age)
        )
    assert ids(client_for(user).get(comments_url(post))) == [str(c.pk) for c in comments]


def test_comment_shape(client_for, comment, other_user):
    body = client_for(other_user).get(comments_url(comment.feedback)).json()["results"][0]
    assert set(body) == {
        "id",
        "author",
        "content",
        "is_official",
        "is_hidden",
        "created_at",
        "updated_at",
    }
    assert body["is_hidden"] is None
    assert set(body["author"]) == {"id", "username", "name", "avatar_url"}


@pytest.mark.parametrize("viewer", ["author", "moderator"])
def test_fbk_23_hidden_comments_are_listed_for_author_and_moderators(
    request, client_for, comment, hidden_comment, viewer
):
    rows = client_for(request.getfixturevalue(viewer)).get(comments_url(comment.feedback))
    hidden = {row["id"]: row["is_hidden"] for row in rows.json()["results"]}
    assert hidden == {str(comment.pk): False, str(hidden_comment.pk): True}


def test_fbk_23_hidden_comments_are_left_out_for_others(client_for, comment, hidden_comment):
    assert ids(client_for(UserFactory()).get(comments_url(comment.feedback))) == [str(comment.pk)]
    response = client_for(UserFactory()).patch(comment_url(hidden_comment), {"content": "x"})
    assert_error(response, 404, "not_found")


def test_fbk_20_comment_create(client_for, post, other_user):
    response = client_for(other_user).post(comments_url(post), {"content": "  Same here  "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content"], body["is_official"], body["is_hidden"]) == ("Same here", False, False)
    assert body["author"]["id"] == str(other_user.pk)


def test_fbk_21_moderators_answer_officially(client_for, post, moderator):
    response = client_for(moderator).post(
        comments_url(post), {"content": "Fixed in 2.1", "is_official": True}
    )
    assert response.json()["is_official"] is True


@pytest.mark.parametrize("sent", [True, "garbage"])
def test_fbk_21_is_official_from_others_is_refused(client_for, post, other_user, sent):
    response = client_for(other_user).post(
        comments_url(post), {"content": "Official", "is_official": sent}
    )
    assert_refused(response, "is_official")
    assert not FeedbackComment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"content": ""}, {"content": " \n "}, {"content": "x" * 5_001}, {"content": None}],
)
def test_bad_comment_input_is_400_and_creates_nothing(client_for, post, other_user, data):
    response = client_for(other_user).post(comments_url(post), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["content"]
    assert not FeedbackComment.objects.exists()


def test_fbk_22_author_edits_and_deletes_a_comment(client_for, comment, author):
    client = client_for(author)
    refused = client.patch(comment_url(comment), {"content": "Edited", "is_official": True})
    assert_refused(refused, "is_official")
    response = client.patch(comment_url(comment), {"content": "Edited"})
    assert response.status_code == 200
    assert (response.json()["content"], response.json()["is_official"]) == ("Edited", False)
    assert client.delete(comment_url(comment)).status_code == 204
    assert not FeedbackComment.objects.exists()


def test_fbk_22_an_empty_edit_changes_nothing(client_for, comment, author):
    before = snapshot(FeedbackComment)
    assert client_for(author).patch(comment_url(comment), {}).status_code == 200
    assert snapshot(FeedbackComment) == before


@pytest.mark.parametrize("data", [{"content": ""}, {"content": "x" * 5_001}])
def test_fbk_22_bad_edits_are_400_and_change_nothing(client_for, comment, author, data):
    before = snapshot(FeedbackComment)
    assert_error(client_for(author).patch(comment_url(comment), data), 400, "validation_error")
    assert snapshot(FeedbackComment) == before


def test_fbk_23_moderators_hide_comments(client_for, comment, moderator):
    response = client_for(moderator).patch(comment_url(comment, "moderation/"), {"is_hidden": True})
    assert response.status_code == 200 and response.json()["is_hidden"] is True


@pytest.mark.parametrize("data", [{}, {"is_hidden": "perhaps"}, {"is_hidden": None}])
def test_fbk_23_bad_comment_moderation_is_400(client_for, comment, moderator, data):
    response = client_for(moderator).patch(comment_url(comment, "moderation/"), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["is_hidden"]


def test_a_comment_is_reached_only_through_its_own_post(client_for, comment, author):
    elsewhere = FeedbackPostFactory()
    url = f"{POSTS}{elsewhere.pk}/comments/{comment.pk}/"
    assert_error(client_for(author).patch(url, {"content": "x"}), 404, "not_found")
    assert_error(client_for(author).delete(url), 404, "not_found")


def test_a_single_comment_has_no_get(client_for, comment, author):
    assert_error(client_for(author).get(comment_url(comment)), 405, "method_not_allowed")


@pytest.mark.parametrize(
    "path",
    [
        lambda post, comment: POSTS,
        lambda post, comment: post_url(post),
        lambda post, comment: post_url(post, "moderation/"),
        lambda post, comment: post_url(post, "upvote/"),
        lambda post, comment: comments_url(post),
        lambda post, comment: comment_url(comment, "moderation/"),
    ],
)
def test_browsable_api_pages_render(client, moderator, post, comment, path):
    client.force_login(moderator)
    response = client.get(path(post, comment), HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 405)
    assert response["Content-Type"].startswith("text/html")

"""Feedback in admin: every page and action, the moderation queue, and what moderators see."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import (
    FeedbackComment,
    FeedbackModerationDecision,
    FeedbackPost,
    FeedbackStatus,
    FeedbackUpvote,
    ModerationAction,
)
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory, FeedbackPostFactory, upvote
from tests.helpers import admin_url, change_form_data, messages, run_action

pytestmark = pytest.mark.django_db

FEEDBACK_MODELS = (FeedbackPost, FeedbackComment, FeedbackUpvote, FeedbackModerationDecision)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def moderator_client(client, moderator_staff):
    client.force_login(moderator_staff)
    return client


@pytest.fixture
def rows(post, comment, hidden_comment, moderator):
    """One row of every feedback model."""
    upvote(post, moderator)
    FeedbackModerationDecision.objects.create(
        post=post, comment=hidden_comment, moderator=moderator, action=ModerationAction.HIDE
    )
    return {
        FeedbackPost: post,
        FeedbackComment: comment,
        FeedbackUpvote: FeedbackUpvote.objects.get(),
        FeedbackModerationDecision: FeedbackModerationDecision.objects.get(),
    }


# Smoke: every page of every feedback ModelAdmin


def test_every_feedback_model_is_registered():
    registered = {model for model in admin.site._registry if model._meta.app_label == "feedback"}
    assert registered == set(FEEDBACK_MODELS)


@pytest.mark.parametrize("model", FEEDBACK_MODELS)
def test_changelist_search_and_change_pages_load(admin_client, rows, model):
    row = rows[model]
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model), {"q": "anything"}).status_code == 200
    assert admin_client.get(admin_url(model, f"{row.pk}/change/")).status_code == 200


@pytest.mark.parametrize("model", FEEDBACK_MODELS)
def test_add_pages_are_closed(admin_client, model):
    # Posts and upvotes come from users through the API, answers from the post's inline,
    # decisions from the moderation services.
    assert admin_client.get(admin_url(model, "add/")).status_code == 403


def test_search_finds_posts_by_title_or_exact_author_email(admin_client, post):
    FeedbackPostFactory(title="Unrelated")
    for term in (post.title[:4].upper(), post.user.email.upper()):
        response = admin_client.get(admin_url(FeedbackPost), {"q": term})
        assert list(response.context["cl"].result_list) == [post]


def test_upvote_search_is_by_exact_voter_email(admin_client, post, moderator, other_user):
    upvote(post, moderator, other_user)
    response = admin_client.get(admin_url(FeedbackUpvote), {"q": moderator.email})
    assert [row.user for row in response.context["cl"].result_list] == [moderator]


def test_post_changelist_shows_annotated_comment_count(admin_client, post, comment, hidden_comment):
    response = admin_client.get(admin_url(FeedbackPost))
    assert response.context["cl"].result_list[0].comment_count == 1


@pytest.mark.parametrize("model", FEEDBACK_MODELS)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_num_queries, post, moderator, model
):
    def build(count):
        for _ in range(count):
            row = FeedbackCommentFactory(feedback=post)
            upvote(post, row.user)
            FeedbackModerationDecision.objects.create(
                post=post, comment=row, moderator=moderator, action=ModerationAction.HIDE
            )
            FeedbackPostFactory()

    build(2)
    with CaptureQueriesContext(connection) as baseline:
        admin_client.get(admin_url(model))
    build(10)
    with django_assert_num_queries(len(baseline)):
        admin_client.get(admin_url(model))


# The moderation queue


def test_queue_lists_open_posts_first_then_in_progress_newest_first(admin_client):
    closed = FeedbackPostFactory(status=FeedbackStatus.CLOSED)
    old_open = FeedbackPostFactory()
    in_progress = FeedbackPostFactory(status=FeedbackStatus.IN_PROGRESS)
    new_open = FeedbackPostFactory()
    response = admin_client.get(admin_url(FeedbackPost))
    assert list(response.context["cl"].result_list) == [new_open, old_open, in_progress, closed]


# Actions: each calls a service and reports what it did


@pytest.mark.parametrize("status", FeedbackStatus)
def test_set_status_actions(moderator_client, moderator_staff, status):
    posts = FeedbackPostFactory.create_batch(2, status=FeedbackStatus.OPEN)
    already = FeedbackPostFactory(status=status)
    response = run_action(
        moderator_client, FeedbackPost, f"set_status_{status.value}", [*posts, already]
    )
    assert set(FeedbackPost.objects.values_list("status", flat=True)) == {status}
    changed = 0 if status == FeedbackStatus.OPEN else 2
    label = status.label.lower()
    expected = f"Set status to {label} on {changed} post{'' if changed == 1 else 's'}"
    skipped = 3 - changed
    assert messages(response) == [f"{expected}; skipped {skipped}: already {label}."]
    decisions = FeedbackModerationDecision.objects.filter(moderator=moderator_staff)
    assert decisions.count() == changed


def test_hide_and_unhide_post_actions(moderator_client, post, hidden_post):
    response = run_action(moderator_client, FeedbackPost, "hide", [post, hidden_post])
    assert messages(response) == ["Hid 1 post; skipped 1: already hidden."]
    assert FeedbackPost.objects.filter(is_hidden=True).count() == 2
    response = run_action(moderator_client, FeedbackPost, "unhide", [post, hidden_post])
    assert messages(response) == ["Unhid 2 posts."]
    assert not FeedbackPost.objects.filter(is_hidden=True).exists()


def test_recount_upvotes_action(moderator_client, post, other_user):
    upvote(post, other_user)
    exact = upvote(FeedbackPostFactory(), other_user)
    FeedbackPost.objects.filter(pk=post.pk).update(upvote_count=40)
    response = run_action(moderator_client, FeedbackPost, "recount_upvotes", [post, exact])
    assert messages(response) == ["Recounted upvotes on 2 posts: corrected 1, 1 already exact."]
    assert set(FeedbackPost.objects.values_list("upvote_count", flat=True)) == {1}


def test_hide_and_unhide_comment_actions(moderator_client, comment, hidden_comment):
    response = run_action(moderator_client, FeedbackComment, "hide", [comment, hidden_comment])
    assert messages(response) == ["Hid 1 comment; skipped 1: already hidden."]
    response = run_action(moderator_client, FeedbackComment, "unhide", [comment, hidden_comment])
    assert messages(response) == ["Unhid 2 comments."]
    assert not FeedbackComment.objects.filter(is_hidden=True).exists()


# Change forms go through the services


def test_moderator_changes_status_and_hides_in_the_change_form(
    moderator_client, moderator_staff, post
):
    url = admin_url(FeedbackPost, f"{post.pk}/change/")
    data = change_form_data(moderator_client.get(url))
    data.update(status=FeedbackStatus.RESOLVED, is_hidden="on", title="Rewritten")
    response = moderator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    post.refresh_from_db()
    assert (post.status, post.is_hidden, post.hidden_by) == ("resolved", True, moderator_staff)
    assert post.title != "Rewritten"  # the author's words are read-only
    actions = set(FeedbackModerationDecision.objects.values_list("action", flat=True))
    assert actions == {ModerationAction.SET_STATUS, ModerationAction.HIDE}


def test_moderator_answers_officially_in_the_inline(moderator_client, moderator_staff, post):
    url = admin_url(FeedbackPost, f"{post.pk}/change/")
    data = change_form_data(moderator_client.get(url))
    data["comments-0-content"] = "Fixed in today's release."
    response = moderator_client.post(url, data)
    assert response.status_code == 302
    answer = FeedbackComment.objects.get()
    assert (answer.user, answer.is_official, answer.feedback) == (moderator_staff, True, post)


def test_moderator_hides_a_comment_in_the_inline(moderator_client, post, comment):
    url = admin_url(FeedbackPost, f"{post.pk}/change/")
    data = change_form_data(moderator_client.get(url))
    data.update({"comments-0-is_hidden": "on", "comments-0-content": "Rewritten"})
    assert moderator_client.post(url, data).status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.content != "Rewritten"
    assert FeedbackModerationDecision.objects.get().comment == comment


def test_moderator_hides_a_comment_in_its_change_form(moderator_client, comment):
    url = admin_url(FeedbackComment, f"{comment.pk}/change/")
    data = change_form_data(moderator_client.get(url))
    data["is_hidden"] = "on"
    assert moderator_client.post(url, data).status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden


# Who sees what


def test_moderator_staff_see_the_feedback_models_and_nothing_else(moderator_client):
    apps = moderator_client.get("/admin/").context["app_list"]
    assert [app["app_label"] for app in apps] == ["feedback"]
    assert {model["object_name"] for model in apps[0]["models"]} == {
        model.__name__ for model in FEEDBACK_MODELS
    }
    assert moderator_client.get("/admin/accounts/user/").status_code == 403


def test_moderators_may_not_add_or_delete_posts(moderator_client, post):
    assert moderator_client.get(admin_url(FeedbackPost, "add/")).status_code == 403
    assert moderator_client.get(admin_url(FeedbackPost, f"{post.pk}/delete/")).status_code == 403


def test_moderators_see_every_moderation_action(moderator_client):
    response = moderator_client.get(admin_url(FeedbackPost))
    actions = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert actions == {
        "",
        "set_status_open",
        "set_status_in_progress",
        "set_status_resolved",
        "set_status_closed",
        "hide",
        "unhide",
        "recount_upvotes",
    }


@pytest.fixture
def support_client(client):
    """Staff who may view and change posts but do not moderate."""
    support = UserFactory(staff=True)
    support.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="feedback",
            codename__in=["view_feedbackpost", "change_feedbackpost"],
        )
    )
    client.force_login(support)
    return client


def test_staff_who_do_not_moderate_get_no_moderation_actions_or_fields(support_client, post):
    response = support_client.get(admin_url(FeedbackPost))
    actions = {name for name, _ in response.context["action_form"].fields["action"].choices}
    assert actions == {"", "recount_upvotes"}
    page = support_client.get(admin_url(FeedbackPost, f"{post.pk}/change/"))
    assert set(page.context["adminform"].form.fields) == set()
    inline_form = page.context["inline_admin_formsets"]
    assert inline_form == []  # no comment permissions, no inline


@pytest.fixture
def deleting_client(client):
    """Staff who may delete posts and comments, and nothing about upvotes or decisions."""
    staff = UserFactory(staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="feedback",
            codename__in=[
                "view_feedbackpost",
                "delete_feedbackpost",
                "view_feedbackcomment",
                "delete_feedbackcomment",
            ],
        )
    )
    client.force_login(staff)
    return client


@pytest.fixture
def judged_post(post, hidden_comment, moderator, other_user):
    """A post with an upvote and a hidden comment whose hiding was recorded."""
    upvote(post, other_user)
    FeedbackModerationDecision.objects.create(
        post=post, moderator=moderator, action=ModerationAction.HIDE, comment=hidden_comment
    )
    return post


def test_fbk_4_staff_with_the_permission_delete_posts_with_everything_under_them(
    deleting_client, judged_post
):
    url = admin_url(FeedbackPost, f"{judged_post.pk}/delete/")
    assert deleting_client.get(url).context["perms_lacking"] == set()
    assert deleting_client.post(url, {"post": "yes"}).status_code == 302
    for model in FEEDBACK_MODELS:
        assert not model.objects.exists()


def test_delete_selected_posts_action(deleting_client, judged_post):
    response = deleting_client.post(
        admin_url(FeedbackPost),
        {"action": "delete_selected", "_selected_action": [judged_post.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not FeedbackPost.objects.exists()


def test_staff_with_the_permission_delete_a_judged_comment(deleting_client, judged_post):
    hidden = FeedbackComment.objects.get()
    url = admin_url(FeedbackComment, f"{hidden.pk}/delete/")
    assert deleting_client.post(url, {"post": "yes"}).status_code == 302
    assert not FeedbackComment.objects.exists()
    assert not FeedbackModerationDecision.objects.exists()
    assert FeedbackPost.objects.get().upvote_count == 1


def test_upvotes_and_decisions_are_read_only(admin_client, rows):
    for model in (FeedbackUpvote, FeedbackModerationDecision):
        page = admin_client.get(admin_url(model, f"{rows[model].pk}/change/"))
        assert not page.context["has_change_permission"]
        assert not page.context["has_delete_permission"]


def test_staff_delete_a_user_whose_upvotes_are_view_only_in_admin(client, db):
    """ACC-7 through admin: the upvotes go with the user and the post's count stays exact,
    although staff have no delete right on upvotes themselves."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    staff = UserFactory(staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_user", "delete_user"], content_type__app_label="accounts"
        )
    )
    voter = UserFactory()
    post = FeedbackPostFactory()
    upvote(post, voter)
    client.force_login(staff)
    response = client.post(f"/admin/accounts/user/{voter.pk}/delete/", {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert not type(voter).objects.filter(pk=voter.pk).exists()
    post.refresh_from_db()
    assert post.upvote_count == 0

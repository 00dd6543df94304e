"""URLs of the feedback API and the error assertion shared by the feedback tests."""

POSTS = "/api/v1/feedback/posts/"


def post_url(post, suffix=""):
    return f"{POSTS}{post.pk}/{suffix}"


def comments_url(post):
    return post_url(post, "comments/")


def comment_url(comment, suffix=""):
    return f"{POSTS}{comment.feedback_id}/comments/{comment.pk}/{suffix}"

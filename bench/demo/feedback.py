"""Demo feedback board for the run command: a moderator and a board that looks lived in.

Idempotent: rows are found by their natural keys before anything is created, and every write
goes through the services (which do nothing the second time: upvotes are unique, a status or
hiding that is already in place is skipped).
"""

from django.contrib.auth.models import Group

from accounts.models import User
from bench.demo.accounts import DEMO_USER_PASSWORD, demo_users
from config.roles import MODERATORS_GROUP
from feedback import services
from feedback.models import FeedbackComment, FeedbackPost, FeedbackStatus, FeedbackType

DEMO_MODERATOR = ("mia@example.com", "Mia Moderator", "mia")

# (author, type, title, description, status, hidden, upvoters, comments), by demo username.
# A comment is (author, content, flag): "mod" is the moderator; the flag is OFFICIAL, HIDDEN
# (hidden by the moderator) or None.
OFFICIAL, HIDDEN = "official", "hidden"
DEMO_POSTS = (
    (
        "ada",
        FeedbackType.BUG,
        "Preview pane stays blank after a container restart",
        "After hibernating and waking my project, the browser preview shows a white page "
        "until I reload the whole Studio tab. Happens in Firefox and Chrome.",
        FeedbackStatus.IN_PROGRESS,
        False,
        ("grace", "linus"),
        (
            ("grace", "Same here on two projects, since last week.", None),
            ("mod", "Thanks, we can reproduce it. A fix is being tested.", OFFICIAL),
        ),
    ),
    (
        "grace",
        FeedbackType.SUGGESTION,
        "Let me pin chats to the top of the list",
        "I keep three long-running chats per project. Pinning them would save me scrolling "
        "past every quick question I asked the agent.",
        FeedbackStatus.OPEN,
        False,
        ("ada", "linus"),
        (
            ("linus", "Yes please, and maybe let me rename them too.", None),
            ("linus", "Get free credits at my referral link!", HIDDEN),
        ),
    ),
    (
        "linus",
        FeedbackType.SUGGESTION,
        "Dark theme for the kanban board",
        "The board is the only bright screen left in the Studio; a dark variant would match "
        "the rest of the app.",
        FeedbackStatus.RESOLVED,
        False,
        ("ada",),
        (("mod", "Shipped in this week's release: the board follows your theme now.", OFFICIAL),),
    ),
    (
        "ada",
        FeedbackType.BUG,
        "Marketplace search ignores the category filter",
        "Searching for 'auth' while the Agents category is selected also lists bases.",
        FeedbackStatus.OPEN,
        False,
        (),
        (),
    ),
    (
        "grace",
        FeedbackType.SUGGESTION,
        "Free credits for everyone!!!",
        "Click my referral link to get free credits.",
        FeedbackStatus.CLOSED,
        True,
        (),
        (),
    ),
)


def _moderator():
    email, name, username = DEMO_MODERATOR
    moderator = User.objects.filter(email=email).first()
    if moderator is None:
        moderator = User.objects.create_user(
            email, DEMO_USER_PASSWORD, name=name, username=username, is_staff=True
        )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return moderator


def _post(author, post_type, title, description):
    post = FeedbackPost.objects.filter(user=author, title=title).first()
    if post is None:
        post = services.feedback_post_create(
            actor=author, type=post_type, title=title, description=description
        )
    return post


def _comment(author, post, content, flag, moderator):
    comment = FeedbackComment.objects.filter(feedback=post, user=author, content=content).first()
    if comment is None:
        comment = services.feedback_comment_create(
            actor=author, post=post, content=content, is_official=flag == OFFICIAL
        )
    if flag == HIDDEN:
        services.feedback_comment_set_hidden(actor=moderator, comment=comment, hidden=True)


def seed(stdout):
    users = {user.username: user for user in demo_users()}
    if not users:
        stdout.write("Feedback demo skipped: the demo users are missing.")
        return
    moderator = _moderator()
    users["mod"] = moderator
    for author, post_type, title, description, status, hidden, upvoters, comments in DEMO_POSTS:
        post = _post(users[author], post_type, title, description)
        if not post.is_hidden:  # a hidden post takes no upvotes (FBK-6)
            for upvoter in upvoters:
                services.feedback_upvote_add(actor=users[upvoter], post=post)
        for commenter, content, flag in comments:
            _comment(users[commenter], post, content, flag, moderator)
        services.feedback_post_set_status(actor=moderator, post=post, status=status)
        services.feedback_post_set_hidden(actor=moderator, post=post, hidden=hidden)
    stdout.write(
        f"Demo moderator: {DEMO_MODERATOR[0]}  password {DEMO_USER_PASSWORD} "
        "(admin shows the feedback board only)"
    )

"""A moderator at work in the feedback admin: a post's status and visibility."""

from selenium.webdriver.common.by import By

from config.roles import MODERATORS_GROUP
from feedback.models import FeedbackModerationDecision, FeedbackPost, FeedbackStatus
from tests.browser.pages import button, choose, messages, open_page, press, sign_in, staff_in
from tests.feedback.factories import FeedbackPostFactory

MODERATOR_PERMISSIONS = (
    "feedback.moderate_feedback",
    "feedback.view_feedbackpost",
    "feedback.change_feedbackpost",
    "feedback.view_feedbackcomment",
    "feedback.change_feedbackcomment",
    "feedback.add_feedbackcomment",
)


def test_moderator_sets_a_posts_status_and_hides_it_from_its_change_page(browser, live_server):
    moderator = staff_in(MODERATORS_GROUP, MODERATOR_PERMISSIONS)
    post = FeedbackPostFactory(title="Export button does nothing")
    sign_in(browser, live_server, moderator)

    open_page(browser, live_server, f"/admin/feedback/feedbackpost/{post.pk}/change/")
    choose(browser, "status", FeedbackStatus.IN_PROGRESS)
    browser.find_element(By.NAME, "is_hidden").click()
    press(browser, button(browser, "Save"))

    assert messages(browser) == [
        "The feedback post “Export button does nothing” was changed successfully."
    ]
    [row] = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert row.find_element(By.CLASS_NAME, "field-status").text == FeedbackStatus.IN_PROGRESS.label
    hidden_icon = row.find_element(By.CSS_SELECTOR, ".field-is_hidden img")
    assert hidden_icon.get_attribute("alt") == "True"

    post = FeedbackPost.objects.get(pk=post.pk)
    assert (post.status, post.is_hidden, post.hidden_by) == (
        FeedbackStatus.IN_PROGRESS,
        True,
        moderator,
    )
    decisions = FeedbackModerationDecision.objects.filter(post=post, moderator=moderator)
    assert sorted(decisions.values_list("action", flat=True)) == ["hide", "set_status"]

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from accounts.signals import user_deleting
        from feedback.receivers import remove_departing_user_upvotes

        user_deleting.connect(
            remove_departing_user_upvotes, dispatch_uid="feedback.remove_departing_user_upvotes"
        )

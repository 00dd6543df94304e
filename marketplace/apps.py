from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self):
        from accounts.signals import user_deleting
        from marketplace.receivers import remove_departing_user_reviews

        user_deleting.connect(
            remove_departing_user_reviews,
            dispatch_uid="marketplace.remove_departing_user_reviews",
        )

import factory

from accounts.models import OAuthAccount, OAuthProvider
from tests.factories import UserFactory


class OAuthAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OAuthAccount

    user = factory.SubFactory(UserFactory)
    oauth_name = OAuthProvider.GITHUB
    account_id = factory.Sequence(lambda n: f"{100000 + n}")
    account_email = factory.LazyAttribute(lambda account: account.user.email)
    access_token = factory.Sequence(lambda n: f"gho_provider_access_token_{n:08d}")
    refresh_token = None

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

LAST_USED_RESOLUTION = timedelta(seconds=60)


class AccessTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` against `accounts.AccessToken` (ACC-20…25).

    One query: the token's digest with its user. A token is read only from this header.
    Unknown, expired or revoked tokens and inactive users get 401 `authentication_failed`.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        # DRF imports this class while accounts.models is still loading (the models import
        # config.exceptions, which loads DRF's APIView, which reads this setting).
        from accounts.models import AccessToken

        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        now = timezone.now()
        token = AccessToken.objects.find_live(raw, now=now)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            token.mark_used(now=now, resolution=LAST_USED_RESOLUTION)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword

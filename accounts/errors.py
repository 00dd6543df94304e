from rest_framework import status

from config.exceptions import DomainError


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    message = "The email or password is not correct."


class ChallengeInvalid(DomainError):
    code = "challenge_invalid"
    message = "This sign-in attempt has expired or is not valid. Sign in again."


class CodeInvalid(DomainError):
    code = "code_invalid"
    message = "The code is not correct."


class CodeExpired(DomainError):
    code = "code_expired"
    message = "The code has expired. Ask for a new one."


class CodeLocked(DomainError):
    code = "code_locked"
    message = "Too many wrong tries. Ask for a new code."


class TooManyCodes(DomainError):
    status = status.HTTP_429_TOO_MANY_REQUESTS
    code = "too_many_codes"
    message = "Too many codes were sent. Wait a while before asking for another."


class AlreadyVerified(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "already_verified"
    message = "This email address is already verified."


class LastLoginMethod(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "last_login_method"
    message = "This is your only way to sign in. Set a password before unlinking it."


class DeactivateInstead(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "deactivate_instead"
    message = "Staff, moderator and service accounts are deactivated, never deleted."


class NotAServiceAccount(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "not_a_service_account"
    message = "Service tokens are issued only to users holding a service permission."


class StateInvalid(DomainError):
    code = "state_invalid"
    message = "The sign-in state is missing, expired or not valid. Start again."


class OAuthFailed(DomainError):
    code = "oauth_failed"
    message = "The provider did not confirm this sign-in."


class OAuthEmailUnverified(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "oauth_email_unverified"
    message = (
        "An account with this email exists, and the provider has not verified the address. "
        "Sign in with your password and link the provider from your settings."
    )


class OAuthProviderUnavailable(DomainError):
    status = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "oauth_provider_unavailable"
    message = "The sign-in provider is not answering. Try again shortly."


class McpServerLimitReached(DomainError):
    """ACC-43: a user keeps at most MCP_SERVERS_PER_USER servers."""

    status = status.HTTP_409_CONFLICT
    code = "mcp_server_limit_reached"
    message = "You already have as many MCP servers as allowed; delete one first."


class McpServerNameTaken(DomainError):
    """ACC-43: names are unique per user; a concurrent add answers through the constraint."""

    status = status.HTTP_409_CONFLICT
    code = "already_exists"
    message = "You already have an MCP server with this name."
    constraint = "accounts_mcpserver_unique"

"""Who may manage whom (docs/roles.md, issue 18).

Three tiers of account, each managed only from the tier above:
- a superuser's account is changed only by superusers;
- a privileged account (staff, a member of any group, a holder of direct permissions, a
  service account) is changed by superusers and holders of `accounts.manage_staff`, a
  permission no group holds by default;
- any other account is changed by whoever holds `accounts.change_user`.

Only a superuser grants or takes away superuser status. The staff fields (`PRIVILEGE_FIELDS`)
are read-only for everyone else; a staff member may still edit their own profile, never their
own privileges or (from the users admin) their own password without the old one.
"""

PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

MANAGE_STAFF = "accounts.manage_staff"
ISSUE_SERVICE_TOKEN = "accounts.issue_service_token"  # noqa: S105 - a permission name


def is_privileged(user):
    """Staff, superusers and anyone holding a group or a direct permission (moderators and
    service accounts included): taking over such an account takes over its rights."""
    return (
        user.is_staff or user.is_superuser or user.groups.exists() or user.user_permissions.exists()
    )


def user_can_manage_staff(actor):
    return actor.is_active and (actor.is_superuser or actor.has_perm(MANAGE_STAFF))


def user_can_issue_service_tokens(actor):
    """A service token charges customers and writes into their chats, so issuing one is its
    own permission (superusers only by default), not a kind of `change_user`."""
    return actor.is_active and (actor.is_superuser or actor.has_perm(ISSUE_SERVICE_TOKEN))


def changeable_privilege_fields(actor):
    """The fields of `PRIVILEGE_FIELDS` this actor may set on an account they may change."""
    if actor.is_superuser:
        return PRIVILEGE_FIELDS
    if user_can_manage_staff(actor):
        return tuple(field for field in PRIVILEGE_FIELDS if field != "is_superuser")
    return ()


def user_can_manage_account(actor, target):
    """May `actor` change `target`'s account as a whole: its password, its activation, its
    tokens, its email and name?"""
    if target.is_superuser:
        return actor.is_superuser
    if is_privileged(target):
        return user_can_manage_staff(actor)
    return True


def user_can_deactivate(actor, target):
    """ACC-5, from admin: staff who may change users and may manage this account."""
    return actor.has_perm("accounts.change_user") and user_can_manage_account(actor, target)


def user_can_delete_account(actor, target):
    """ACC-7: the user themself (the API), or staff who may delete users and manage this one."""
    if actor.is_authenticated and actor.pk == target.pk:
        return True
    return actor.has_perm("accounts.delete_user") and user_can_manage_account(actor, target)


def user_can_unlink_oauth(actor, account):
    """ACC-12: the account's user (the API), or staff who may delete OAuth links."""
    if actor.is_authenticated and actor.pk == account.user_id:
        return True
    return actor.has_perm("accounts.delete_oauthaccount")


def user_owns_mcp_server(actor, server):
    """ACC-42: an MCP server is its user's alone (staff only read and delete it in admin)."""
    return actor.is_authenticated and actor.pk == server.user_id


INVITE_FROM_WAITLIST = "accounts.invite_waitlistentry"


def user_can_invite_from_waitlist(actor):
    """ACC-48: Support (and superusers) invite people waiting for an account."""
    return actor.is_authenticated and actor.has_perm(INVITE_FROM_WAITLIST)

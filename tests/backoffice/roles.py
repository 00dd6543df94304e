"""The back office's roles table (docs/roles.md), as the tests read it: what each staff group,
and a superuser, may do to each model in admin, and who is offered each admin action.

Perms are a(dd) c(hange) d(elete) v(iew), as the admin home lists them. A superuser's column is
each model's own admin rule (read-only money and insert-only tables, service-only writes).
"""

from config.roles import BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP, SUPPORT_GROUP

SUPERUSER = "superuser"

STAFF_GROUPS = {
    SUPPORT_GROUP: {
        "accounts.AccessToken": "dv",
        "accounts.EmailVerificationCode": "v",
        "accounts.McpServer": "dv",
        "accounts.OAuthAccount": "v",
        "accounts.User": "cv",
        "accounts.WaitlistEntry": "v",
        "billing.CreditLedgerEntry": "v",
        "billing.CreditPurchase": "v",
        "billing.Subscription": "v",
        "billing.UsageLog": "v",
        "chat.AgentCommandLog": "v",
        "chat.AgentRun": "v",
        "chat.Chat": "v",
        "chat.ChatBookmark": "v",
        "chat.ShellSession": "v",
        "feedback.FeedbackComment": "v",
        "feedback.FeedbackPost": "v",
        "kanban.KanbanBoard": "v",
        "kanban.KanbanTask": "v",
        "marketplace.UserPurchasedAgent": "v",
        "marketplace.UserPurchasedBase": "v",
        "pghistory.Events": "v",
        "projects.BrowserPreview": "v",
        "projects.ConnectorCredential": "v",
        "projects.Container": "v",
        "projects.ContainerConnection": "v",
        "projects.Deployment": "v",
        "projects.DeploymentCredential": "v",
        "projects.GitProviderCredential": "v",
        "projects.Project": "cv",
        "projects.ProjectAsset": "v",
        "projects.ProjectDatabase": "v",
        "projects.ProjectDomain": "v",
        "projects.ProjectFile": "v",
        "projects.ProjectSnapshot": "v",
    },
    BILLING_GROUP: {
        "accounts.User": "cv",
        "billing.CreditLedgerEntry": "v",
        "billing.CreditPurchase": "v",
        "billing.MarketplaceTransaction": "v",
        "billing.StripeEvent": "v",
        "billing.UsageLog": "v",
        "billing.UserAPIKey": "v",
        "billing.UserCustomModel": "v",
        "billing.ModelPrice": "acv",
        "billing.Subscription": "v",
        "pghistory.Events": "v",
    },
    CURATORS_GROUP: {
        "marketplace.AgentCoInstall": "v",
        "marketplace.AgentReview": "dv",
        "marketplace.BaseReview": "dv",
        "marketplace.MarketplaceAgent": "acv",
        "marketplace.MarketplaceBase": "acv",
        "marketplace.Skill": "cv",
        "marketplace.UserPurchasedAgent": "v",
        "marketplace.UserPurchasedBase": "v",
        "marketplace.WorkflowTemplate": "acv",
        "pghistory.Events": "v",
    },
    MODERATORS_GROUP: {
        "feedback.FeedbackComment": "cv",
        "feedback.FeedbackModerationDecision": "v",
        "feedback.FeedbackPost": "cv",
        "feedback.FeedbackUpvote": "v",
    },
}

# What the admin lets anyone do: the superuser's column.
MODEL_RULES = {
    "accounts.AccessToken": "dv",  # issued by sign-in or the service-token action; revoked
    "accounts.EmailVerificationCode": "dv",
    "accounts.OAuthAccount": "dv",  # unlinked through the service
    "accounts.McpServer": "dv",  # the user's preference; deleted through the service
    "accounts.User": "acdv",
    "accounts.WaitlistEntry": "v",  # people join through the API; staff invite (action)
    "auth.Group": "acdv",
    "billing.CreditLedgerEntry": "v",  # insert-only money (BIL-7)
    "billing.CreditPurchase": "v",
    "billing.MarketplaceTransaction": "v",
    "billing.StripeEvent": "v",
    "billing.UsageLog": "v",
    "billing.UserAPIKey": "dv",
    "billing.UserCustomModel": "cdv",
    "billing.ModelPrice": "acv",  # retired by deactivation, never deleted (BIL-75)
    "billing.Subscription": "v",  # the webhooks write it (BIL-77)
    "chat.AgentCommandLog": "v",  # insert-only
    "chat.AgentRun": "v",  # the runtime's; staff only cancel or fail (actions)
    "chat.Chat": "acdv",
    "chat.ChatBookmark": "v",  # the users' own
    "chat.ChatSummary": "v",  # insert-only
    "chat.Message": "v",  # insert-only
    "chat.ShellSession": "cdv",
    "feedback.FeedbackComment": "cdv",
    "feedback.FeedbackModerationDecision": "v",
    "feedback.FeedbackPost": "cdv",
    "feedback.FeedbackUpvote": "v",
    "kanban.KanbanBoard": "cdv",
    "kanban.KanbanTask": "cdv",
    "kanban.KanbanTaskComment": "dv",
    "kanban.ProjectNote": "dv",
    "marketplace.AgentCoInstall": "v",
    "marketplace.AgentReview": "dv",
    "marketplace.BaseReview": "dv",
    "marketplace.MarketplaceAgent": "acdv",
    "marketplace.MarketplaceBase": "acdv",
    "marketplace.Skill": "cv",  # built-ins from sync_builtin_skills; users' are theirs
    "marketplace.UserPurchasedAgent": "acv",
    "marketplace.UserPurchasedBase": "acv",
    "marketplace.WorkflowTemplate": "acdv",
    "pghistory.Events": "v",
    "projects.BrowserPreview": "acdv",
    "projects.ConnectorCredential": "dv",  # the user's own link; tokens masked
    "projects.Container": "acdv",
    "projects.ContainerConnection": "acdv",
    "projects.Deployment": "dv",  # the runtime reports deployments
    "projects.DeploymentCredential": "cdv",
    "projects.GitProviderCredential": "dv",
    "projects.Project": "acdv",
    "projects.ProjectAsset": "cdv",
    "projects.ProjectDatabase": "dv",  # the owner's or the runtime's; masked
    "projects.ProjectDomain": "v",  # the owner claims, the runtime reports; staff release
    "projects.ProjectFile": "acdv",
    "projects.ProjectSnapshot": "cdv",
}


def perms(role, label):
    if role == SUPERUSER:
        return MODEL_RULES[label]
    return STAFF_GROUPS.get(role, {}).get(label, "")


S, B, C, M, X = SUPPORT_GROUP, BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP, SUPERUSER
CURATION = (C, X)
MODERATION = (M, X)

# Who is offered each admin action; deleting in bulk follows the model's "d".
ACTIONS = {
    "accounts.User": {
        "adjust_credits": (B, X),
        "change_tier": (B, X),  # `billing.change_tier`: it refills bundled credits
        "deactivate_and_revoke": (S, B, X),
        "revoke_all_tokens": (S, B, X),
        "issue_service_token": (X,),  # `accounts.issue_service_token`: no group by default
    },
    "accounts.WaitlistEntry": {"invite": (S, X)},  # `accounts.invite_waitlistentry`
    "billing.MarketplaceTransaction": {
        "refund": (B, X),
        "mark_paid": (B, X),
        "payout_processing": (B, X),
        "payout_failed": (B, X),
        "payout_pending": (B, X),
    },
    "billing.StripeEvent": {"reprocess": (B, X)},
    "billing.UsageLog": {"mark_invoiced": (B, X), "mark_paid": (B, X)},
    "billing.UserAPIKey": {"deactivate": (B, X)},
    "chat.AgentRun": {"cancel_runs": (S, X), "mark_failed": (S, X)},
    "chat.Chat": {"archive": (X,), "reopen": (X,)},
    "chat.ShellSession": {"close_sessions": (X,)},
    "feedback.FeedbackComment": {"hide": MODERATION, "unhide": MODERATION},
    "feedback.FeedbackPost": {
        "hide": MODERATION,
        "unhide": MODERATION,
        "recount_upvotes": MODERATION,
        "set_status_open": MODERATION,
        "set_status_in_progress": MODERATION,
        "set_status_resolved": MODERATION,
        "set_status_closed": MODERATION,
    },
    "kanban.KanbanBoard": {"renumber_positions": (X,)},
    "marketplace.MarketplaceAgent": {
        name: CURATION
        for name in (
            "publish",
            "unpublish",
            "feature",
            "unfeature",
            "delist",
            "relist",
            "recalculate_rating",
            "recount_downloads_from_library_rows",
        )
    },
    "marketplace.MarketplaceBase": {
        name: CURATION
        for name in (
            "feature",
            "unfeature",
            "delist",
            "relist",
            "recalculate_rating",
            "recount_downloads_from_library_rows",
        )
    },
    "marketplace.Skill": {"enable": CURATION, "disable": CURATION},
    "marketplace.WorkflowTemplate": {
        name: CURATION for name in ("publish", "unpublish", "feature", "unfeature")
    },
    "projects.Project": {"hibernate": (S, X), "wake": (S, X)},
    "projects.ProjectDomain": {"release": (S, X)},
}


def offered(role, label, action):
    if action == "delete_selected":
        return "d" in perms(role, label)
    return role in ACTIONS.get(label, {}).get(action, ())

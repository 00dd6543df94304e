"""Feedback in admin: the moderation queue, for moderators and staff (DATA_MODEL.md §8).

Every change a moderator makes here (status, hiding, official answers) goes through
`feedback.services`, exactly as in the API, so it is checked and recorded the same way. The
authors' own words (post type, title, description; comment content) are read-only here:
moderators hide content, they do not rewrite it. Posts and upvotes are created by users
through the API only, so admin has no add page for them; official answers are added in the
comments inline of a post.
"""

from django import forms
from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When

from accounts.models import normalize_email
from config.admin import (
    CascadeAdminMixin,
    DeclaredSearchMixin,
    LargeTableMixin,
    ViewOnlyMixin,
    contains,
    plural,
    service_action,
)
from feedback import services
from feedback.models import (
    FeedbackComment,
    FeedbackModerationDecision,
    FeedbackPost,
    FeedbackStatus,
    FeedbackUpvote,
)
from feedback.permissions import user_can_moderate_feedback

# The moderation queue: open posts first, then in progress, then the rest; newest first.
QUEUE_RANK = Case(
    When(status=FeedbackStatus.OPEN, then=Value(0)),
    When(status=FeedbackStatus.IN_PROGRESS, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


class ModerationAdminMixin:
    """`moderation_fields` and the moderation actions are for moderators only; for other staff
    (who may hold the change permission) those fields are read-only and the actions hidden."""

    moderation_fields = ()

    def has_moderate_permission(self, request):
        return user_can_moderate_feedback(request.user)

    def get_readonly_fields(self, request, obj=None):
        if self.has_moderate_permission(request):
            return self.readonly_fields
        return (*self.readonly_fields, *self.moderation_fields)


def _set_status_action(status):
    label = status.label.lower()
    return service_action(
        services.feedback_post_set_status,
        name=f"set_status_{status.value}",
        description=f"Set status: {label}",
        done=f"Set status to {label} on",
        noun="post",
        already=f"already {label}",
        row_keyword="post",
        permission="moderate",
        status=status,
    )


def _set_hidden_action(service, noun, *, hidden):
    """Hide or Unhide for posts or comments; `noun` is also the service's argument name."""
    name = "hide" if hidden else "unhide"
    return service_action(
        service,
        name=name,
        description=name.capitalize(),
        done="Hid" if hidden else "Unhid",
        noun=noun,
        already="already hidden" if hidden else "not hidden",
        row_keyword=noun,
        permission="moderate",
        hidden=hidden,
    )


class FeedbackCommentInlineForm(forms.ModelForm):
    """One comment row under a post: a new row is an answer, an existing one can be hidden.

    `can_moderate` is set per request on the class the inline builds (`get_formset`).
    """

    can_moderate = False

    class Meta:
        model = FeedbackComment
        fields = ("content", "is_official", "is_hidden")
        widgets = {"content": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields["is_hidden"].disabled = True  # new comments start visible
            self.fields["is_official"].initial = self.can_moderate
        else:
            self.fields["content"].disabled = True  # the author's words
            self.fields["is_official"].disabled = True  # decided when the answer was given
        if not self.can_moderate:
            self.fields["is_official"].disabled = True
            self.fields["is_hidden"].disabled = True


class FeedbackCommentInline(admin.TabularInline):
    """The post's comments; new rows are answers by the signed-in moderator (FBK-21)."""

    model = FeedbackComment
    form = FeedbackCommentInlineForm
    fields = ("content", "author", "is_official", "is_hidden", "created_at")
    readonly_fields = ("author", "created_at")
    ordering = ("created_at", "id")
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if user_can_moderate_feedback(request.user) else 0  # a row for an answer

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The factory built a fresh form class for this request, so this does not leak.
        formset.form.can_moderate = user_can_moderate_feedback(request.user)
        return formset

    @admin.display(description="author")
    def author(self, comment):
        return comment.user if comment.user_id else "(you, on save)"


@admin.register(FeedbackPost)
class FeedbackPostAdmin(
    LargeTableMixin, DeclaredSearchMixin, CascadeAdminMixin, ModerationAdminMixin, admin.ModelAdmin
):
    list_display = (
        "title",
        "type",
        "status",
        "upvote_count",
        "comment_count",
        "is_hidden",
        "user",
        "created_at",
    )
    list_filter = ("type", "status", "is_hidden")
    list_select_related = ("user",)
    search_fields = ("title",)
    search_help_text = "Part of the title (3 characters or more), or the author's exact email."
    search_lookups = {"title__icontains": contains, "user__email": normalize_email}
    fields = (
        "id",
        "user",
        "type",
        "title",
        "description",
        "status",
        "is_hidden",
        "upvote_count",
        "hidden_at",
        "hidden_by",
        "created_at",
        "updated_at",
    )
    moderation_fields = ("status", "is_hidden")
    readonly_fields = (
        "id",
        "user",
        "type",
        "title",
        "description",
        "upvote_count",
        "hidden_at",
        "hidden_by",
        "created_at",
        "updated_at",
    )
    inlines = (FeedbackCommentInline,)
    cascaded_models = (FeedbackUpvote, FeedbackComment, FeedbackModerationDecision)
    actions = (
        *(_set_status_action(status) for status in FeedbackStatus),
        _set_hidden_action(services.feedback_post_set_hidden, "post", hidden=True),
        _set_hidden_action(services.feedback_post_set_hidden, "post", hidden=False),
        "recount_upvotes",
    )

    def get_queryset(self, request):
        # Annotated before ordering: the default ordering is by the annotation.
        posts = FeedbackPost.objects.with_comment_count().annotate(queue_rank=QUEUE_RANK)
        return posts.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ("queue_rank", "-created_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description="comments", ordering="comment_count")
    def comment_count(self, post):
        return post.comment_count

    def save_model(self, request, obj, form, change):
        moderation = {name: form.cleaned_data[name] for name in form.changed_data}
        if moderation:
            services.feedback_post_moderate(actor=request.user, post=obj, **moderation)

    def save_formset(self, request, form, formset, change):
        """Comments go through the services: new rows are answers, changed rows are hidden."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            if row.instance._state.adding:
                comment = services.feedback_comment_create(
                    actor=request.user,
                    post=form.instance,
                    content=row.cleaned_data["content"],
                    is_official=row.cleaned_data["is_official"],
                )
                formset.new_objects.append(comment)
            else:
                services.feedback_comment_set_hidden(
                    actor=request.user, comment=row.instance, hidden=row.cleaned_data["is_hidden"]
                )
                formset.changed_objects.append((row.instance, row.changed_data))

    @admin.action(description="Recount upvotes", permissions=["change"])
    def recount_upvotes(self, request, queryset):
        posts = list(queryset)
        corrected = services.feedback_post_recount_upvotes(actor=request.user, posts=posts)
        self.message_user(
            request,
            f"Recounted upvotes on {plural(len(posts), 'post')}: "
            f"corrected {corrected}, {len(posts) - corrected} already exact.",
        )


@admin.register(FeedbackComment)
class FeedbackCommentAdmin(
    LargeTableMixin, CascadeAdminMixin, ModerationAdminMixin, admin.ModelAdmin
):
    list_display = ("feedback", "user", "short_content", "is_official", "is_hidden", "created_at")
    list_filter = ("is_official", "is_hidden")
    list_select_related = ("feedback", "user")
    search_fields = ("content",)
    fields = (
        "id",
        "feedback",
        "user",
        "content",
        "is_official",
        "is_hidden",
        "hidden_at",
        "hidden_by",
        "created_at",
        "updated_at",
    )
    moderation_fields = ("is_hidden",)
    cascaded_models = (FeedbackModerationDecision,)
    readonly_fields = (
        "id",
        "feedback",
        "user",
        "content",
        "is_official",
        "hidden_at",
        "hidden_by",
        "created_at",
        "updated_at",
    )
    actions = (
        _set_hidden_action(services.feedback_comment_set_hidden, "comment", hidden=True),
        _set_hidden_action(services.feedback_comment_set_hidden, "comment", hidden=False),
    )

    def has_add_permission(self, request):
        # Answers are added in the comments inline of their post, where the context is.
        return False

    @admin.display(description="content")
    def short_content(self, comment):
        return comment.short_content

    def save_model(self, request, obj, form, change):
        if "is_hidden" in form.changed_data:
            services.feedback_comment_set_hidden(
                actor=request.user, comment=obj, hidden=form.cleaned_data["is_hidden"]
            )


class ReadOnlyAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Rows that only services write: admin shows them and nothing more."""


@admin.register(FeedbackUpvote)
class FeedbackUpvoteAdmin(LargeTableMixin, DeclaredSearchMixin, ReadOnlyAdmin):
    """View only (§8.2). Upvotes grow with users times posts, so the list is never fully counted."""

    list_display = ("feedback", "user", "created_at")
    list_select_related = ("feedback", "user")
    fields = ("id", "feedback", "user", "created_at")
    search_fields = ("user__email",)
    search_help_text = "The voter's exact email."
    search_lookups = {"user__email": normalize_email}
    ordering = ("-created_at",)


@admin.register(FeedbackModerationDecision)
class FeedbackModerationDecisionAdmin(ReadOnlyAdmin):
    """Who decided what, and when: the record the moderation services keep."""

    list_display = ("created_at", "moderator", "action", "post", "comment", "new_status")
    list_filter = ("action",)
    list_select_related = ("moderator", "post", "comment__user", "comment__feedback")
    search_fields = ("post__title",)
    date_hierarchy = "created_at"
    fields = (
        "id",
        "created_at",
        "moderator",
        "action",
        "post",
        "comment",
        "old_status",
        "new_status",
    )
    ordering = ("-created_at",)

"""Request and response shapes of the feedback API (API.md §9.7).

Read serializers render rows that the views' querysets have already annotated and joined, so
they never query. Write serializers only validate; the services write.

Serializers that render need `request` and `is_moderator` in their context (the views add
both): `is_hidden` and `hidden_at` are shown only to the author and to moderators; anyone
else reads them as null, so every item of a list has the same keys whoever reads it.
"""

from rest_framework import serializers

from accounts.serializers import UserSummarySerializer
from config.schema import EnumChoiceField
from feedback.models import FeedbackComment, FeedbackPost, FeedbackStatus, FeedbackType


class ModerationFieldsMixin:
    """Nulls the hidden-state keys for viewers who are neither the author nor a moderator:
    the keys stay, so an item's shape does not depend on who reads it."""

    moderation_fields = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        viewer = self.context["request"].user
        if instance.user_id != viewer.pk and not self.context["is_moderator"]:
            data.update(dict.fromkeys(self.moderation_fields))
        return data


class FeedbackPostSerializer(ModerationFieldsMixin, serializers.ModelSerializer):
    """A post. `is_hidden` and `hidden_at` are null except for its author and moderators."""

    author = UserSummarySerializer(source="user", read_only=True)
    type = EnumChoiceField(FeedbackType, read_only=True)
    status = EnumChoiceField(FeedbackStatus, read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    has_upvoted = serializers.BooleanField(read_only=True)
    is_mine = serializers.SerializerMethodField()
    is_hidden = serializers.BooleanField(read_only=True, allow_null=True)
    hidden_at = serializers.DateTimeField(read_only=True, allow_null=True)

    moderation_fields = ("is_hidden", "hidden_at")

    class Meta:
        model = FeedbackPost
        fields = [
            "id",
            "author",
            "type",
            "title",
            "description",
            "status",
            "upvote_count",
            "comment_count",
            "has_upvoted",
            "is_mine",
            "is_hidden",
            "hidden_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "title",
            "description",
            "upvote_count",
            "created_at",
            "updated_at",
        ]

    def get_is_mine(self, post) -> bool:
        return post.user_id == self.context["request"].user.pk


class FeedbackPostWriteSerializer(serializers.ModelSerializer):
    """A new post (all three fields), or the author's edit of an open one (any of them)."""

    type = EnumChoiceField(FeedbackType)

    class Meta:
        model = FeedbackPost
        fields = ["type", "title", "description"]


class FeedbackPostModerationSerializer(serializers.Serializer):
    """A moderator's decision: a new status, hidden or not, or both."""

    status = EnumChoiceField(FeedbackStatus, required=False)
    is_hidden = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send status, is_hidden or both.")
        return attrs


class FeedbackUpvoteResultSerializer(serializers.Serializer):
    """The post's count after the upvote."""

    upvote_count = serializers.IntegerField()
    has_upvoted = serializers.BooleanField()


class FeedbackCommentSerializer(ModerationFieldsMixin, serializers.ModelSerializer):
    """A comment. `is_hidden` is null except for its author and moderators."""

    author = UserSummarySerializer(source="user", read_only=True)
    is_hidden = serializers.BooleanField(read_only=True, allow_null=True)

    moderation_fields = ("is_hidden",)

    class Meta:
        model = FeedbackComment
        fields = ["id", "author", "content", "is_official", "is_hidden", "created_at", "updated_at"]
        read_only_fields = ["id", "content", "is_official", "created_at", "updated_at"]


class FeedbackCommentCreateSerializer(serializers.ModelSerializer):
    """A new comment. `is_official` is honoured for moderators only, ignored for others."""

    class Meta:
        model = FeedbackComment
        fields = ["content", "is_official"]

    def get_fields(self):
        fields = super().get_fields()
        # Without a request (schema generation) the field is shown as moderators see it.
        if "request" in self.context and not self.context["is_moderator"]:
            fields["is_official"].read_only = True
        return fields


class FeedbackCommentUpdateSerializer(serializers.ModelSerializer):
    """The author's edit: the content only."""

    class Meta:
        model = FeedbackComment
        fields = ["content"]


class FeedbackCommentModerationSerializer(serializers.Serializer):
    """A moderator's decision to hide or unhide a comment."""

    is_hidden = serializers.BooleanField()

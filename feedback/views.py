"""The feedback API (API.md §9.7): posts, their upvotes and comments, and moderation.

Rows are always looked up through `visible_to(request.user)`, also under a post's comments, so
a row the caller may not see is a 404 before any 403. Writes go through `feedback.services`;
each response is re-read through `get_queryset()`.
"""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api import StudioViewSet
from feedback import services
from feedback.filters import FeedbackPostFilter
from feedback.models import FeedbackComment, FeedbackPost
from feedback.permissions import CanModerateFeedback, IsFeedbackAuthor, user_can_moderate_feedback
from feedback.serializers import (
    FeedbackCommentCreateSerializer,
    FeedbackCommentModerationSerializer,
    FeedbackCommentSerializer,
    FeedbackCommentUpdateSerializer,
    FeedbackPostModerationSerializer,
    FeedbackPostSerializer,
    FeedbackPostWriteSerializer,
    FeedbackUpvoteResultSerializer,
)

DEFAULT_POST_ORDERING = ("-upvote_count", "-created_at", "id")


class FeedbackViewSet(StudioViewSet):
    """The feedback board's viewsets: its per-action permissions, and the viewer's role in the
    serializer context."""

    action_permissions = {
        "partial_update": [IsAuthenticated, IsFeedbackAuthor],
        "destroy": [IsAuthenticated, IsFeedbackAuthor],
        "moderation": [IsAuthenticated, CanModerateFeedback],
    }

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["is_moderator"] = user_can_moderate_feedback(self.request.user)
        return context


@extend_schema_view(
    list=extend_schema(summary="Visible posts (FBK-1), filtered, searched and ordered"),
    retrieve=extend_schema(summary="One visible post"),
    create=extend_schema(
        summary="Report a bug or suggest a feature (FBK-2)",
        request=FeedbackPostWriteSerializer,
        responses={201: FeedbackPostSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit your open post (FBK-3)",
        request=FeedbackPostWriteSerializer,
        responses={200: FeedbackPostSerializer},
    ),
    destroy=extend_schema(summary="Delete your post (FBK-4)", responses={204: None}),
)
class FeedbackPostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FeedbackViewSet):
    """Bug reports and suggestions. Every signed-in user sees the posts that are not hidden,
    plus their own; a post they cannot see is a 404. Only the author edits (while the post is
    open: else 409 `post_locked`) or deletes a post; only moderators change its status or hide
    it. Upvoting a hidden post is 409 `post_hidden` for those who can see it."""

    serializer_class = FeedbackPostSerializer
    filterset_class = FeedbackPostFilter
    write_serializers = {
        "create": FeedbackPostWriteSerializer,
        "partial_update": FeedbackPostWriteSerializer,
        "moderation": FeedbackPostModerationSerializer,
    }

    def get_queryset(self):
        user = self.request.user
        return (
            FeedbackPost.objects.visible_to(user)
            .with_counts(user)
            .select_related("user")
            .order_by(*DEFAULT_POST_ORDERING)
        )

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.feedback_post_create(actor=request.user, **serializer.validated_data)
        return self.read(post, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        post = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data:  # an edit that names no field changes nothing
            services.feedback_post_update(
                actor=request.user, post=post, changes=serializer.validated_data
            )
        return self.read(post)

    def destroy(self, request, pk=None):
        services.feedback_post_delete(actor=request.user, post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Moderate a post: status and hiding (FBK-5)",
        request=FeedbackPostModerationSerializer,
        responses={200: FeedbackPostSerializer},
    )
    @action(detail=True, methods=["patch"])
    def moderation(self, request, pk=None):
        post = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.feedback_post_moderate(actor=request.user, post=post, **serializer.validated_data)
        return self.read(post)

    @extend_schema(
        summary="Upvote a post (FBK-6)",
        request=None,
        responses={
            201: OpenApiResponse(FeedbackUpvoteResultSerializer, description="First upvote."),
            200: OpenApiResponse(FeedbackUpvoteResultSerializer, description="Already upvoted."),
        },
    )
    @action(detail=True, methods=["post"])
    def upvote(self, request, pk=None):
        result = services.feedback_upvote_add(actor=request.user, post=self.get_object())
        body = FeedbackUpvoteResultSerializer(
            {"upvote_count": result.upvote_count, "has_upvoted": True}
        ).data
        return Response(
            body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    @extend_schema(
        summary="Withdraw your upvote (FBK-7); 204 whether or not there was one",
        request=None,
        responses={204: None},
    )
    @upvote.mapping.delete
    def remove_upvote(self, request, pk=None):
        services.feedback_upvote_remove(actor=request.user, post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="A visible post's comments, oldest first (FBK-23)"),
    create=extend_schema(
        summary="Comment on a visible post (FBK-20, FBK-21)",
        request=FeedbackCommentCreateSerializer,
        responses={201: FeedbackCommentSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit your comment (FBK-22)",
        request=FeedbackCommentUpdateSerializer,
        responses={200: FeedbackCommentSerializer},
    ),
    destroy=extend_schema(summary="Delete your comment (FBK-22)", responses={204: None}),
)
class FeedbackCommentViewSet(mixins.ListModelMixin, FeedbackViewSet):
    """Comments on a post the caller can see (else 404). A hidden comment is listed only for
    its author and moderators. Only the author edits or deletes a comment; only moderators
    answer officially or hide comments."""

    serializer_class = FeedbackCommentSerializer
    write_serializers = {
        "create": FeedbackCommentCreateSerializer,
        "partial_update": FeedbackCommentUpdateSerializer,
        "moderation": FeedbackCommentModerationSerializer,
    }

    @cached_property
    def feedback_post(self):
        """The post in the URL (not `post`: DRF binds the HTTP method handlers by name)."""
        posts = FeedbackPost.objects.visible_to(self.request.user)
        return get_object_or_404(posts, pk=self.kwargs["post_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no post
            return FeedbackComment.objects.none()
        return (
            FeedbackComment.objects.visible_to(self.request.user)
            .filter(feedback=self.feedback_post)
            .select_related("user")
            .order_by("created_at", "id")
        )

    def create(self, request, post_pk=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.feedback_comment_create(
            actor=request.user, post=self.feedback_post, **serializer.validated_data
        )
        return self.read(comment, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, post_pk=None, pk=None):
        comment = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data:  # an edit that names no field changes nothing
            services.feedback_comment_update(
                actor=request.user, comment=comment, content=serializer.validated_data["content"]
            )
        return self.read(comment)

    def destroy(self, request, post_pk=None, pk=None):
        services.feedback_comment_delete(actor=request.user, comment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Hide or unhide a comment (FBK-23)",
        request=FeedbackCommentModerationSerializer,
        responses={200: FeedbackCommentSerializer},
    )
    @action(detail=True, methods=["patch"])
    def moderation(self, request, post_pk=None, pk=None):
        comment = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.feedback_comment_set_hidden(
            actor=request.user, comment=comment, hidden=serializer.validated_data["is_hidden"]
        )
        return self.read(comment)

"""The project's URLs plus a stock-DRF message list, the comparison point of PERFORMANCE.md W1:
`ModelSerializer`, DRF's own JSON renderer and page-number pagination, scoped the same way."""

from django.urls import include, path
from rest_framework import generics, pagination, renderers, serializers

from chat.models import Chat, Message


class StockMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "chat", "role", "content", "message_metadata", "created_at"]


class StockPagination(pagination.PageNumberPagination):
    page_size = 50


class StockMessageList(generics.ListAPIView):
    serializer_class = StockMessageSerializer
    renderer_classes = [renderers.JSONRenderer]
    pagination_class = StockPagination

    def get_queryset(self):
        chat = generics.get_object_or_404(
            Chat.objects.visible_to(self.request.user), pk=self.kwargs["cid"]
        )
        return Message.objects.filter(chat=chat).order_by("created_at", "id")


urlpatterns = [
    path("stock/chats/<uuid:cid>/messages/", StockMessageList.as_view()),
    path("", include("config.urls")),
]

"""Base classes every API view and viewset inherits.

They add two things DRF does not do by itself:
- the check order of spec/API.md §3, 401 → 429 → 404 → 403: DRF checks permissions before
  throttles, so a denial other than "not signed in" waits until the throttles have run;
- the request body cap of spec/API.md §1: DRF streams JSON bodies without Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE check, so the declared length is checked here (413).
"""

from django.conf import settings
from rest_framework import exceptions, generics, views, viewsets

from config.exceptions import PayloadTooLarge


class ApiViewMixin:
    max_body_size = None  # bytes; None means DATA_UPLOAD_MAX_MEMORY_SIZE

    def initial(self, request, *args, **kwargs):
        self._check_body_size(request)
        self._deferred_denial = None
        super().initial(request, *args, **kwargs)

    def check_permissions(self, request):
        try:
            super().check_permissions(request)
        except exceptions.NotAuthenticated:
            raise
        except exceptions.PermissionDenied as denial:
            self._deferred_denial = denial

    def check_throttles(self, request):
        super().check_throttles(request)
        if self._deferred_denial is not None:
            raise self._deferred_denial

    def _check_body_size(self, request):
        limit = self.max_body_size or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge()


class APIView(ApiViewMixin, views.APIView):
    pass


class GenericAPIView(ApiViewMixin, generics.GenericAPIView):
    pass


class GenericViewSet(ApiViewMixin, viewsets.GenericViewSet):
    pass


class ReadOnlyModelViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ModelViewSet(ApiViewMixin, viewsets.ModelViewSet):
    pass

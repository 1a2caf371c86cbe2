"""The API under /api/v1/: the base every endpoint shares (the use log, the JSON errors) and
the small endpoints about the token itself. Each area's endpoints live in their own module
(returns, imports, funnels, reports) and call the same selectors and services as the web."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import LocalAuthority

from . import services
from .errors import error_body
from .models import ApiToken
from .pagination import Pages
from .permissions import HasToken


class LoggedMixin:
    """Records every call (token, time, endpoint, outcome) however it ends."""

    permission_classes = [HasToken]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        outcome = "ok"
        if response.status_code >= 400:
            data = getattr(response, "data", None)
            outcome = (
                data.get("error", {}).get("code", "error") if isinstance(data, dict) else "error"
            )
        self._record(request, response.status_code, outcome)
        return response

    def handle_exception(self, exc):
        try:
            return super().handle_exception(exc)
        except Exception:
            self._record(self.request, 500, "server_error")
            raise

    @staticmethod
    def _record(request, status: int, outcome: str) -> None:
        token = request.auth if isinstance(getattr(request, "auth", None), ApiToken) else None
        token = token or getattr(request, "_token_refused", None)
        prefix = getattr(request, "_token_prefix", "")
        if token is not None or prefix or status == 401:
            services.record_use(
                token=token,
                prefix=prefix,
                method=request.method,
                path=request.get_full_path(),
                status=status,
                outcome=outcome,
            )


class LoggedAPIView(LoggedMixin, APIView):
    pass


class LoggedListView(LoggedMixin, generics.ListAPIView):
    """A list, 50 a page; each item shown by the view's ``represent(item, request)``."""

    pagination_class = Pages
    represent = None

    def list(self, request, *args, **kwargs):
        if self.represent is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([self.represent(item, request) for item in page])


def account(request):
    """The service account the token acts through: every service call is made as it."""
    return request.auth.account


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["la", "dfe"])
    local_authority = serializers.CharField(allow_null=True, help_text="GSS code of the LA")
    expires_at = serializers.DateTimeField()


class MeView(LoggedAPIView):
    """What the presented token is and may do."""

    @extend_schema(
        responses=TokenInfoSerializer,
        operation_id="me",
        summary="The token in use",
        description="The token's name, kind (`la` or `dfe`), its LA and when it expires. "
        "Any valid token may call it: use it to check a token works.",
        tags=["tokens"],
    )
    def get(self, request):
        token = request.auth
        return Response(
            TokenInfoSerializer(
                {
                    "name": token.name,
                    "kind": token.kind,
                    "local_authority": token.local_authority.gss_code
                    if token.local_authority
                    else None,
                    "expires_at": token.expires_at,
                }
            ).data
        )


class AuthoritySerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name")

    class Meta:
        model = LocalAuthority
        fields = ["gss_code", "dfe_code", "name", "region"]


class AuthorityListView(LoggedAPIView):
    """The 153 upper-tier local authorities (public reference data)."""

    @extend_schema(
        responses=AuthoritySerializer(many=True),
        operation_id="local_authorities",
        summary="Local authorities",
        description="The upper-tier local authorities with their GSS and DfE codes, by which "
        "the other endpoints name an LA. Any valid token may call it.",
        tags=["reference"],
    )
    def get(self, request):
        queryset = LocalAuthority.objects.select_related("region").order_by("name")
        return Response(AuthoritySerializer(queryset, many=True).data)


@csrf_exempt  # no session, so nothing to forge; without this a PUT would get an HTML 403
@login_not_required
def not_found(request, rest=""):
    """Any other path under /api/v1/: a JSON 404, as every API error is JSON."""
    return JsonResponse(
        error_body(404, [{"field": None, "message": "There is no such endpoint."}]), status=404
    )

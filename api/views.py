"""The API under /api/v1/. Every view calls the same selectors and services as the web pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import LocalAuthority

from . import services
from .models import ApiToken
from .permissions import HasToken


class LoggedAPIView(APIView):
    """Records every call (token, time, endpoint, outcome) however it ends."""

    permission_classes = [HasToken]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth if isinstance(getattr(request, "auth", None), ApiToken) else None
        prefix = getattr(request, "_token_prefix", "")
        outcome = (
            "ok"
            if response.status_code < 400
            else (
                response.data.get("error", {}).get("code", "error")
                if isinstance(response.data, dict)
                else "error"
            )
        )
        if token is not None or prefix or response.status_code == 401:
            services.record_use(
                token=token,
                prefix=prefix,
                method=request.method,
                path=request.get_full_path(),
                status=response.status_code,
                outcome=outcome,
            )
        return response


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["la", "dfe"])
    local_authority = serializers.CharField(allow_null=True, help_text="GSS code of the LA")
    expires_at = serializers.DateTimeField()


class MeView(LoggedAPIView):
    """What the presented token is and may do."""

    @extend_schema(responses=TokenInfoSerializer, operation_id="me")
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

    @extend_schema(responses=AuthoritySerializer(many=True), operation_id="local_authorities")
    def get(self, request):
        queryset = LocalAuthority.objects.select_related("region").order_by("name")
        return Response(AuthoritySerializer(queryset, many=True).data)

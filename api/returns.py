"""Monthly returns through the API: an LA token creates, updates and submits its own LA's
returns. Every rule is pipeline.services.returns's, the same the web form meets; this
module only reads the request's shape and names the service's errors in its terms."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from pipeline import selectors, services
from pipeline.models import (
    MonthlyReturn,
    ReturnChannelCount,
    ReturnExit,
    ReturnStageCount,
    ReturnStatus,
    StageCode,
)
from pipeline.services.returns import MAX_COUNT, ReturnCounts

from .errors import Conflict, refusal
from .parsers import LimitedJSONParser
from .permissions import IsLaToken, require_acts_for
from .query import read_query
from .serializers import (
    AuthorityRefSerializer,
    MonthField,
    NoBody,
    StrictCharField,
    StrictDictField,
    StrictIntegerField,
    StrictSerializer,
    authority_ref,
    find_authority,
    no_body,
)
from .views import LoggedAPIView, LoggedListView, account


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_COUNT, "example": 12})
class CountField(StrictIntegerField):
    """A count. Negative counts are refused by the service, with the web form's message."""


def _stages_serializer():
    fields = {code.value: CountField(required=False, help_text=code.label) for code in StageCode}
    return type("ReturnStagesSerializer", (StrictSerializer,), fields)


ReturnStagesSerializer = _stages_serializer()


class ReturnExitSerializer(StrictSerializer):
    stage = serializers.ChoiceField(choices=StageCode.values, help_text="The stage they left at")
    reason = StrictCharField(help_text="An exit reason code, e.g. not-suitable")
    count = CountField()


class ReturnCountsSerializer(StrictSerializer):
    """A return's numbers: who entered each stage, who left (by stage and reason) and
    enquiries by source channel. A PUT replaces all three."""

    stages = ReturnStagesSerializer(help_text="How many entered each stage in the month")
    exits = ReturnExitSerializer(
        many=True, required=False, help_text="How many left, by stage and reason"
    )
    channels = StrictDictField(
        child=CountField(),
        required=False,
        help_text='Enquiries by source channel code, e.g. {"hub-website": 40}',
    )

    def validate_exits(self, exits):
        seen = {}
        for index, item in enumerate(exits):
            key = (item["stage"], item["reason"])
            if key in seen:
                raise serializers.ValidationError(
                    f"exits[{index}] repeats the stage and reason of exits[{seen[key]}]."
                )
            seen[key] = index
        return exits

    def counts(self) -> ReturnCounts:
        data = self.validated_data
        return ReturnCounts(
            stages=dict(data["stages"]),
            exits={(e["stage"], e["reason"]): e["count"] for e in data.get("exits", [])},
            channels=dict(data.get("channels", {})),
        )

    def api_field(self, key: str) -> str:
        """The request's name for a field the service names (stage_enquiry, exit_…, …)."""
        for index, item in enumerate(self.validated_data.get("exits", [])):
            if key == f"exit_{item['stage']}_{item['reason']}":
                return f"exits[{index}].count"
        for prefix, name in (("stage_", "stages"), ("channel_", "channels")):
            if key.startswith(prefix):
                return f"{name}.{key.removeprefix(prefix)}"
        return key


class ReturnCreateSerializer(ReturnCountsSerializer):
    local_authority = StrictCharField(
        required=False,
        help_text="GSS or DfE code of the LA; the token's own LA if left out (the only one "
        "it may send)",
    )
    month = MonthField(help_text="The month, as YYYY-MM")


class ReturnExitOutSerializer(serializers.Serializer):
    stage = serializers.CharField()
    reason = serializers.CharField()
    count = serializers.IntegerField()


class ReturnLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    submit = serializers.URLField()


class ReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    local_authority = AuthorityRefSerializer()
    month = serializers.CharField(help_text="YYYY-MM")
    status = serializers.ChoiceField(choices=ReturnStatus.values)
    stages = serializers.DictField(child=serializers.IntegerField())
    exits = ReturnExitOutSerializer(many=True)
    channels = serializers.DictField(child=serializers.IntegerField())
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Counts far from the LA's recent average: accepted, but worth a second look",
    )
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    links = ReturnLinksSerializer()


def represent(monthly_return: MonthlyReturn, request) -> dict:
    """A return as the API shows it (its counts prefetched by returns_in_scope)."""
    pk = monthly_return.pk
    return {
        "id": pk,
        "local_authority": authority_ref(monthly_return.local_authority),
        "month": f"{monthly_return.month:%Y-%m}",
        "status": monthly_return.status,
        "stages": {c.stage.code: c.count for c in monthly_return.stage_counts.all()},
        "exits": [
            {"stage": e.stage.code, "reason": e.reason.code, "count": e.count}
            for e in monthly_return.exits.all()
        ],
        "channels": {c.channel.code: c.count for c in monthly_return.channel_counts.all()},
        "warnings": monthly_return.warnings,
        "created_at": monthly_return.created_at,
        "submitted_at": monthly_return.submitted_at,
        "accepted_at": monthly_return.accepted_at,
        "links": {
            "self": reverse("api:return_detail", args=[pk], request=request),
            "submit": reverse("api:return_submit", args=[pk], request=request),
        },
    }


def returns_in_scope(request):
    """The token's LA's returns, through the pipeline's own scope for its account."""
    return (
        selectors.returns_for_user(account(request))
        .filter(local_authority=request.auth.local_authority_id)
        .prefetch_related(
            Prefetch("stage_counts", ReturnStageCount.objects.select_related("stage")),
            Prefetch("exits", ReturnExit.objects.select_related("stage", "reason")),
            Prefetch("channel_counts", ReturnChannelCount.objects.select_related("channel")),
        )
        .order_by("-month")
    )


def _reload(request, monthly_return) -> MonthlyReturn:
    return returns_in_scope(request).get(pk=monthly_return.pk)


class ReturnQuerySerializer(StrictSerializer):
    month = MonthField(required=False, help_text="YYYY-MM")
    status = serializers.ChoiceField(choices=ReturnStatus.values, required=False)


EXAMPLE = {
    "month": "2024-05",
    "stages": {"enquiry": 42, "conversation": 20, "application": 6, "approval": 1},
    "exits": [{"stage": "enquiry", "reason": "no-contact", "count": 9}],
    "channels": {"hub-website": 30, "regional-campaign": 12},
}
REFUSED = (
    "Refused with the web form's message, on the field named as in this request "
    "(e.g. `exits[0].count`): negative counts, exits beyond those who entered a stage to "
    "date, a month in the future or before the programme, unknown codes, unknown fields."
)


@extend_schema_view(
    get=extend_schema(
        operation_id="returns_list",
        summary="List the LA's monthly returns",
        description="The returns of the token's LA, newest month first, 50 a page. "
        "LA tokens only (a DfE token gets 403).",
        parameters=[ReturnQuerySerializer],
        tags=["returns"],
    )
)
class ReturnListView(LoggedListView):
    """The token's LA's monthly returns, newest first; and creating one."""

    permission_classes = [IsLaToken]
    parser_classes = [LimitedJSONParser]
    serializer_class = ReturnSerializer
    represent = staticmethod(represent)

    def get_queryset(self):
        filters = read_query(self.request, ReturnQuerySerializer, allowed=("page",))
        queryset = returns_in_scope(self.request)
        if "month" in filters:
            queryset = queryset.filter(month=filters["month"])
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        return queryset

    @extend_schema(
        operation_id="returns_create",
        summary="Create a monthly return (as a draft)",
        description="Creates the LA's return for a month as a draft; submit it with "
        "`POST /api/v1/returns/{id}/submit`. One return per LA and month: if the month has "
        "one already, 409 (change it with PUT instead). An LA token may send only its own "
        f"LA's return (another LA: 403). {REFUSED}",
        request=ReturnCreateSerializer,
        responses={201: ReturnSerializer},
        examples=[OpenApiExample("A month's return", value=EXAMPLE, request_only=True)],
        tags=["returns"],
    )
    def post(self, request):
        body = ReturnCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = request.auth
        code = body.validated_data.get("local_authority")
        la = token.local_authority if code is None else find_authority(code)
        if la is None:
            raise serializers.ValidationError({"local_authority": [f"Unknown LA '{code}'."]})
        require_acts_for(token, la, field="local_authority")
        month = body.validated_data["month"]
        try:
            with transaction.atomic():
                existing = MonthlyReturn.objects.filter(local_authority=la, month=month).first()
                if existing is not None:
                    raise _exists(existing)
                saved, _ = services.save_return(
                    local_authority=la, month=month, counts=body.counts(), user=account(request)
                )
        except ValidationError as error:
            raise refusal(error, field_name=body.api_field) from None
        except IntegrityError:
            # another request created it between our look and our insert
            raise _exists(MonthlyReturn.objects.get(local_authority=la, month=month)) from None
        saved = _reload(request, saved)
        return Response(
            represent(saved, request),
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:return_detail", args=[saved.pk], request=request)},
        )


def _exists(existing: MonthlyReturn) -> Conflict:
    error = Conflict(
        f"{existing.local_authority} already has a return for {existing.month:%B %Y} "
        f"(id {existing.pk}, {existing.get_status_display().lower()}): change it with PUT."
    )
    error.api_errors = [{"field": "month", "row": None, "message": str(error.detail)}]
    return error


class ReturnDetailView(LoggedAPIView):
    permission_classes = [IsLaToken]
    parser_classes = [LimitedJSONParser]

    def get_object(self, pk):
        return get_object_or_404(returns_in_scope(self.request), pk=pk)

    @extend_schema(
        operation_id="returns_read",
        summary="Read a monthly return",
        description="One of the token's LA's returns (another LA's: 404).",
        responses=ReturnSerializer,
        tags=["returns"],
    )
    def get(self, request, pk):
        return Response(represent(self.get_object(pk), request))

    @extend_schema(
        operation_id="returns_update",
        summary="Replace a return's counts",
        description="Replaces every count of a draft or submitted return (the LA and month "
        "stay). An accepted return is final: 409. " + REFUSED,
        request=ReturnCountsSerializer,
        responses=ReturnSerializer,
        examples=[
            OpenApiExample(
                "New counts",
                value={k: v for k, v in EXAMPLE.items() if k != "month"},
                request_only=True,
            )
        ],
        tags=["returns"],
    )
    def put(self, request, pk):
        monthly_return = self.get_object(pk)
        body = ReturnCountsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.save_return(
                local_authority=monthly_return.local_authority,
                month=monthly_return.month,
                counts=body.counts(),
                user=account(request),
            )
        except ValidationError as error:
            raise refusal(error, field_name=body.api_field) from None
        return Response(represent(_reload(request, monthly_return), request))


class ReturnSubmitView(LoggedAPIView):
    permission_classes = [IsLaToken]
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        operation_id="returns_submit",
        summary="Submit a draft return",
        description="Draft -> submitted, for the delivery partner to accept. Takes no body "
        "(or `{}`). Submitting again, or a return that is not a draft: 409, and nothing "
        "changes.",
        request=NoBody,
        responses=ReturnSerializer,
        tags=["returns"],
    )
    def post(self, request, pk):
        monthly_return = get_object_or_404(returns_in_scope(request), pk=pk)
        NoBody(data=no_body(request)).is_valid(raise_exception=True)
        try:
            services.submit_return(monthly_return=monthly_return, user=account(request))
        except ValidationError as error:
            raise refusal(error) from None
        return Response(represent(_reload(request, monthly_return), request))

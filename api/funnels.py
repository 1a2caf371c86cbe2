"""Funnel figures through the API: the same selectors as the web funnel page
(pipeline.selectors.funnel_comparison and benchmarks), so the numbers are identical."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from clusters.models import Cluster, Region
from pipeline import selectors
from pipeline.scope import ENGLAND, make_period, may_read_scope, scope_for

from .models import TokenKind
from .query import read_query
from .serializers import MonthField, StrictSerializer, find_authority
from .views import LoggedAPIView, account

AREAS = ["la", "cluster", "region", "england"]
PERIODS = ["month", "quarter", "fy"]


@extend_schema_field({"type": "string", "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])$"})
class FunnelMonthField(MonthField):
    """A month this century: funnels are read for the programme's years and before."""

    pattern = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
    default_error_messages = {"month": "Give a month from 2000-01 to 2099-12, as YYYY-MM."}


class FunnelQuerySerializer(StrictSerializer):
    area = serializers.ChoiceField(
        choices=AREAS,
        required=False,
        help_text="What to count: one LA, a cluster's member LAs, a region, or England. "
        "Defaults to the LA of an LA token, England for a DfE token.",
    )
    code = serializers.RegexField(
        r"^[A-Za-z0-9-]{1,60}$",
        required=False,
        help_text="Which one: an LA's GSS or DfE code (E08000037, 390), a region's GSS code "
        "(E12000001) or a cluster's slug (north-east). Not for England.",
    )
    period = serializers.ChoiceField(
        choices=PERIODS,
        required=False,
        help_text="A calendar month, a quarter (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar) or a UK "
        "financial year (April to March). Default: fy.",
    )
    month = FunnelMonthField(
        required=False,
        help_text="Any month within the period, as YYYY-MM (e.g. fy with 2024-07 is 2024-25). "
        "Default: this month.",
    )


class PeriodSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=PERIODS)
    label = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class AreaSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=AREAS)
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class StageRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="People entering the stage in the period")
    conversion = serializers.FloatField(
        allow_null=True, help_text="count / the previous stage's count (null if no data)"
    )
    year_earlier = serializers.IntegerField(help_text="The same period a year earlier")


class RatesSerializer(serializers.Serializer):
    enquiry_to_application = serializers.FloatField(allow_null=True)
    enquiry_to_approval = serializers.FloatField(allow_null=True)


class YearEarlierSerializer(RatesSerializer):
    period = serializers.CharField()
    enquiries = serializers.IntegerField()


class BenchmarkSerializer(RatesSerializer):
    area = serializers.CharField(help_text="A region or England: rates only, no counts")


class MediansSerializer(serializers.Serializer):
    enquiry_to_application = serializers.IntegerField(
        allow_null=True, help_text="Median days (case records only)"
    )
    application_to_approval = serializers.IntegerField(allow_null=True)


class ExitRowSerializer(serializers.Serializer):
    stage = serializers.CharField()
    reason = serializers.CharField()
    count = serializers.IntegerField()


class ChannelRowSerializer(serializers.Serializer):
    channel = serializers.CharField()
    enquiries = serializers.IntegerField()
    applications = serializers.IntegerField(
        allow_null=True, help_text="From case records; null where only returns report it"
    )


class FunnelSerializer(serializers.Serializer):
    area = AreaSerializer()
    period = PeriodSerializer()
    stages = StageRowSerializer(many=True)
    enquiries = serializers.IntegerField()
    enquiries_from_records = serializers.IntegerField()
    enquiries_from_returns = serializers.IntegerField(
        help_text="From submitted or accepted returns of LAs with no case records"
    )
    enquiries_deduplicated = serializers.IntegerField(
        help_text="People counted once across the area's LAs where records allow"
    )
    enquiry_to_application = serializers.FloatField(allow_null=True)
    enquiry_to_approval = serializers.FloatField(allow_null=True)
    medians = MediansSerializer()
    exits = ExitRowSerializer(many=True)
    channels = ChannelRowSerializer(many=True)
    year_earlier = YearEarlierSerializer()
    baseline = RatesSerializer(help_text="National baseline, year to March 2022")
    benchmarks = BenchmarkSerializer(many=True)


def _bad(field: str, message: str):
    return serializers.ValidationError({field: [message]})


def _area(token, params):
    """(scope, code) for the request; 400 for an unknown area, 403 outside the token's."""
    default = "la" if token.kind == TokenKind.LOCAL_AUTHORITY else "england"
    area = params.get("area", default)
    code = params.get("code")
    if area == "england":
        if code:
            raise _bad("code", "England takes no code.")
        return ENGLAND, None
    if code is None:
        if area == "la" and token.local_authority:
            return scope_for(token.local_authority), token.local_authority.gss_code
        raise _bad("code", f"Give the {area}'s code.")
    if area == "la":
        obj = find_authority(code)
        ref = obj.gss_code if obj else None
    elif area == "region":
        obj = Region.objects.filter(code=code.upper()).first()
        ref = obj.code if obj else None
    else:
        obj = Cluster.objects.filter(slug=code.lower()).first()
        ref = obj.slug if obj else None
    if obj is None:
        raise _bad("code", f"There is no {'LA' if area == 'la' else area} '{code}'.")
    return scope_for(obj), ref


class FunnelView(LoggedAPIView):
    @extend_schema(
        operation_id="funnel",
        summary="Funnel figures for an area and period",
        description="People entering each stage, conversion between stages and from "
        "enquiry to application and approval, median days, exits by stage and reason, "
        "enquiries by source channel, the same period a year earlier, the national "
        "baseline and the region's and England's rates. The same figures as the web funnel "
        "page. An LA token reads its own LA only (anything else: 403); a DfE token reads "
        "every LA, cluster, region and England.",
        parameters=[FunnelQuerySerializer],
        responses=FunnelSerializer,
        tags=["funnels"],
    )
    def get(self, request):
        params = read_query(request, FunnelQuerySerializer)
        token = request.auth
        scope, code = _area(token, params)
        user = account(request)
        if token.kind == TokenKind.LOCAL_AUTHORITY and not (
            scope.kind == "la" and scope.pk == token.local_authority_id
        ):
            raise exceptions.PermissionDenied(
                f"This token reads {token.local_authority}'s funnel only."
            )
        if not may_read_scope(user, scope):  # the web page's own rule, behind the token's
            raise exceptions.PermissionDenied("This token may not read that area's funnel.")
        month = params.get("month") or timezone.localdate()
        period = make_period(params.get("period", "fy"), month)
        data = selectors.funnel_comparison(scope, period)
        bench = selectors.benchmarks(selectors.benchmark_scopes(scope), period)
        return Response(_represent(data, bench, scope, code, period))


def _represent(data, bench, scope, code, period) -> dict:
    earlier = data["year_earlier"]
    return {
        "area": {"area": scope.kind, "code": code, "name": scope.label},
        "period": {
            "type": period.kind,
            "label": period.label,
            "first_day": period.start,
            "last_day": period.end - datetime.timedelta(days=1),
        },
        "stages": [
            {k: s[k] for k in ("code", "name", "count", "conversion", "year_earlier")}
            for s in data["stages"]
        ],
        "enquiries": data["enquiries"],
        "enquiries_from_records": data["enquiries_from_records"],
        "enquiries_from_returns": data["enquiries_from_returns"],
        "enquiries_deduplicated": data["enquiries_deduplicated"],
        "enquiry_to_application": data["enquiry_to_application"],
        "enquiry_to_approval": data["enquiry_to_approval"],
        "medians": data["medians"],
        "exits": data["exits"],
        "channels": data["channels"],
        "year_earlier": {
            "period": earlier["period"],
            "enquiries": earlier["enquiries"],
            "enquiry_to_application": earlier["enquiry_to_application"],
            "enquiry_to_approval": earlier["enquiry_to_approval"],
        },
        "baseline": data["baseline"],
        "benchmarks": [
            {
                "area": b["scope"],
                "enquiry_to_application": b["enquiry_to_application"],
                "enquiry_to_approval": b["enquiry_to_approval"],
            }
            for b in bench
        ],
    }

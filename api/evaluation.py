"""The hub evaluation through the API (issue 19): the hub effect and the projections, the
same figures as the web pages (pipeline.evaluation.hub_effects, pipeline.projection),
worked out in the background and kept until their data change. A DfE token reads every
cluster and each hub; an LA token its own cluster's projection and the pooled effect."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from pipeline.projection import projections as worked_out
from pipeline.projection import rows_for

from .views import LoggedAPIView, account


class IntervalSerializer(serializers.Serializer):
    expected = serializers.FloatField(help_text="Approvals expected from today to the end")
    low = serializers.IntegerField(help_text="The interval's lower end (the same span)")
    high = serializers.IntegerField()
    so_far = serializers.IntegerField(help_text="Approvals already counted in the period")
    total = serializers.FloatField(help_text="so_far + expected")


class BackTestSerializer(serializers.Serializer):
    months_ago = serializers.IntegerField()
    made_on = serializers.DateField()
    projected = serializers.FloatField(help_text="Approvals projected from then to today")
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    happened = serializers.IntegerField(help_text="Approvals counted from then to today")
    inside = serializers.BooleanField(help_text="Whether what happened is inside the interval")


class ClusterProjectionSerializer(serializers.Serializer):
    cluster = serializers.CharField(help_text="The cluster's slug")
    name = serializers.CharField()
    financial_year = IntervalSerializer(help_text="To 31 March of this financial year")
    contract = IntervalSerializer(help_text="To the contract's last day")
    target = serializers.IntegerField(allow_null=True, help_text="Approvals a year, if set")
    people_in_pipeline = serializers.IntegerField()
    enquiries_per_month = serializers.FloatField()
    las_on_returns = serializers.IntegerField(
        help_text="Member LAs sending monthly returns, projected at their recent rate"
    )
    stages_on_national_rates = serializers.ListField(child=serializers.CharField())
    back_tests = BackTestSerializer(many=True)


class ProjectionsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    financial_year = serializers.CharField(help_text="e.g. 2026-27")
    contract_end = serializers.DateField()
    level = serializers.IntegerField(help_text="The intervals' coverage, in per cent")
    clusters = ClusterProjectionSerializer(many=True)


class WorkingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["working"])
    message = serializers.CharField()


WORKING = OpenApiResponse(
    WorkingSerializer, description="Being worked out: ask again in a minute (Retry-After)"
)


def _interval(p) -> dict:
    return {
        "expected": round(p.expected, 1),
        "low": p.low,
        "high": p.high,
        "so_far": p.so_far,
        "total": round(p.total, 1),
    }


def represent_projections(result: dict, rows: list) -> dict:
    return {
        "as_of": result["today"],
        "financial_year": result["fy_label"],
        "contract_end": result["contract_end"],
        "level": result["level"],
        "clusters": [
            {
                "cluster": r["cluster"]["slug"],
                "name": r["cluster"]["name"],
                "financial_year": _interval(r["year"]),
                "contract": _interval(r["contract"]),
                "target": r["target"],
                "people_in_pipeline": r["year"].people,
                "enquiries_per_month": round(r["year"].arrivals_per_month, 1),
                "las_on_returns": r["returns_las"],
                "stages_on_national_rates": r["year"].baseline_stages,
                "back_tests": [
                    {
                        "months_ago": b["months"],
                        "made_on": b["as_of"],
                        "projected": round(b["projected"].expected, 1),
                        "low": b["projected"].low,
                        "high": b["projected"].high,
                        "happened": b["happened"],
                        "inside": b["inside"],
                    }
                    for b in r["back_tests"]
                ],
            }
            for r in rows
        ],
    }


class ProjectionsView(LoggedAPIView):
    @extend_schema(
        operation_id="projections",
        summary="Approvals projected to the end of the year and of the contract",
        description="For each cluster: approvals so far this financial year, projected to "
        "31 March and to the contract's end with a 90% interval, the target, the people in "
        "its pipeline, and the same projection made three and six months ago beside what "
        "happened. The same figures as the web page. A DfE token reads every cluster; an LA "
        "token its own LA's cluster. Worked out in the background when the data have "
        "changed: then 202, ask again after Retry-After seconds.",
        responses={200: ProjectionsSerializer, 202: WORKING},
        tags=["evaluation"],
    )
    def get(self, request):
        result = worked_out(timezone.localdate())
        if result is None or result.get("failed"):
            return _working(result, "projection")
        return Response(represent_projections(result, rows_for(account(request), result)))


class EventSerializer(serializers.Serializer):
    years_since_go_live = serializers.IntegerField(help_text="-1 is the reference year")
    estimate = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()


class HubEstimateSerializer(serializers.Serializer):
    hub = serializers.CharField()
    go_live = serializers.DateField()
    estimate = serializers.FloatField(allow_null=True)
    refused = serializers.CharField(allow_null=True, help_text="Why there is no estimate")
    meaning = serializers.CharField(allow_null=True)
    rests_on = serializers.CharField()


class OutcomeEffectSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["enquiries", "enquiry_to_application", "enquiry_to_approval"]
    )
    label = serializers.CharField()
    estimate = serializers.FloatField(
        allow_null=True, help_text="Per year after go-live; null when refused"
    )
    low = serializers.FloatField(allow_null=True, help_text="95% interval, clustered by LA")
    high = serializers.FloatField(allow_null=True)
    refused = serializers.CharField(allow_null=True, help_text="Why there is no estimate")
    meaning = serializers.CharField(allow_null=True, help_text="What the estimate means")
    rests_on = serializers.CharField(help_text="How many LAs and years it rests on")
    events = EventSerializer(many=True, help_text="The event study (empty when refused)")
    hubs = HubEstimateSerializer(many=True, help_text="Each hub's own (DfE tokens only)")


class HubEffectSerializer(serializers.Serializer):
    outcomes = OutcomeEffectSerializer(
        many=True, help_text="Annual, from the published figures for years ending 31 March"
    )
    monthly = OutcomeEffectSerializer(
        many=True,
        help_text="Monthly, from the tracker's own records (pooled; events in months), where "
        "LAs in hubs and in none both have records",
    )


def represent_hub_effect(kept: dict) -> dict:
    return {"outcomes": _outcomes(kept["annual"]), "monthly": _outcomes(kept["monthly"])}


def _outcomes(sections: list) -> list:
    outcomes = []
    for s in sections:
        pooled = s["pooled"]
        refused = pooled.get("refused")
        overall = s.get("overall") or {}
        outcomes.append(
            {
                "outcome": s["outcome"],
                "label": pooled["label"],
                "estimate": None if refused else overall.get("value"),
                "low": None if refused else overall.get("low"),
                "high": None if refused else overall.get("high"),
                "refused": refused,
                "meaning": None if refused else pooled.get("meaning"),
                "rests_on": pooled.get("rests_on", ""),
                "events": []
                if refused
                else [
                    {"years_since_go_live": e["e"], "estimate": e["value"], **_ends(e)}
                    for e in s["events"]
                ],
                "hubs": [
                    {
                        "hub": h["name"],
                        "go_live": h["go_live"],
                        "estimate": h.get("value"),
                        "refused": h.get("refused"),
                        "meaning": h.get("meaning"),
                        "rests_on": h.get("rests_on", ""),
                    }
                    for h in s["hubs"]
                ],
            }
        )
    return outcomes


def _ends(event: dict) -> dict:
    return {"low": event["low"], "high": event["high"]}


class HubEffectView(LoggedAPIView):
    @extend_schema(
        operation_id="hub_effect",
        summary="Are the hubs working? The hub effect on enquiries and conversion",
        description="A difference-in-differences estimate (Callaway and Sant'Anna) of the "
        "hubs' effect on initial enquiries and on enquiry-to-application and "
        "enquiry-to-approval rates, from the published figures, hub LAs against LAs in no "
        "hub: the pooled estimate with its 95% interval (clustered by LA), the event study, "
        "the sample it rests on, or the reason the data cannot support an estimate. The same "
        "figures as the web page. A DfE token also reads each hub's own estimate.",
        responses={200: HubEffectSerializer, 202: WORKING},
        tags=["evaluation"],
    )
    def get(self, request):
        from pipeline.evaluation import hub_effects
        from pipeline.views import _hub_effects

        kept = hub_effects(timezone.localdate())
        if kept is None or kept.get("failed"):
            return _working(kept, "hub effect")
        return Response(represent_hub_effect(_hub_effects(account(request), kept)))


def _working(kept, what: str) -> Response:
    message = (
        f"The {what} is being worked out: ask again in a minute."
        if kept is None
        else f"The {what} could not be worked out; it is tried again in a few minutes."
    )
    return Response(
        {"status": "working", "message": message}, status=202, headers={"Retry-After": "60"}
    )

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.decorators import predicate_required
from accounts.permissions import has_data_access
from clusters.models import Rating
from clusters.selectors import clusters_for_user, in_place_percent, rating_trend
from core.history import history_rows
from core.views import FilteredTableView, form_view

from . import permissions, services
from .filters import MilestoneFilter
from .forms import (
    ContractSettingsForm,
    DayRateForm,
    KpiForm,
    KpiValueForm,
    MilestoneForm,
    RebaselineForm,
    VariationForm,
)
from .models import Kpi, Milestone
from .selectors import current_contract, kpis_with_latest_values, milestones_for_user, rate_card
from .tables import MilestoneTable


def overview(request):
    """The programme at a glance: every cluster's stage, confidence trend and harmonisation."""
    clusters = list(clusters_for_user(request.user).with_overview())
    trend = rating_trend(clusters)
    rows = [
        {
            "cluster": c,
            "in_place_percent": in_place_percent(c),
            "trend": trend[c.pk],
            "latest_rating_label": Rating(c.latest_rating).label if c.latest_rating else None,
        }
        for c in clusters
    ]
    upcoming = [m for m in milestones_for_user(request.user) if m.actual_date is None][:8]
    return render(request, "programme/overview.html", {"rows": rows, "upcoming": upcoming})


@predicate_required(permissions.can_see_money)
def contract_detail(request):
    contract = current_contract()
    return render(
        request,
        "programme/contract.html",
        {
            "contract": contract,
            "caps": contract.caps.all(),
            "variations": contract.variations.select_related("recorded_by"),
            "rate_card": rate_card(),
            "history": contract.history.select_related("history_user")[:20],
            "can_edit": permissions.can_edit_contract(request.user),
        },
    )


@predicate_required(permissions.can_edit_contract)
def contract_settings(request):
    contract = current_contract()
    form = ContractSettingsForm(request.POST or None, instance=contract)
    return form_view(
        request,
        form=form,
        title="Change contract settings",
        on_valid=lambda f: services.update_contract_settings(
            contract=contract,
            hours_per_day=f.cleaned_data["hours_per_day"],
            planning_days_per_cluster_month=f.cleaned_data["planning_days_per_cluster_month"],
        ),
        success_url=reverse("programme:contract"),
        success_message="Contract settings saved.",
    )


@predicate_required(permissions.can_edit_contract)
def contract_vary(request):
    contract = current_contract()
    form = VariationForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title="Record a contract variation",
        on_valid=lambda f: services.vary_contract(
            contract=contract, by=request.user, **f.cleaned_data
        ),
        success_url=reverse("programme:contract"),
        success_message="Variation recorded.",
        context={
            "intro": f"The contract runs to {contract.end_date:%-d %B %Y}. A variation "
            "extends it and adds financial years with their caps; the earlier terms are kept."
        },
    )


@predicate_required(permissions.can_edit_contract)
def rate_add(request):
    form = DayRateForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title="Add a day rate",
        on_valid=lambda f: services.add_day_rate(**f.cleaned_data),
        success_url=reverse("programme:contract"),
        success_message="Day rate added.",
        context={
            "intro": "A new rate applies from its date on. Earlier rates are kept and "
            "time already logged keeps the rate of its date."
        },
    )


class MilestoneListView(FilteredTableView):
    table_class = MilestoneTable
    filterset_class = MilestoneFilter
    page_title = "Milestones"
    export_name = "milestones"
    template_name = "programme/milestone_list.html"

    def get_queryset(self):
        return milestones_for_user(self.request.user)


def _milestone_for_user(user, pk) -> Milestone:
    return get_object_or_404(milestones_for_user(user), pk=pk)


def milestone_detail(request, pk):
    milestone = _milestone_for_user(request.user, pk)
    return render(
        request,
        "programme/milestone_detail.html",
        {
            "milestone": milestone,
            "history": history_rows(milestone),
            "can_edit": permissions.can_edit_milestone(request.user, milestone),
        },
    )


def milestone_create(request):
    user = request.user
    if not (permissions.is_delivery_partner(user) or permissions.is_cluster_lead(user)):
        raise PermissionDenied
    fixed = user.cluster if permissions.is_cluster_lead(user) else None
    form = MilestoneForm(
        request.POST or None, clusters=clusters_for_user(user), fixed_cluster=fixed
    )
    return form_view(
        request,
        form=form,
        title="Add a milestone",
        on_valid=lambda f: services.save_milestone(milestone=f.instance, by=user),
        success_url=reverse("programme:milestone_list"),
        success_message="Milestone added.",
    )


def milestone_edit(request, pk):
    milestone = _milestone_for_user(request.user, pk)
    if not permissions.can_edit_milestone(request.user, milestone):
        raise PermissionDenied
    fixed = milestone.cluster if permissions.is_cluster_lead(request.user) else None
    form = MilestoneForm(
        request.POST or None,
        instance=milestone,
        clusters=clusters_for_user(request.user),
        fixed_cluster=fixed,
    )
    return form_view(
        request,
        form=form,
        title=f"Change “{milestone.title}”",
        on_valid=lambda f: services.save_milestone(milestone=f.instance, by=request.user),
        success_url=reverse("programme:milestone_detail", args=[pk]),
        success_message="Milestone saved.",
    )


def milestone_rebaseline(request, pk):
    milestone = _milestone_for_user(request.user, pk)
    if not permissions.can_edit_milestone(request.user, milestone):
        raise PermissionDenied
    form = RebaselineForm(request.POST or None, initial={"baseline_date": milestone.forecast_date})
    return form_view(
        request,
        form=form,
        title=f"Re-baseline “{milestone.title}”",
        on_valid=lambda f: services.rebaseline(milestone=milestone, **f.cleaned_data),
        success_url=reverse("programme:milestone_detail", args=[pk]),
        success_message="Milestone re-baselined; the old baseline is kept in its history.",
        context={"intro": f"The baseline is {milestone.baseline_date:%-d %B %Y}."},
    )


def _clusters_with_values(user):
    """Whose per-cluster KPI values the user reads: their clusters, once vetted and trained.
    The same values are in the reports a lapsed member of staff is kept out of (spec
    §26-27), so they see the programme-wide values only."""
    if not has_data_access(user):
        return clusters_for_user(user).none()
    return clusters_for_user(user)


def kpi_list(request):
    visible = set(_clusters_with_values(request.user).values_list("pk", flat=True))
    kpis = []
    for kpi in kpis_with_latest_values():
        values = [v for v in kpi.values.all() if v.cluster_id is None or v.cluster_id in visible]
        programme_values = [v for v in values if v.cluster_id is None]
        latest = programme_values[-1] if programme_values else None
        kpis.append(
            {
                "kpi": kpi,
                "latest": latest,
                "values": values,
                "meets": kpi.meets_target(latest.value) if latest else None,
            }
        )
    return render(
        request,
        "programme/kpi_list.html",
        {"kpis": kpis, "can_define": permissions.can_define_kpi(request.user)},
    )


def kpi_detail(request, pk):
    kpi = get_object_or_404(Kpi, pk=pk)
    visible = _clusters_with_values(request.user)
    values = (
        (kpi.values.filter(cluster__isnull=True) | kpi.values.filter(cluster__in=visible))
        .select_related("cluster", "recorded_by")
        .order_by("-quarter_start", "cluster__name")
    )
    can_record = permissions.is_delivery_partner(request.user) or (
        permissions.is_cluster_lead(request.user)
    )
    return render(
        request,
        "programme/kpi_detail.html",
        {
            "kpi": kpi,
            "values": values,
            "can_record": can_record,
            "history": kpi.history.select_related("history_user")[:10],
        },
    )


@predicate_required(permissions.can_define_kpi)
def kpi_create(request):
    form = KpiForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title="Define a KPI",
        on_valid=lambda f: f.save(),
        success_url=reverse("programme:kpi_list"),
        success_message="KPI defined.",
    )


def kpi_record(request, pk):
    kpi = get_object_or_404(Kpi, pk=pk)
    user = request.user
    if not (permissions.is_delivery_partner(user) or permissions.is_cluster_lead(user)):
        raise PermissionDenied
    clusters = clusters_for_user(user)
    form = KpiValueForm(
        request.POST or None,
        clusters=clusters,
        allow_programme_wide=permissions.is_delivery_partner(user),
    )

    def record(f):
        cluster = f.cleaned_data["cluster"]
        if not permissions.can_record_kpi(user, cluster):
            raise PermissionDenied
        services.record_kpi_value(
            kpi=kpi,
            quarter=f.cleaned_data["quarter"],
            cluster=cluster,
            value=f.cleaned_data["value"],
            by=user,
        )

    return form_view(
        request,
        form=form,
        title=f"Record a value: {kpi.name}",
        on_valid=record,
        success_url=reverse("programme:kpi_detail", args=[pk]),
        success_message="Value recorded.",
        context={
            "intro": f"Target: {kpi.target} {kpi.unit} ({kpi.get_direction_display().lower()})."
        },
    )

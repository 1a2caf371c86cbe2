"""Bid pages: the list, a bid with its assessments and narrative versions, the comparison of
all bids against DfE's criteria, and the criteria themselves. Each page looks a bid up
through the user's scope (a bid they may not see is a 404), checks who may change it
(else 403) and calls one service."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from clusters.permissions import can_see_grant
from clusters.selectors import clusters_for_user
from core.export import csv_response
from core.history import history_rows
from core.views import FilteredTableView, form_view

from .. import permissions
from ..forms.bids import (
    AssessmentForm,
    BidCreateForm,
    BidFilter,
    BidForm,
    BidTable,
    CriterionFilter,
    CriterionForm,
    CriterionTable,
    OutcomeForm,
    VersionForm,
)
from ..models import Bid, Criterion
from ..selectors import bids as selectors
from ..services import bids as services
from ..services.bids import OPEN_OUTCOMES


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _bid(request, pk) -> Bid:
    return get_object_or_404(selectors.bids_for_user(request.user), pk=pk)


def _detail_url(bid) -> str:
    return reverse("engagement:bid_detail", args=[bid.pk])


# -- bids ------------------------------------------------------------------------------------


class BidListView(FilteredTableView):
    table_class = BidTable
    filterset_class = BidFilter
    template_name = "engagement/bids/bid_list.html"
    page_title = "Bids"
    export_name = "bids"

    def dispatch(self, request, *args, **kwargs):
        _require(permissions.can_see_bids(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.bid_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_work"] = permissions.can_work_on_bids(user)
        context["can_manage_criteria"] = permissions.can_manage_criteria(user)
        return context


def bid_create(request):
    user = request.user
    _require(permissions.can_work_on_bids(user))
    clusters = clusters_for_user(user).filter(bid__isnull=True).order_by("name")
    initial = {}
    if request.GET.get("cluster"):
        initial["cluster"] = clusters.filter(slug=request.GET["cluster"]).first()
    form = BidCreateForm(request.POST or None, initial=initial, clusters=clusters)
    return form_view(
        request,
        form=form,
        title="Open a bid",
        on_valid=lambda f: services.create_bid(by=user, **f.cleaned_data),
        success_url=_detail_url,
        cancel_url=reverse("engagement:bid_list"),
        success_message="Bid opened: each of DfE's criteria starts as not met.",
        context={
            "intro": "The bid is tested against each of DfE's criteria in use. Clusters that "
            "already have a bid are not listed."
        },
    )


def bid_detail(request, pk):
    bid = _bid(request, pk)
    user = request.user
    is_open = bid.outcome in OPEN_OUTCOMES
    return render(
        request,
        "engagement/bids/bid_detail.html",
        {
            "bid": bid,
            **selectors.bid_detail(bid),
            "is_open": is_open,
            "can_work": permissions.can_work_on_bids(user) and is_open,
            "can_write_narrative": permissions.can_write_bid_narrative(user) and is_open,
            "can_record_outcome": permissions.can_record_outcome(user) and is_open,
            "can_see_grant": can_see_grant(user, bid.cluster),
        },
    )


def bid_edit(request, pk):
    bid = _bid(request, pk)
    user = request.user
    _require(permissions.can_work_on_bids(user))
    form = BidForm(
        request.POST or None,
        initial={
            "consultant": bid.consultant,
            "due_on": bid.due_on,
            "submitted_on": bid.submitted_on,
        },
    )
    return form_view(
        request,
        form=form,
        title=f"Change the bid of {bid.cluster}",
        on_valid=lambda f: services.update_bid(bid=bid, by=user, **f.cleaned_data),
        success_url=_detail_url(bid),
        success_message="Bid saved.",
        context={
            "intro": "Recording the date the bid was submitted moves a cluster still "
            "preparing it to “bid submitted”."
        },
    )


def assessment_edit(request, pk, assessment_pk):
    user = request.user
    assessment = selectors.assessment_for_user(user, pk, assessment_pk)
    if assessment is None:
        raise Http404("No such assessment.")
    _require(permissions.can_work_on_bids(user))
    bid = assessment.bid
    form = AssessmentForm(
        request.POST or None,
        initial={
            "status": assessment.status,
            "evidence": assessment.evidence,
            "challenge": assessment.challenge,
        },
    )
    return form_view(
        request,
        form=form,
        title=assessment.criterion.name,
        on_valid=lambda f: services.assess(assessment=assessment, by=user, **f.cleaned_data),
        success_url=_detail_url(bid) + f"#criterion-{assessment.pk}",
        success_message=f"Saved “{assessment.criterion}”. The change is kept in its history.",
        template="core/form_with_history.html",
        context={
            "caption": f"Bid of {bid.cluster}",
            "intro": assessment.criterion.guidance,
            "history": history_rows(assessment),
        },
    )


def version_add(request, pk):
    bid = _bid(request, pk)
    user = request.user
    _require(permissions.can_write_bid_narrative(user))
    latest = bid.versions.order_by("-number").first()
    form = VersionForm(
        request.POST or None, initial={"narrative": latest.narrative if latest else ""}
    )
    return form_view(
        request,
        form=form,
        title="Add a version of the bid narrative",
        on_valid=lambda f: services.add_version(
            bid=bid,
            by=user,
            narrative=f.cleaned_data["narrative"],
            change_note=f.cleaned_data["change_note"],
            dated=f.cleaned_data["dated"],
        ),
        success_url=_detail_url(bid) + "#narrative",
        success_message="New version saved; earlier versions stay readable.",
        context={
            "caption": f"Bid of {bid.cluster}",
            "intro": f"This will be version {(latest.number if latest else 0) + 1}. "
            + ("It starts as a copy of the latest version." if latest else ""),
            "submit_label": "Save this version",
        },
    )


def version_detail(request, pk, number):
    bid = _bid(request, pk)
    version = get_object_or_404(bid.versions.select_related("written_by"), number=number)
    return render(
        request,
        "engagement/bids/version_detail.html",
        {"bid": bid, "version": version, "latest_number": bid.versions.count()},
    )


def bid_outcome(request, pk):
    bid = _bid(request, pk)
    user = request.user
    _require(permissions.can_record_outcome(user))
    form = OutcomeForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=f"Record DfE's decision on the bid of {bid.cluster}",
        on_valid=lambda f: services.record_outcome(
            bid=bid,
            by=user,
            outcome=f.cleaned_data["outcome"],
            decided_on=f.cleaned_data["outcome_on"],
            grant_amount=f.cleaned_data["grant_amount"],
            note=f.cleaned_data["note"],
        ),
        success_url=_detail_url(bid),
        success_message="Outcome recorded.",
        context={
            "warning": "Funded and not funded are final: the bid's assessments and narrative "
            "are then kept as they are. Funding records the grant on the cluster and moves a "
            "cluster still at a bid stage to “funded”. A deferred bid stays open.",
            "submit_label": "Record the decision",
        },
    )


def bid_compare(request):
    user = request.user
    _require(permissions.can_see_bids(user))
    data = selectors.comparison(selectors.bids_for_user(user))
    if request.GET.get("format") == "csv":
        header, rows = selectors.comparison_csv_rows(data)
        return csv_response("bids-against-criteria.csv", header, rows)
    return render(request, "engagement/bids/compare.html", data)


# -- DfE's criteria --------------------------------------------------------------------------


class CriterionListView(FilteredTableView):
    table_class = CriterionTable
    filterset_class = CriterionFilter
    template_name = "engagement/bids/criterion_list.html"
    page_title = "DfE's criteria for bids"
    export_name = "bid-criteria"

    def dispatch(self, request, *args, **kwargs):
        _require(permissions.can_see_bids(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.criteria_list()

    def get_table_kwargs(self):
        if permissions.can_manage_criteria(self.request.user):
            return {}
        return {"exclude": ("actions",)}

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        if permissions.can_manage_criteria(self.request.user):
            table.ends = selectors.criteria_ends()
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can_manage_criteria(self.request.user)
        return context


def criterion_edit(request, pk=None):
    user = request.user
    _require(permissions.can_manage_criteria(user))
    criterion = get_object_or_404(Criterion, pk=pk) if pk else Criterion()
    form = CriterionForm(request.POST or None, instance=criterion)
    return form_view(
        request,
        form=form,
        title=f"Change “{criterion}”" if pk else "Add a criterion",
        on_valid=lambda f: services.save_criterion(criterion=f.instance, by=user),
        success_url=reverse("engagement:criterion_list"),
        success_message="Criterion saved."
        if pk
        else "Criterion added: every open bid now lists it as not met.",
    )


def _criterion_confirm(request, pk, *, retire: bool):
    user = request.user
    _require(permissions.can_manage_criteria(user))
    criterion = get_object_or_404(Criterion, pk=pk)
    service = services.retire_criterion if retire else services.reinstate_criterion
    return form_view(
        request,
        form=forms.Form(request.POST if request.method == "POST" else None),
        title=f"{'Retire' if retire else 'Reinstate'} “{criterion}”?",
        on_valid=lambda f: service(criterion=criterion, by=user),
        success_url=reverse("engagement:criterion_list"),
        success_message=f"“{criterion}” {'retired' if retire else 'reinstated'}.",
        context={
            "warning": "Open bids will no longer be tested against it. Bids already decided "
            "keep their assessment."
            if retire
            else "Open bids will be tested against it again: an earlier assessment comes "
            "back as it was, others start as not met.",
            "submit_label": "Retire" if retire else "Reinstate",
        },
    )


def criterion_retire(request, pk):
    return _criterion_confirm(request, pk, retire=True)


def criterion_reinstate(request, pk):
    return _criterion_confirm(request, pk, retire=False)


@require_POST
def criterion_move(request, pk):
    user = request.user
    _require(permissions.can_manage_criteria(user))
    criterion = get_object_or_404(Criterion, pk=pk)
    try:
        services.move_criterion(
            criterion=criterion, up=request.POST.get("direction") == "up", by=user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{criterion}” moved.")
    return redirect("engagement:criterion_list")


urlpatterns = [
    path("bids/", BidListView.as_view(), name="bid_list"),
    path("bids/new/", bid_create, name="bid_create"),
    path("bids/compare/", bid_compare, name="bid_compare"),
    path("bids/criteria/", CriterionListView.as_view(), name="criterion_list"),
    path("bids/criteria/new/", criterion_edit, name="criterion_create"),
    path("bids/criteria/<int:pk>/change/", criterion_edit, name="criterion_edit"),
    path("bids/criteria/<int:pk>/retire/", criterion_retire, name="criterion_retire"),
    path("bids/criteria/<int:pk>/reinstate/", criterion_reinstate, name="criterion_reinstate"),
    path("bids/criteria/<int:pk>/move/", criterion_move, name="criterion_move"),
    path("bids/<int:pk>/", bid_detail, name="bid_detail"),
    path("bids/<int:pk>/change/", bid_edit, name="bid_edit"),
    path("bids/<int:pk>/outcome/", bid_outcome, name="bid_outcome"),
    path(
        "bids/<int:pk>/assessments/<int:assessment_pk>/",
        assessment_edit,
        name="assessment_edit",
    ),
    path("bids/<int:pk>/versions/new/", version_add, name="version_add"),
    path("bids/<int:pk>/versions/<int:number>/", version_detail, name="version_detail"),
]


def home_panels(user) -> list[dict]:
    """For the delivery partner and a cluster lead: open bids due for submission in the next
    four weeks (one query; nothing when none is due)."""
    if not permissions.can_write_bid_narrative(user):
        return []
    due = selectors.bids_due_soon(user)
    return [{"template": "engagement/bids/home_panel.html", "due": due}] if due else []

"""Technical support pages: the list, a new request, a request's page and each step of its
flow. A request the user may not see is not found (404); a step they may not take is
refused (403); each step calls one service."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from accounts.decorators import predicate_required
from accounts.permissions import is_delivery_partner
from clusters.selectors import clusters_for_user
from core.history import history_rows
from core.views import FilteredTableView, form_view
from engagement import permissions as p
from engagement.forms.support import (
    ApproveForm,
    CloseForm,
    DeclineForm,
    DiagnoseForm,
    SupportFilter,
    SupportRequestForm,
    SupportTable,
)
from engagement.models import SupportStatus
from engagement.selectors import support as selectors
from engagement.services import support as services
from timesheets.permissions import can_see_entry_cost


def _request(request, pk, *, allowed=None):
    """The support request if the user may see it (else 404) and, for a step, may take it
    (else 403). Whether the step fits the request's status is the service's to say."""
    support = get_object_or_404(selectors.support_for_user(request.user), pk=pk)
    if allowed is not None and not allowed(request.user):
        raise PermissionDenied
    return support


class SupportListView(FilteredTableView):
    table_class = SupportTable
    filterset_class = SupportFilter
    template_name = "engagement/support/list.html"
    page_title = "Technical support"
    export_name = "technical-support"

    def get_queryset(self):
        return selectors.support_for_user(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["clusters"] = clusters_for_user(self.request.user).order_by("name")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_request"] = p.can_request_support(self.request.user)
        return context


@predicate_required(p.can_request_support)
def support_create(request):
    clusters = clusters_for_user(request.user).order_by("name")
    form = SupportRequestForm(request.POST or None, clusters=clusters, user=request.user)
    return form_view(
        request,
        form=form,
        title="Request technical support",
        on_valid=lambda f: services.request_support(by=request.user, **f.cleaned_data),
        success_url=lambda support: reverse("engagement:support_detail", args=[support.pk]),
        cancel_url=reverse("engagement:support_list"),
        success_message="Requested. A consultant will diagnose the need and propose days.",
        context={
            "intro": "Technical support is drawn down in days: a consultant diagnoses what is "
            "needed and proposes days, and the programme manager approves them.",
            "submit_label": "Send the request",
        },
    )


def support_detail(request, pk):
    support = _request(request, pk)
    user = request.user
    hpd = selectors.hours_per_day()
    status = support.status
    return render(
        request,
        "engagement/support/detail.html",
        {
            "support": support,
            **selectors.support_detail(support, user),
            "hours_per_day": hpd,
            "history": history_rows(support),
            "can_see_cost": can_see_entry_cost(user),
            "can_diagnose": status == SupportStatus.REQUESTED and p.can_diagnose_support(user),
            "can_approve": status == SupportStatus.DIAGNOSED and p.can_approve_support(user),
            "can_decline": status in (SupportStatus.REQUESTED, SupportStatus.DIAGNOSED)
            and p.can_approve_support(user),
            "can_close": status == SupportStatus.APPROVED and p.can_close_support(user),
            "can_log_time": status == SupportStatus.APPROVED and is_delivery_partner(user),
        },
    )


def _step(request, support, *, form, title, on_valid, done, **context):
    url = reverse("engagement:support_detail", args=[support.pk])
    return form_view(
        request,
        form=form,
        title=title,
        on_valid=on_valid,
        success_url=url,
        success_message=done,
        context={"caption": str(support), **context},
    )


def support_diagnose(request, pk):
    support = _request(request, pk, allowed=p.can_diagnose_support)
    form = DiagnoseForm(request.POST or None)
    return _step(
        request,
        support,
        form=form,
        title=f"Diagnose {support.reference}",
        on_valid=lambda f: services.diagnose(request_id=pk, by=request.user, **f.cleaned_data),
        done="Diagnosed. A programme manager will approve the days.",
        intro=f"{support.cluster} asked for: {support.reason}",
        submit_label="Propose these days",
    )


def support_approve(request, pk):
    support = _request(request, pk, allowed=p.can_approve_support)
    form = ApproveForm(request.POST or None, proposed_days=support.proposed_days)
    proposed = services.days_text(support.proposed_days) if support.proposed_days else "no days"
    return _step(
        request,
        support,
        form=form,
        title=f"Approve days for {support.reference}",
        on_valid=lambda f: services.approve(
            request_id=pk,
            by=request.user,
            approved_days=f.cleaned_data["approved_days"],
            reason=f.cleaned_data["approval_reason"],
        ),
        done="Approved. R3 time logged against the request now draws it down.",
        intro=f"Proposed: {proposed}. {support.diagnosis}",
        submit_label="Approve",
    )


def support_decline(request, pk):
    support = _request(request, pk, allowed=p.can_approve_support)
    form = DeclineForm(request.POST or None)
    return _step(
        request,
        support,
        form=form,
        title=f"Decline {support.reference}?",
        on_valid=lambda f: services.decline(
            request_id=pk, by=request.user, reason=f.cleaned_data["approval_reason"]
        ),
        done="Declined. The cluster sees the reason on the request.",
        warning="A declined request cannot be reopened: the cluster would raise a new one.",
        submit_label="Decline the request",
    )


def support_close(request, pk):
    support = _request(request, pk, allowed=p.can_close_support)
    form = CloseForm(request.POST or None)
    left = support.days_left
    return _step(
        request,
        support,
        form=form,
        title=f"Close {support.reference}?",
        on_valid=lambda f: services.close(
            request_id=pk, by=request.user, outcome=f.cleaned_data["outcome"]
        ),
        done=f"{support.reference} closed.",
        warning="Once closed, no more time can be logged against the request, and it cannot "
        "be reopened."
        + (
            f" {services.days_text(left)} of the approved days are still unused."
            if left is not None and left > 0
            else ""
        ),
        submit_label="Close the request",
    )


urlpatterns = [
    path(
        "support/",
        predicate_required(p.can_see_support)(SupportListView.as_view()),
        name="support_list",
    ),
    path("support/new/", support_create, name="support_create"),
    path(
        "support/<int:pk>/",
        predicate_required(p.can_see_support)(support_detail),
        name="support_detail",
    ),
    path("support/<int:pk>/diagnose/", support_diagnose, name="support_diagnose"),
    path("support/<int:pk>/approve/", support_approve, name="support_approve"),
    path("support/<int:pk>/decline/", support_decline, name="support_decline"),
    path("support/<int:pk>/close/", support_close, name="support_close"),
]


def home_panels(user) -> list[dict]:
    """Requests awaiting the user: approval (programme managers), diagnosis (consultants)
    or, for a lead, their cluster's open requests with days left."""
    panel = selectors.home_panel(user)
    if panel is None:
        return []
    return [{"template": "engagement/support/home_panel.html", **panel}]

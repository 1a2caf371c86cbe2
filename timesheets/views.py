"""Timesheet pages. Each checks who is asking, looks entries and invoices up through the
user's scope (something they may not see is simply not found) and calls one service or
selector. Cluster leads never get a rate, a cost or an invoice."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.decorators import predicate_required
from clusters.selectors import clusters_for_user
from core.export import csv_response, table_csv_response
from core.views import FilteredTableView, attach_errors, form_view
from programme.models import financial_year_of
from programme.selectors import current_contract

from . import charts, permissions, selectors, services
from .filters import ApprovalFilter, EntryFilter, InvoiceFilter
from .forms import (
    DAYS,
    AdjustmentForm,
    AllocationForm,
    EntryForm,
    InvoiceMonthForm,
    ReasonForm,
    WeekFormSet,
)
from .models import Status, TimeEntry
from .tables import AllocationTable, ApprovalTable, EntryTable, InvoiceTable

BLANK_ROWS = 6


def index(request):
    """Timesheets start where each role works: the week, approvals or allocation."""
    user = request.user
    if permissions.can_log_time(user) and not permissions.can_approve(user):
        return redirect("timesheets:week")
    if permissions.can_approve(user):
        return redirect("timesheets:approvals")
    if permissions.can_see_allocation(user):
        return redirect("timesheets:allocation")
    raise PermissionDenied


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# -- logging time ----------------------------------------------------------------------


def _week_start(request) -> datetime.date:
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        day = today
    return day - datetime.timedelta(days=day.weekday())


def _row_initial(entry) -> dict:
    return {
        "entry": entry.pk,
        "date": entry.date.isoformat(),
        "cluster": entry.cluster_id,
        "requirement": entry.requirement,
        "activity": entry.activity,
        "duration": entry.days.normalize(),
        "unit": DAYS,
        "description": entry.description,
    }


def _copied_rows(user, monday, today) -> tuple[list[dict], int]:
    """Last week's entries moved on seven days, as rows to check and save (not saved)."""
    rows, skipped = [], 0
    for entry in selectors.week_entries(user, monday - datetime.timedelta(days=7)):
        day = entry.date + datetime.timedelta(days=7)
        if day > today:
            skipped += 1
            continue
        rows.append({**_row_initial(entry), "entry": None, "date": day.isoformat()})
    return rows, skipped


@predicate_required(permissions.can_log_time)
def week(request):
    """A week of the consultant's own time: the drafts can be changed or deleted and new
    rows added, all saved at once or not at all; last week can be copied in."""
    user = request.user
    contract = current_contract()
    hpd = contract.hours_per_day
    monday = _week_start(request)
    today = timezone.localdate()
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    entries = selectors.week_entries(user, monday)
    drafts = {e.pk: e for e in entries if e.status == Status.DRAFT}
    fixed = [e for e in entries if e.pk not in drafts]
    initial = [_row_initial(e) for e in drafts.values()]
    copied = 0
    if request.method == "GET" and request.GET.get("copy"):
        copied_rows, skipped = _copied_rows(user, monday, today)
        initial += copied_rows
        copied = len(copied_rows)
        if skipped:
            messages.info(
                request,
                f"{skipped} of last week's entries fall on days still to come and were left out.",
            )
    first_blank = min(today, days[-1]) if monday <= today else days[0]
    initial += [{"date": first_blank.isoformat(), "unit": DAYS} for _ in range(BLANK_ROWS)]
    formset = WeekFormSet(
        request.POST or None, initial=initial, prefix="row", days=days, hours_per_day=hpd
    )
    row_errors = []
    if request.method == "POST":
        if formset.is_valid():
            rows = []
            forms_used = []
            for form in formset:
                if form.is_blank:
                    continue
                values = form.values()
                entry_id = form.cleaned_data.get("entry")
                if entry_id and entry_id not in drafts:
                    raise Http404("No such draft in this week")
                values["entry"] = drafts.get(entry_id)
                rows.append(values)
                forms_used.append(form)
            submit = "submit" in request.POST
            try:
                saved = services.save_week(consultant=user, rows=rows, submit=submit)
            except services.RowErrors as error:
                for index, row_error in error.rows.items():
                    attach_errors(forms_used[index], row_error)
                messages.error(request, error.messages[0])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                done = "saved and submitted for approval" if submit else "saved as drafts"
                messages.success(request, f"{len(saved)} entries {done}.")
                return redirect(f"{reverse('timesheets:week')}?start={monday.isoformat()}")
        row_errors = [
            (i + 1, form, error)
            for i, form in enumerate(formset)
            for field_errors in [form.errors.get("__all__", [])]
            for error in field_errors
        ]
    totals = {d: sum((e.days for e in entries if e.date == d), Decimal(0)) for d in days}
    return render(
        request,
        "timesheets/week.html",
        {
            "formset": formset,
            "monday": monday,
            "sunday": days[-1],
            "previous": monday - datetime.timedelta(days=7),
            "following": monday + datetime.timedelta(days=7),
            "is_current": monday <= today <= days[-1],
            "fixed": fixed,
            "drafts": len(drafts),
            "copied": copied,
            "day_totals": [{"day": d, "days": totals[d], "hours": totals[d] * hpd} for d in days],
            "hours_per_day": hpd,
            "row_errors": row_errors,
            "can_see_cost": True,
        },
    )


@predicate_required(permissions.can_log_time)
def entry_create(request):
    contract = current_contract()
    initial = {"date": request.GET.get("date") or timezone.localdate(), "unit": DAYS}
    if request.GET.get("support_request"):
        # from a request's page: R3 technical time against it, for its cluster
        initial |= {"support_request": request.GET["support_request"], "requirement": "R3"}
        initial |= {"activity": "technical", "cluster": request.GET.get("cluster")}
    form = EntryForm(request.POST or None, initial=initial, hours_per_day=contract.hours_per_day)
    created = {}

    def save(f):
        created["entry"] = services.save_entry(consultant=request.user, **f.values())

    response = form_view(
        request,
        form=form,
        title="Log time",
        on_valid=save,
        success_url=reverse("timesheets:entry_list"),
        success_message="Time saved as a draft. Submit it for approval when you are ready.",
        context={"submit_label": "Save as a draft"},
    )
    if "entry" in created:
        return redirect("timesheets:entry_detail", created["entry"].pk)
    return response


def _entry(request, pk):
    return get_object_or_404(selectors.entries_for_user(request.user), pk=pk)


@predicate_required(permissions.can_log_time)
def entry_edit(request, pk):
    entry = _entry(request, pk)
    if entry.consultant_id != request.user.pk or entry.status != Status.DRAFT:
        raise PermissionDenied
    if entry.adjusts_id:
        raise PermissionDenied
    contract = current_contract()
    form = EntryForm(
        request.POST or None,
        initial=_row_initial(entry)
        | {"date": entry.date, "support_request": entry.support_request_id},
        hours_per_day=contract.hours_per_day,
        current_request_id=entry.support_request_id,
    )
    return form_view(
        request,
        form=form,
        title="Change time",
        on_valid=lambda f: services.save_entry(consultant=request.user, entry=entry, **f.values()),
        success_url=reverse("timesheets:entry_detail", args=[pk]),
        success_message="Draft saved.",
        context={"caption": str(entry)},
    )


@predicate_required(permissions.can_see_entries)
def entry_detail(request, pk):
    entry = _entry(request, pk)
    user = request.user
    contract = current_contract()
    own = entry.consultant_id == user.pk
    return render(
        request,
        "timesheets/entry_detail.html",
        {
            "entry": entry,
            "hours": entry.hours(contract.hours_per_day),
            "changes": selectors.status_changes(entry),
            "can_see_cost": permissions.can_see_entry_cost(user),
            "can_edit": own and entry.status == Status.DRAFT and not entry.adjusts_id,
            "can_delete": own and entry.status == Status.DRAFT,
            "can_submit": own and entry.status == Status.DRAFT,
            "can_withdraw": own and entry.status == Status.SUBMITTED,
            "can_decide": permissions.can_approve(user)
            and not own
            and entry.status == Status.SUBMITTED,
            "can_return": permissions.can_approve(user) and entry.status == Status.APPROVED,
            "can_adjust": permissions.can_adjust(user, entry),
            "adjustments": list(entry.adjustments.all()) if entry.status == Status.INVOICED else [],
        },
    )


ACTIONS = {
    "submit": (services.submit_entry, "Submitted for approval."),
    "withdraw": (services.withdraw_entry, "Withdrawn to draft: change it and submit it again."),
    "approve": (services.approve_entry, "Approved."),
}


@require_POST
@predicate_required(permissions.can_log_time)
def entry_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    entry = _entry(request, pk)
    service, done = ACTIONS[action]
    try:
        service(entry_id=entry.pk, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_next(request, reverse("timesheets:entry_detail", args=[pk])))


@predicate_required(permissions.can_log_time)
def entry_delete(request, pk):
    entry = _entry(request, pk)
    if entry.consultant_id != request.user.pk or entry.status != Status.DRAFT:
        raise PermissionDenied
    if request.method == "POST":
        services.delete_entry(entry_id=entry.pk, by=request.user)
        messages.success(request, "Draft deleted.")
        return redirect("timesheets:entry_list")
    return render(
        request,
        "timesheets/confirm.html",
        {
            "title": "Delete this draft?",
            "object": entry,
            "body": ["The draft will be deleted. This cannot be undone."],
            "submit_label": "Delete the draft",
            "warning": True,
            "cancel_url": reverse("timesheets:entry_detail", args=[pk]),
        },
    )


def _reason_view(request, pk, *, service, title, done, intro):
    entry = _entry(request, pk)
    form = ReasonForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=title,
        on_valid=lambda f: service(
            entry_id=entry.pk, by=request.user, reason=f.cleaned_data["reason"]
        ),
        success_url=_next(request, reverse("timesheets:entry_detail", args=[pk])),
        success_message=done,
        context={"caption": str(entry), "intro": intro, "submit_label": title},
    )


@predicate_required(permissions.can_approve)
def entry_reject(request, pk):
    return _reason_view(
        request,
        pk,
        service=services.reject_entry,
        title="Reject this time",
        done="Rejected: it is back with the consultant as a draft, with your reason.",
        intro="The entry goes back to the consultant as a draft. They see your reason.",
    )


@predicate_required(permissions.can_approve)
def entry_return(request, pk):
    return _reason_view(
        request,
        pk,
        service=services.return_to_draft,
        title="Return to draft",
        done="Returned to draft: the consultant sees your reason.",
        intro="Approved time can be returned to draft until it is invoiced. Its cost no "
        "longer counts against the caps until it is approved again.",
    )


@predicate_required(permissions.can_log_time)
def entry_adjust(request, pk):
    entry = _entry(request, pk)
    if not permissions.can_adjust(request.user, entry):
        raise PermissionDenied
    contract = current_contract()
    form = AdjustmentForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "unit": DAYS},
        hours_per_day=contract.hours_per_day,
    )
    return form_view(
        request,
        form=form,
        title="Adjust invoiced time",
        on_valid=lambda f: services.record_adjustment(
            adjusts_id=entry.pk,
            by=request.user,
            days=f.days(),
            reason=f.cleaned_data["reason"],
            date=f.cleaned_data["date"],
        ),
        success_url=reverse("timesheets:entry_detail", args=[pk]),
        success_message="Adjustment raised and submitted for approval.",
        context={
            "caption": str(entry),
            "intro": "Invoiced time never changes. An adjustment adds or takes away time in "
            "a month not yet invoiced, at the rate of the original entry, and goes into "
            "that month's invoice once approved.",
            "submit_label": "Raise the adjustment",
        },
    )


# -- lists ------------------------------------------------------------------------------


@method_decorator(predicate_required(permissions.can_see_entries), name="dispatch")
class EntryListView(FilteredTableView):
    table_class = EntryTable
    filterset_class = EntryFilter
    template_name = "timesheets/entry_list.html"
    export_name = "time"

    @property
    def page_title(self):
        user = self.request.user
        if permissions.can_see_spend(user):
            return "All time"
        if permissions.can_log_time(user):
            return "My time"
        return f"Support received by {user.cluster}"

    def get_queryset(self):
        return selectors.entries_for_user(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "request": self.request}

    def get_table_kwargs(self):
        user = self.request.user
        exclude = []
        if not permissions.can_see_entry_cost(user):
            exclude.append("cost")
        if permissions.can_log_time(user) and not permissions.can_see_spend(user):
            exclude.append("consultant")  # a consultant sees only their own time
        return {"hours_per_day": current_contract().hours_per_day, "exclude": exclude}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        totals = selectors.totals(self.object_list)
        hpd = current_contract().hours_per_day
        context.update(
            totals=totals,
            total_hours=(totals["days"] or 0) * hpd,
            can_see_cost=permissions.can_see_entry_cost(user),
            can_log=permissions.can_log_time(user),
            summary=selectors.consultant_summary(user, timezone.localdate())
            if permissions.can_log_time(user)
            else None,
        )
        return context


@method_decorator(predicate_required(permissions.can_approve), name="dispatch")
class ApprovalListView(FilteredTableView):
    table_class = ApprovalTable
    filterset_class = ApprovalFilter
    template_name = "timesheets/approvals.html"
    page_title = "Time to approve"
    export_name = "time-to-approve"

    def get_queryset(self):
        return selectors.awaiting_approval()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "request": self.request}

    def get_table_kwargs(self):
        return {"hours_per_day": current_contract().hours_per_day}

    def post(self, request, *args, **kwargs):
        """Approve one entry (its own button) or every entry ticked, each on its own so
        that one refused at a cap leaves the others approved."""
        only = request.POST.get("only")
        ids = [only] if only else request.POST.getlist("entry")
        approved, refused, already = 0, [], []
        for pk in ids:
            try:
                services.approve_entry(entry_id=int(pk), by=request.user)
            except (ValueError, ValidationError) as error:
                message = " ".join(getattr(error, "messages", [str(error)]))
                if getattr(error, "code", None) == "already_approved":
                    already.append(message)  # not a failure: nothing is left to do
                else:
                    refused.append(message)
            except TimeEntry.DoesNotExist:
                refused.append("That entry no longer exists.")
            else:
                approved += 1
        if approved:
            messages.success(request, f"{approved} entr{'y' if approved == 1 else 'ies'} approved.")
        for message in dict.fromkeys(already):
            messages.info(request, message)
        for message in dict.fromkeys(refused):
            messages.error(request, f"Not approved: {message}")
        if not ids:
            messages.error(request, "Tick the entries to approve first.")
        return redirect(_next(request, reverse("timesheets:approvals")))


# -- allocation and burn-up ------------------------------------------------------------


@predicate_required(permissions.can_see_allocation)
def allocation(request):
    user = request.user
    contract = current_contract()
    today = timezone.localdate()
    form = AllocationForm(request.GET or None, contract=contract)
    fy = int(form.cleaned_data["fy"]) if form.is_valid() else financial_year_of(today)
    if not form.is_bound:
        form = AllocationForm(initial={"fy": str(fy)}, contract=contract)
    data = selectors.allocation(
        clusters=list(clusters_for_user(user).order_by("name")),
        fy=fy,
        today=today,
        programme_wide=permissions.can_see_spend(user),
        contract=contract,
    )
    table = AllocationTable(data["rows"])
    if request.GET.get("format") == "csv":
        return table_csv_response(table, f"allocation-{data['fy_label']}.csv")
    RequestConfig(request, paginate={"per_page": 60}).configure(table)
    table.caption = f"Days of support per cluster and month, {data['fy_label']}"
    query = request.GET.copy()
    query["format"] = "csv"
    query.pop("page", None)
    return render(
        request,
        "timesheets/allocation.html",
        {"form": form, "data": data, "table": table, "csv_query": query.urlencode()},
    )


@predicate_required(permissions.can_see_spend)
def burn_up(request):
    data = selectors.burn_up(today=timezone.localdate())
    caps = data["caps"]
    key = request.GET.get("cap") or _default_cap(caps, timezone.localdate())
    chosen = next((c for c in caps if c["key"] == key), None)
    if chosen is None:
        raise Http404("No such cap")
    if request.GET.get("format") == "csv":
        return csv_response(
            f"burn-up-{chosen['label']}.csv".replace(" ", "-").lower(),
            ["Month", "Cost", "Cumulative cost", "Forecast cumulative cost", "Cap", "Share of cap"],
            [
                [
                    f"{r['month']:%Y-%m}",
                    r["cost"],
                    r["cumulative"],
                    r["forecast"],
                    r["cap"],
                    r["percent"],
                ]
                for r in chosen["rows"]
            ],
        )
    return render(
        request,
        "timesheets/burn_up.html",
        {
            **data,
            "chosen": chosen,
            "chart": charts.burn_up_chart(chosen),
            "csv_query": f"cap={chosen['key']}&format=csv",
        },
    )


def _default_cap(caps, today) -> str:
    year = str(financial_year_of(today))
    return year if any(c["key"] == year for c in caps) else "total"


# -- invoices ---------------------------------------------------------------------------


@method_decorator(predicate_required(permissions.can_see_spend), name="dispatch")
class InvoiceListView(FilteredTableView):
    table_class = InvoiceTable
    filterset_class = InvoiceFilter
    template_name = "timesheets/invoice_list.html"
    page_title = "Invoices"
    export_name = "invoices"

    def get_queryset(self):
        return selectors.invoices_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_issue"] = permissions.can_issue_invoices(self.request.user)
        context["next_month"] = selectors.next_invoice_month(timezone.localdate())
        return context


@predicate_required(permissions.can_issue_invoices)
def invoice_new(request):
    suggested = selectors.next_invoice_month(timezone.localdate())
    form = InvoiceMonthForm(request.POST or None, initial={"month": suggested})
    if request.method == "POST" and form.is_valid():
        return redirect("timesheets:invoice_preview", f"{form.cleaned_data['month']:%Y-%m}")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Prepare an invoice",
            "intro": "You will see the invoice's lines before you issue it.",
            "submit_label": "See the invoice",
            "cancel_url": reverse("timesheets:invoice_list"),
        },
    )


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise Http404("No such month") from None


@predicate_required(permissions.can_issue_invoices)
def invoice_preview(request, month):
    month = _month(month)
    preview = selectors.invoice_preview(month)
    return render(
        request,
        "timesheets/invoice_preview.html",
        {**preview, "title": f"Invoice for {month:%B %Y} (not issued)"},
    )


@predicate_required(permissions.can_issue_invoices)
def invoice_issue(request, month):
    month = _month(month)
    errors = []
    if request.method == "POST":
        try:
            invoice = services.issue_invoice(month=month, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                f"Invoice {invoice.number} issued. Its {invoice.snapshot['entries']} entries are "
                "invoiced and can no longer change.",
            )
            return redirect("timesheets:invoice_detail", invoice.pk)
    return render(
        request,
        "timesheets/invoice_confirm.html",
        {**selectors.invoice_preview(month), "errors": errors},
        status=400 if errors else 200,
    )


def _invoice(request, pk):
    return get_object_or_404(selectors.invoices_for_user(request.user), pk=pk)


@predicate_required(permissions.can_see_spend)
def invoice_detail(request, pk):
    invoice = _invoice(request, pk)
    return render(
        request, "timesheets/invoice_detail.html", {"invoice": invoice, "data": invoice.snapshot}
    )


@predicate_required(permissions.can_see_spend)
def invoice_download(request, pk, fmt):
    from . import invoices

    invoice = _invoice(request, pk)
    name = f"invoice-{invoice.number}-{invoice.month:%Y-%m}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", *invoices.table(invoice))
    if fmt == "xlsx":
        content, content_type = invoices.xlsx(invoice), invoices.XLSX
    elif fmt == "pdf":
        content, content_type = invoices.pdf(invoice), "application/pdf"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response

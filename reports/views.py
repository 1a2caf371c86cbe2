"""Report pages: thin, each checks who is asking; reports are looked up through
reports_for_user so a report someone may not read is simply not found."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from accounts.decorators import data_access_required, predicate_required
from core.views import FilteredTableView, form_view

from . import render as formats
from . import selectors, services
from .filters import ReportFilter
from .forms import RequestReportForm, SummaryForm
from .models import Status
from .permissions import can_manage_reports, can_read_issued
from .tables import ReportTable

manager_only = predicate_required(can_manage_reports)


def _report(request, pk):
    return get_object_or_404(selectors.reports_for_user(request.user), pk=pk)


@method_decorator([predicate_required(can_read_issued), data_access_required], name="dispatch")
class ReportListView(FilteredTableView):
    table_class = ReportTable
    filterset_class = ReportFilter
    template_name = "reports/report_list.html"
    page_title = "Reports"
    export_name = "reports"

    def get_queryset(self):
        return selectors.reports_listed(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_request"] = can_manage_reports(self.request.user)
        return context


@data_access_required
@manager_only
def request_report(request):
    form = RequestReportForm(request.POST or None)
    created = {}

    def on_valid(f):
        created["report"] = services.request_report(
            kind=f.cleaned_data["kind"], day=f.cleaned_data["month"], requested_by=request.user
        )

    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                on_valid(form)
        except ValidationError as error:
            # the service names the period; the form calls it the month
            for field, errors in error.message_dict.items():
                form.add_error("month" if field == "period_start" else field, errors)
        else:
            messages.success(request, "The report is being built.")
            return redirect("reports:detail", created["report"].pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Ask for a report",
            "intro": "The report is built in the background from the data as it stands; "
            "you can write the executive summary and issue it once it is ready.",
            "submit_label": "Build the report",
            "cancel_url": reverse("reports:list"),
        },
    )


@data_access_required
def report_detail(request, pk):
    report = _report(request, pk)
    snapshot = formats.snapshot_for(report, request.user)
    context = formats.context(report, snapshot)
    context.update(
        can_manage=can_manage_reports(request.user),
        can_request=can_manage_reports(request.user),
        later=selectors.later_versions(report, request.user),
    )
    return render(request, "reports/report_detail.html", context)


@data_access_required
def report_status(request, pk):
    report = _report(request, pk)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": report.get_status_display(),
            "progress": report.progress,
            "note": report.progress_note,
        }
    )


def download_response(report, content: bytes, content_type: str, extension: str) -> HttpResponse:
    """A report file as a download named after the report (the web's and the API's)."""
    response = HttpResponse(content, content_type=content_type)
    name = f"{report.kind}-report-{report.period_start:%Y-%m}-v{report.version}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_response(request, report, snapshot: dict, fmt: str) -> HttpResponse:
    """A report's PDF or XLSX for this reader (the web's and the API's). An issued report's
    file is rendered once and stored; it is served with its checksum as the ETag, and a
    reader who has it already (If-None-Match) gets 304 Not Modified."""
    if report.status != Status.ISSUED:  # a draft changes: rendered each time
        render = formats.render_pdf if fmt == "pdf" else formats.render_xlsx
        return download_response(report, render(report, snapshot), CONTENT_TYPES[fmt], fmt)
    stored = services.issued_file(report, snapshot, fmt)
    etag = f'"{stored.sha256}"'
    asked = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if etag in asked or "*" in asked:
        response = HttpResponseNotModified()
    else:
        response = download_response(report, bytes(stored.content), CONTENT_TYPES[fmt], fmt)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"  # kept by the browser, checked each time
    return response


def _ready(request, pk):
    report = _report(request, pk)
    if report.status not in (Status.DRAFT, Status.ISSUED):
        return report, None
    return report, formats.snapshot_for(report, request.user)


@data_access_required
def report_pdf(request, pk):
    report, snapshot = _ready(request, pk)
    if snapshot is None:
        messages.error(request, "The report is not ready to download yet.")
        return redirect("reports:detail", report.pk)
    return file_response(request, report, snapshot, "pdf")


@data_access_required
def report_xlsx(request, pk):
    report, snapshot = _ready(request, pk)
    if snapshot is None:
        messages.error(request, "The report is not ready to download yet.")
        return redirect("reports:detail", report.pk)
    return file_response(request, report, snapshot, "xlsx")


@data_access_required
@manager_only
def report_summary(request, pk):
    report = _report(request, pk)
    if report.status != Status.DRAFT:
        messages.error(request, "Only a draft report's summary can be changed.")
        return redirect("reports:detail", report.pk)
    initial = {} if report.summary else {"summary": services.key_figures_text(report)}
    form = SummaryForm(request.POST or None, instance=report, initial=initial)
    return form_view(
        request,
        form=form,
        title="Executive summary",
        on_valid=lambda f: services.save_summary(
            report_id=report.pk, summary=f.cleaned_data["summary"], user=request.user
        ),
        success_url=reverse("reports:detail", args=[report.pk]),
        success_message="The executive summary is saved.",
        context={"caption": str(report), "submit_label": "Save the summary"},
    )


def _confirm(request, report, *, heading, body, submit_label, action, success, warning=False):
    errors = []
    if request.method == "POST":
        try:
            result = action()
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, success)
            return redirect("reports:detail", result.pk)
    return render(
        request,
        "reports/confirm.html",
        {
            "report": report,
            "heading": heading,
            "body": body,
            "submit_label": submit_label,
            "errors": errors,
            "warning": warning,
        },
        status=400 if errors else 200,
    )


@data_access_required
@manager_only
def issue_report(request, pk):
    report = _report(request, pk)
    return _confirm(
        request,
        report,
        heading="Issue this report to DfE?",
        body=[
            "Issuing freezes the report: its figures, summary and charts will not change "
            "when the data does. A later change needs a correction (a new version).",
        ],
        submit_label="Issue the report",
        action=lambda: services.issue_report(report_id=report.pk, user=request.user),
        success="The report is issued.",
    )


@data_access_required
@manager_only
def correct_report(request, pk):
    report = _report(request, pk)
    return _confirm(
        request,
        report,
        heading="Make a correction?",
        body=[
            f"This builds version {report.version + 1} from the data as it stands now. "
            f"Version {report.version} stays readable and is marked as corrected.",
        ],
        submit_label="Build the correction",
        action=lambda: services.correct_report(report_id=report.pk, user=request.user),
        success="The correction is being built.",
    )


@require_POST
@data_access_required
@manager_only
def refresh_report(request, pk):
    report = _report(request, pk)
    try:
        services.request_report(
            kind=report.kind, day=report.period_start, requested_by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The figures are being gathered again.")
    return redirect("reports:detail", report.pk)


@require_POST
@data_access_required
@manager_only
def retry_report(request, pk):
    report = _report(request, pk)
    try:
        report = services.retry_build(report_id=report.pk, requested_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The report is being built again.")
    return redirect("reports:detail", report.pk)

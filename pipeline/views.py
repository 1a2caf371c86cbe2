"""Pipeline pages: each checks the data gate, looks objects up through the user's scope
(a forbidden object is a 404) and calls one service or selector."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from accounts.decorators import data_access_required, predicate_required
from clusters.models import Cluster
from core.export import csv_response, xlsx_bytes
from core.history import history_rows
from core.views import FilteredTableView, attach_errors, form_view

from . import charts, permissions, selectors, services
from .filters import BatchFilter, ProfileFilter, ReturnFilter
from .forms import (
    CodesForm,
    FunnelForm,
    ImportUploadForm,
    ProfileForm,
    PublishedForm,
    ReturnForm,
    SampleForm,
    UploadForm,
)
from .models import (
    BatchStatus,
    CodeRequest,
    ExitReason,
    ImportProfile,
    ProfileSample,
    ReturnStatus,
    SourceChannel,
    Stage,
)
from .scope import (
    ENGLAND,
    editable_authorities,
    make_period,
    may_read_scope,
    period_from_key,
    scope_for,
    scope_from_key,
)
from .services.returns import RETURN_COLUMNS, export_template_csv, template_rows
from .tables import AcceptTable, BatchTable, LateReturnTable, ProfileTable, ReturnTable

gated = method_decorator(data_access_required, name="dispatch")


def _percent(value):
    return "–" if value is None else f"{100 * value:.1f}%"


# Funnel -----------------------------------------------------------------------------


def _default_scope(user):
    if permissions.sees_every_scope(user):
        return ENGLAND
    if user.cluster_id:
        return scope_for(Cluster.objects.get(pk=user.cluster_id))
    raise PermissionDenied


def _scope_and_period(request):
    user = request.user
    today = timezone.localdate()
    scope_key = request.GET.get("scope")
    scope = scope_from_key(scope_key) if scope_key else _default_scope(user)
    if scope is None or not may_read_scope(user, scope):
        raise Http404("No such area")
    period = period_from_key(request.GET.get("period", "")) or make_period("fy", today)
    return scope, period


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def funnel(request):
    scope, period = _scope_and_period(request)
    data = selectors.funnel_comparison(scope, period)
    bench = selectors.benchmarks(selectors.benchmark_scopes(scope), period)
    if request.GET.get("format") == "csv":
        rows = [
            [s["name"], s["count"], _percent(s["conversion"]), s["year_earlier"]]
            for s in data["stages"]
        ]
        rows.append([])
        rows.append(
            ["Enquiry to application", _percent(data["enquiry_to_application"]), "Baseline", "6.0%"]
        )
        rows.append(
            ["Enquiry to approval", _percent(data["enquiry_to_approval"]), "Baseline", "2.9%"]
        )
        for b in bench:
            rows.append(
                [f"{b['scope']} enquiry to application", _percent(b["enquiry_to_application"])]
            )
            rows.append([f"{b['scope']} enquiry to approval", _percent(b["enquiry_to_approval"])])
        for e in data["exits"]:
            rows.append([f"Exit at {e['stage']}: {e['reason']}", e["count"]])
        for c in data["channels"]:
            rows.append([f"Enquiries from {c['channel']}", c["enquiries"]])
        return csv_response(
            f"funnel-{scope.key.replace(':', '-')}-{period.key.replace(':', '-')}.csv",
            [
                f"{scope.label}, {period.label}",
                "Entered",
                "Conversion from previous stage",
                "A year earlier",
            ],
            rows,
        )
    form = FunnelForm(initial={"scope": scope.key, "period": period.key}, user=request.user)
    query = request.GET.copy()
    query["scope"], query["period"], query["format"] = scope.key, period.key, "csv"
    return render(
        request,
        "pipeline/funnel.html",
        {
            "form": form,
            "funnel": data,
            **charts.funnel_page_charts(scope, data, bench),
            "csv_query": query.urlencode(),
            "scope": scope,
            "period": period,
        },
    )


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def cohorts(request):
    scope, period = _scope_and_period(request)
    from .scope import PROGRAMME_START, add_months, month_start

    end = add_months(month_start(timezone.localdate()), 1)
    rows = selectors.cohorts(scope, start=PROGRAMME_START, end=end)
    stages = list(Stage.objects.all())
    if request.GET.get("format") == "csv":
        return csv_response(
            f"cohorts-{scope.key.replace(':', '-')}.csv",
            ["Month of enquiry"] + [s.name for s in stages] + ["Left", "Applied", "Approved"],
            [
                [f"{r['month']:%Y-%m}"]
                + [s["count"] for s in r["stages"]]
                + [r["exited"], _percent(r["to_application"]), _percent(r["to_approval"])]
                for r in rows
            ],
        )
    query = request.GET.copy()
    query["scope"], query["format"] = scope.key, "csv"
    return render(
        request,
        "pipeline/cohorts.html",
        {
            "form": FunnelForm(
                initial={"scope": scope.key, "period": period.key}, user=request.user
            ),
            "rows": rows,
            "stages": stages,
            "chart": charts.cohort_chart(rows, selectors.BASELINE) if rows else None,
            "chart_message": _cohort_message(rows),
            "scope": scope,
            "csv_query": query.urlencode(),
        },
    )


def _cohort_message(rows: list[dict]) -> str:
    """What the cohort chart shows, in words, for its text alternative."""
    shares = [r["to_application"] for r in rows if r["to_application"] is not None]
    if not shares:
        return ""
    return (
        f"Of each month's enquirers from {rows[0]['month']:%B %Y} to {rows[-1]['month']:%B %Y}, "
        f"between {_percent(min(shares))} and {_percent(max(shares))} have applied so far, "
        f"against a national baseline of {_percent(selectors.BASELINE['enquiry_to_application'])}."
    )


# Monthly returns -------------------------------------------------------------------


@gated
class ReturnListView(FilteredTableView):
    table_class = ReturnTable
    filterset_class = ReturnFilter
    page_title = "Monthly returns"
    export_name = "monthly-returns"
    template_name = "pipeline/return_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_see_pipeline(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.returns_for_user(self.request.user)

    def get_table_class(self):
        if permissions.can_accept_returns(self.request.user):
            return AcceptTable
        return ReturnTable

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_submit"] = permissions.can_submit_data(self.request.user)
        context["can_accept"] = permissions.can_accept_returns(self.request.user)
        return context


@require_POST
@data_access_required
@predicate_required(permissions.can_accept_returns)
def returns_accept(request):
    """Accept the ticked returns, all or none."""
    ids = [i for i in request.POST.getlist("return") if i.isdigit()]
    back = request.POST.get("next", "")
    if not back.startswith("/pipeline/returns/"):
        back = reverse("pipeline:return_list")
    if not ids:
        messages.error(request, "Tick the returns to accept first.")
        return redirect(back)
    chosen = list(
        selectors.returns_for_user(request.user)
        .filter(pk__in=ids)
        .select_related("local_authority")
        .order_by("local_authority__name", "month")
    )
    try:
        accepted = services.accept_returns(returns=chosen, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Accepted {len(accepted)} return{'' if len(accepted) == 1 else 's'}."
        )
    return redirect(back)


def _return(request, pk):
    return get_object_or_404(selectors.returns_for_user(request.user), pk=pk)


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def return_detail(request, pk):
    monthly_return = _return(request, pk)
    values = selectors.return_counts(monthly_return)
    form = ReturnForm(user=request.user, instance=monthly_return, initial=values)
    user = request.user
    editable = (
        monthly_return.status != ReturnStatus.ACCEPTED
        and editable_authorities(user).filter(pk=monthly_return.local_authority_id).exists()
    )
    return render(
        request,
        "pipeline/return_detail.html",
        {
            "monthly_return": monthly_return,
            "stages": [(f.label, values.get(f.name, 0)) for f in form.stage_fields()],
            "exits": [
                (stage.name, [(f.label, values[f.name]) for f in fields if values.get(f.name)])
                for stage, fields in form.exit_fieldsets()
            ],
            "channels": [(f.label, values.get(f.name, 0)) for f in form.channel_fields()],
            "history": history_rows(monthly_return),
            "can_edit": editable,
            "can_submit": editable and monthly_return.status == ReturnStatus.DRAFT,
            "can_accept": permissions.can_accept_returns(user)
            and monthly_return.status == ReturnStatus.SUBMITTED,
        },
    )


@data_access_required
@predicate_required(permissions.can_submit_data)
def return_edit(request, pk=None):
    monthly_return = _return(request, pk) if pk else None
    initial = {}
    if monthly_return:
        initial = {
            "local_authority": monthly_return.local_authority_id,
            "month": f"{monthly_return.month:%Y-%m}",
            **selectors.return_counts(monthly_return),
        }
    form = ReturnForm(
        request.POST or None, user=request.user, instance=monthly_return, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            from django.db import transaction

            with transaction.atomic():
                saved, warnings = services.save_return(
                    local_authority=form.cleaned_data["local_authority"],
                    month=form.month_date(),
                    counts=form.counts(),
                    user=request.user,
                )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Return for {saved} saved as a draft.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("pipeline:return_detail", pk=saved.pk)
    return render(
        request,
        "pipeline/return_form.html",
        {
            "form": form,
            "monthly_return": monthly_return,
            "cancel_url": reverse("pipeline:return_list"),
        },
    )


ACTIONS = {
    "submit": (services.submit_return, "Submit this return", "Return submitted."),
    "accept": (
        services.accept_return,
        "Accept this return",
        "Return accepted: it can no longer change.",
    ),
    "reopen": (
        services.reopen_return,
        "Send this return back to draft",
        "Return sent back to draft.",
    ),
}


@data_access_required
@predicate_required(permissions.can_submit_data)
def return_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    monthly_return = _return(request, pk)
    if action != "submit" and not permissions.can_accept_returns(request.user):
        raise PermissionDenied
    service, title, done = ACTIONS[action]
    error = None
    if request.method == "POST":
        try:
            service(monthly_return=monthly_return, user=request.user)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, done)
            return redirect("pipeline:return_detail", pk=pk)
    return render(
        request,
        "pipeline/confirm.html",
        {
            "title": title,
            "object": monthly_return,
            "error": error,
            "cancel_url": reverse("pipeline:return_detail", args=[pk]),
        },
    )


@data_access_required
@predicate_required(permissions.can_submit_data)
def returns_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        from django.conf import settings

        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error("file", "The file is larger than the upload limit.")
        else:
            result = services.import_returns_file(
                data=upload.read(), filename=upload.name, user=request.user
            )
            if not result["errors"]:
                messages.success(request, f"{result['saved']} returns saved as drafts.")
                for warning in result["warnings"]:
                    messages.warning(request, warning)
                return redirect("pipeline:return_list")
    return render(request, "pipeline/returns_upload.html", {"form": form, "result": result})


@data_access_required
@predicate_required(permissions.can_submit_data)
def returns_template(request, fmt):
    from .scope import add_months, month_start

    month = add_months(month_start(timezone.localdate()), -1)
    authorities = editable_authorities(request.user).order_by("name")
    if fmt == "csv":
        response = HttpResponse(
            export_template_csv(authorities, month), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="monthly-return-template.csv"'
        return response
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Returns"
    sheet.append(RETURN_COLUMNS)
    for row in template_rows(authorities, month):
        sheet.append(row)
    response = HttpResponse(
        xlsx_bytes(workbook),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="monthly-return-template.xlsx"'
    return response


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def late_returns(request):
    rows = selectors.late_returns(request.user)
    cluster = request.GET.get("cluster", "")
    if cluster:
        rows = [r for r in rows if r["cluster"] == cluster]
    table = LateReturnTable(rows)
    if request.GET.get("format") == "csv":
        from core.export import table_csv_response

        return table_csv_response(table, "late-returns.csv")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    table.caption = "Returns not submitted by the 10th of the following month"
    clusters = (
        sorted({r["cluster"] for r in selectors.late_returns(request.user)})
        if not cluster
        else [cluster]
    )
    query = request.GET.copy()
    query["format"] = "csv"
    query.pop("page", None)
    return render(
        request,
        "pipeline/late_returns.html",
        {
            "table": table,
            "clusters": clusters,
            "cluster": cluster,
            "csv_query": query.urlencode(),
            "count": len(rows),
        },
    )


# Record imports --------------------------------------------------------------------


@gated
class BatchListView(FilteredTableView):
    table_class = BatchTable
    filterset_class = BatchFilter
    page_title = "Case record imports"
    export_name = "imports"
    template_name = "pipeline/batch_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_submit_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.batches_for_user(self.request.user)


@data_access_required
@predicate_required(permissions.can_submit_data)
def import_upload(request):
    # "upload it again" from a failed import keeps its profile and LA chosen
    initial = {k: request.GET[k] for k in ("profile", "local_authority") if k in request.GET}
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.create_batch(
                profile=form.cleaned_data["profile"],
                upload=form.cleaned_data["file"],
                user=request.user,
                local_authority=form.cleaned_data["local_authority"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if earlier := batch.duplicate_of:
                messages.warning(
                    request,
                    f"This file is byte for byte the one committed on "
                    f"{timezone.localtime(earlier.committed_at):%-d %B %Y} ({earlier.filename}): "
                    "checking it again changes only records edited since.",
                )
            return redirect("pipeline:import_detail", pk=batch.pk)
    return render(
        request,
        "pipeline/import_upload.html",
        {
            "form": form,
            "profiles": ImportProfile.objects.all(),
            "cancel_url": reverse("pipeline:import_list"),
        },
    )


def _batch(request, pk):
    return get_object_or_404(selectors.batches_for_user(request.user), pk=pk)


def _detail_context(batch, user) -> dict:
    from .services.records import CLEARABLE_LABELS

    working = batch.status in (BatchStatus.UPLOADED, BatchStatus.VALIDATING)
    profile = batch.profile
    unknown = {}
    for error in batch.errors:
        if error.get("kind") == "code" and error.get("code"):
            key = (error["field"], error["code"])
            entry = unknown.setdefault(
                key,
                {
                    "field": CodeRequest.FIELDS[error["field"]],
                    "code": error["code"],
                    "column": error["column"],
                    "rows": 0,
                },
            )
            entry["rows"] += 1
    asked = set(
        CodeRequest.objects.filter(profile=profile, settled_at__isnull=True).values_list(
            "field", "code"
        )
    )
    for (field, code), entry in unknown.items():
        entry["asked"] = (field, code) in asked
    return {
        "batch": batch,
        "working": working,
        "can_commit": batch.status == BatchStatus.VALIDATED,
        "clearing": [
            {"label": CLEARABLE_LABELS.get(c, c), "count": n} for c, n in batch.clearing.items()
        ],
        "clearing_total": sum(batch.clearing.values()),
        "error_groups": summarise_errors(batch.errors),
        "unknown_codes": list(unknown.values()),
        "can_ask": any(not e["asked"] for e in unknown.values()),
        "profile_moved": batch.profile_version is not None
        and profile.version != batch.profile_version,
        "can_recheck": batch.status == BatchStatus.FAILED
        and bool(batch.kept_cells)
        and batch.profile_version is not None
        and profile.version != batch.profile_version,
        "can_manage_profiles": permissions.can_manage_profiles(user),
    }


@data_access_required
@predicate_required(permissions.can_submit_data)
def import_detail(request, pk):
    batch = _batch(request, pk)
    if _left_behind(batch):
        # the embedded default has no scheduled sweep: the page that waits for the work
        # takes it up again when its web process stopped before it ended
        from .services.records import sweep_imports

        sweep_imports()
        batch = _batch(request, pk)
    return render(request, "pipeline/import_detail.html", _detail_context(batch, request.user))


@require_POST
@data_access_required
@predicate_required(permissions.can_submit_data)
def import_commit(request, pk):
    batch = _batch(request, pk)
    try:
        batch = services.commit_batch(
            batch=batch, user=request.user, clear_confirmed=request.POST.get("clear") == "yes"
        )
    except ValidationError as error:
        if "clear" in getattr(error, "error_dict", {}):
            context = _detail_context(batch, request.user)
            context["clear_error"] = " ".join(error.message_dict["clear"])
            return render(request, "pipeline/import_detail.html", context, status=200)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Committed: {batch.new_count} new, {batch.changed_count} changed, "
            f"{batch.unchanged_count} unchanged.",
        )
    return redirect("pipeline:import_detail", pk=batch.pk)


@require_POST
@data_access_required
@predicate_required(permissions.can_submit_data)
def import_recheck(request, pk):
    batch = _batch(request, pk)
    try:
        services.recheck_batch(batch=batch, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Checking {batch.filename} again with the profile's current version."
        )
    return redirect("pipeline:import_detail", pk=batch.pk)


@require_POST
@data_access_required
@predicate_required(permissions.can_submit_data)
def import_ask_codes(request, pk):
    batch = _batch(request, pk)
    try:
        asked = services.request_codes(batch=batch, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        codes = ", ".join(f"'{r.code}'" for r in asked)
        messages.success(
            request,
            f"Asked the programme managers to add {codes} to the profile '{batch.profile}'. "
            "They see the request on their home page; once the profile is changed, check "
            "this file again from this page.",
        )
    return redirect("pipeline:import_detail", pk=batch.pk)


def _left_behind(batch) -> bool:
    from django.conf import settings

    from .services.records import NEVER_QUEUED_AFTER, STALE_AFTER

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return False  # a worker and the scheduled sweep look after it
    now = timezone.now()
    if batch.status == BatchStatus.UPLOADED:
        return batch.uploaded_at < now - NEVER_QUEUED_AFTER
    if batch.status == BatchStatus.VALIDATING:
        return batch.claimed_at is not None and batch.claimed_at < now - STALE_AFTER
    return False


def summarise_errors(errors: list[dict]) -> list[dict]:
    """The same problem on many rows, said once: per column and kind, how many rows, the
    first line, and an example message."""
    groups: dict[tuple, dict] = {}
    for error in errors:
        key = (error.get("column"), error.get("kind", "row"))
        group = groups.setdefault(key, {"column": error.get("column"), "count": 0, "first": error})
        group["count"] += 1
    return [g for g in groups.values() if g["count"] > 1]


@data_access_required
@predicate_required(permissions.can_submit_data)
def import_discard(request, pk):
    """Confirm, then remove an import that will not be committed."""
    batch = _batch(request, pk)
    error = None
    if request.method == "POST":
        try:
            filename = services.discard_batch(batch=batch, user=request.user)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, f"Discarded the import of {filename}.")
            return redirect("pipeline:import_list")
    return render(
        request,
        "pipeline/confirm.html",
        {
            "title": "Discard this import?",
            "object": f"{batch.filename}, uploaded {batch.uploaded_at:%-d %B %Y %H:%M}: "
            "its checked rows are deleted and nothing is written to the tracker.",
            "error": error,
            "cancel_url": reverse("pipeline:import_detail", args=[pk]),
        },
    )


# Profiles and lists (programme manager) ---------------------------------------------


@gated
class ProfileListView(FilteredTableView):
    table_class = ProfileTable
    filterset_class = ProfileFilter
    page_title = "Import profiles"
    export_name = "import-profiles"
    template_name = "pipeline/profile_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_submit_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return ImportProfile.objects.select_related("local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can_manage_profiles(self.request.user)
        return context


@data_access_required
@predicate_required(permissions.can_manage_profiles)
def profile_start(request):
    """A new profile (or an existing one updated) starts from a sample export."""
    from .services.samples import create_sample

    profile = None
    if pk := request.GET.get("profile") or request.POST.get("profile"):
        profile = get_object_or_404(ImportProfile, pk=pk) if str(pk).isdigit() else None
    form = SampleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            sample = create_sample(
                upload=form.cleaned_data["file"], user=request.user, profile=profile
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("pipeline:profile_sample", pk=sample.pk)
    return render(
        request,
        "pipeline/profile_start.html",
        {
            "form": form,
            "profile": profile,
            "cancel_url": reverse("pipeline:profile_edit", args=[profile.pk])
            if profile
            else reverse("pipeline:profile_list"),
        },
    )


@data_access_required
@predicate_required(permissions.can_manage_profiles)
def profile_sample(request, pk):
    """Choose each field's column from the sample's headings, and the date format."""
    from .services.samples import DELIMITERS, profile_from_sample

    sample = get_object_or_404(ProfileSample, pk=pk, created_by=request.user)
    profile = sample.profile or ImportProfile()
    form = ProfileForm(request.POST or None, instance=profile, sample=sample)
    if request.method == "POST" and form.is_valid():
        try:
            saved = profile_from_sample(profile=form.instance, sample=sample, user=request.user)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                f"Import profile '{saved}' saved (version {saved.version}). Now map the codes "
                "found in the sample; the sample itself has been deleted.",
            )
            return redirect("pipeline:profile_codes", pk=saved.pk)
    return render(
        request,
        "pipeline/profile_sample.html",
        {
            "form": form,
            "sample": sample,
            "profile": sample.profile,
            "delimiter": DELIMITERS.get(sample.delimiter, ""),
            "duplicates": sorted({c["heading"] for c in sample.columns if c.get("duplicate")}),
            "cancel_url": reverse("pipeline:profile_list"),
        },
    )


@data_access_required
@predicate_required(permissions.can_manage_profiles)
def profile_edit(request, pk):
    profile = get_object_or_404(ImportProfile, pk=pk)
    form = ProfileForm(request.POST or None, instance=profile)
    return form_view(
        request,
        form=form,
        title=f"Import profile: {profile.name}",
        on_valid=lambda f: services.save_profile(profile=f.instance, user=request.user),
        success_url=reverse("pipeline:profile_list"),
        success_message="Import profile saved.",
        template="pipeline/profile_form.html",
        context={"history": history_rows(profile), "profile": profile},
    )


CODES_PER_PAGE = 25


@data_access_required
@predicate_required(permissions.can_manage_profiles)
def profile_codes(request, pk):
    """Map the export's codes to the tracker's entries, a page at a time."""
    from django.core.paginator import Paginator

    from .services.samples import codes_to_map, save_codes

    profile = get_object_or_404(ImportProfile, pk=pk)
    items = codes_to_map(profile)
    paginator = Paginator(items, CODES_PER_PAGE)
    page = paginator.get_page(request.POST.get("page") or request.GET.get("page"))
    form = CodesForm(request.POST or None, items=list(page.object_list))
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_codes(profile=profile, choices=form.choices(), user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if page.has_next() and "finish" not in request.POST:
                messages.success(request, f"Codes saved (profile version {saved.version}).")
                return redirect(
                    f"{reverse('pipeline:profile_codes', args=[pk])}?page={page.next_page_number()}"
                )
            messages.success(request, f"Import profile '{saved}' saved (version {saved.version}).")
            return redirect("pipeline:profile_list")
    unmapped = sum(1 for item in items if not item["mapped"])
    return render(
        request,
        "pipeline/profile_codes.html",
        {
            "form": form,
            "profile": profile,
            "page": page,
            "paginator": paginator,
            "unmapped": unmapped,
            "cancel_url": reverse("pipeline:profile_list"),
        },
    )


# Hub effect (issue 19) ---------------------------------------------------------------


def _not_ready(request, template: str, kept: dict | None):
    """The page of figures worked out in the background (core.background) while they are
    being worked out, or after that failed."""
    return render(request, template, {"waiting": kept is None, "failed": kept is not None})


def _hub_effects(user, kept: dict) -> dict:
    """The kept estimates as this user may see them: each hub's for the delivery partner and
    DfE, the pooled ones only for a cluster lead."""
    if permissions.sees_every_scope(user):
        return kept
    return {
        **kept,
        "annual": [{**s, "hubs": []} for s in kept["annual"]],
        "monthly": [{**s, "hubs": []} for s in kept["monthly"]],
    }


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def hub_effect(request):
    """Are the hubs working? The difference-in-differences estimate per outcome, pooled and
    (for the delivery partner and DfE) per hub, with its event study: annual from the
    published figures, monthly from the tracker's records where both groups have them."""
    from .evaluation import hub_effects

    kept = hub_effects(timezone.localdate())
    if kept is None or kept.get("failed"):
        return _not_ready(request, "pipeline/hub_effect.html", kept)
    kept = _hub_effects(request.user, kept)
    for sections, unit in ((kept["annual"], "year"), (kept["monthly"], "month")):
        for section in sections:
            section["chart"] = (
                charts.event_study_chart(section["events"], section["pooled"]["label"], unit)
                if section["events"] and not section["pooled"]["refused"]
                else None
            )
    return render(request, "pipeline/hub_effect.html", {"kept": kept, "sections": kept["annual"]})


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def projections(request):
    """Where will each cluster end the year? Approvals projected to the end of the financial
    year and of the contract with their intervals, the target, and the back-test. A cluster
    lead sees their own cluster only."""
    from .projection import projections as worked_out
    from .projection import rows_for

    result = worked_out(timezone.localdate())
    if result is None or result.get("failed"):
        return _not_ready(request, "pipeline/projections.html", result)
    rows = rows_for(request.user, result)
    if request.GET.get("format") == "csv":
        return _projections_csv(result, rows)
    return render(request, "pipeline/projections.html", {"result": result, "rows": rows})


def _projections_csv(result, rows):
    header = [
        "Cluster",
        "Approvals so far this year",
        "Projected for the year",
        f"Year: {result['level']}% low",
        f"Year: {result['level']}% high",
        "Target a year",
        "Projected to the contract's end",
        f"Contract: {result['level']}% low",
        f"Contract: {result['level']}% high",
        "People in the pipeline",
        "Enquiries a month",
        "Stages on national rates",
    ]
    for b in (3, 6):
        header += [f"Made {b} months ago: projected", f"{b} months: happened"]
    body = []
    for r in rows:
        y, c = r["year"], r["contract"]
        line = [
            r["cluster"]["name"],
            y.so_far,
            round(y.total),
            y.so_far + y.low,
            y.so_far + y.high,
            r["target"] if r["target"] is not None else "",
            round(c.total),
            c.so_far + c.low,
            c.so_far + c.high,
            y.people,
            round(y.arrivals_per_month, 1),
            "; ".join(y.baseline_stages),
        ]
        for b in r["back_tests"]:
            line += [round(b["projected"].expected), b["happened"]]
        body.append(line)
    return csv_response(f"projections-{result['today']:%Y-%m-%d}.csv", header, body)


# Published figures for comparison (issue 19) -----------------------------------------


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def published(request):
    """The published figures per LA and year, and (programme managers) a file to load."""
    from django.core.paginator import Paginator

    from .models import PublishedFigure, PublishedLoad
    from .services.published import load_published

    can_load = permissions.can_manage_lists(request.user)
    form = PublishedForm(request.POST or None, request.FILES or None) if can_load else None
    if request.method == "POST":
        if not can_load:
            raise PermissionDenied
        if form.is_valid():
            try:
                load = load_published(
                    upload=form.cleaned_data["file"],
                    source=form.cleaned_data["source"],
                    user=request.user,
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Loaded {load.rows} rows from {load.filename}: {load.added} new, "
                    f"{load.changed} changed.",
                )
                return redirect("pipeline:published")
    figures = PublishedFigure.objects.select_related("local_authority", "load")
    if request.GET.get("format") == "csv":
        return csv_response(
            "published-figures.csv",
            [
                "LA",
                "GSS code",
                "Year ending",
                "Initial enquiries",
                "Applications",
                "Approvals",
                "Suppressed",
                "Source",
            ],
            [
                [
                    f.local_authority.name,
                    f.local_authority.gss_code,
                    f.year_ending,
                    f.initial_enquiries,
                    f.applications,
                    f.approvals,
                    ", ".join(f.suppressed),
                    f.load.source,
                ]
                for f in figures
            ],
        )
    page = Paginator(figures, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pipeline/published.html",
        {
            "form": form,
            "page": page,
            "loads": PublishedLoad.objects.select_related("loaded_by")[:10],
        },
    )


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def published_example(request):
    """The synthetic example file of published figures (made-up numbers)."""
    from .example_profiles import EXAMPLES_DIR

    response = HttpResponse(
        (EXAMPLES_DIR / "published_figures_synthetic.csv").read_bytes(),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="published-figures-example.csv"'
    return response


LISTS = {"stages": Stage, "reasons": ExitReason, "channels": SourceChannel}


@data_access_required
@predicate_required(permissions.can_see_pipeline)
def lists(request):
    return render(
        request,
        "pipeline/lists.html",
        {
            "lists": [
                ("stages", "Stages", Stage.objects.all()),
                ("reasons", "Exit reasons", ExitReason.objects.all()),
                ("channels", "Source channels", SourceChannel.objects.all()),
            ],
            "can_manage": permissions.can_manage_lists(request.user),
        },
    )


@data_access_required
@predicate_required(permissions.can_manage_lists)
def list_item_edit(request, kind, pk=None):
    from django.forms import modelform_factory

    model = LISTS.get(kind)
    if model is None:
        raise Http404
    item = get_object_or_404(model, pk=pk) if pk else model()
    fields = (
        ["name", "order", "is_active"] if model is Stage else ["code", "name", "order", "is_active"]
    )
    form = modelform_factory(model, fields=fields)(request.POST or None, instance=item)
    return form_view(
        request,
        form=form,
        title=f"{model._meta.verbose_name.capitalize()}: {item.name}"
        if pk
        else f"New {model._meta.verbose_name}",
        on_valid=lambda f: services.save_list_item(item=f.instance, user=request.user),
        success_url=reverse("pipeline:lists"),
        success_message="Saved.",
    )

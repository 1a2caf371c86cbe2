from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from . import forms as core_forms
from .export import table_csv_response
from .home import home_context


def home(request):
    return render(request, "core/home.html", home_context(request.user))


class FilteredTableView(SingleTableMixin, FilterView):
    """A sortable, filterable, paginated table that also downloads as CSV (``?format=csv``)."""

    template_name = "core/table_page.html"
    export_name = "export"
    page_title = ""
    strict = False  # an invalid filter shows its error and the unfiltered list

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            filterset = self.get_filterset(self.get_filterset_class())
            queryset = filterset.qs if filterset.is_valid() else self.get_queryset()
            table = self.get_table_class()(queryset, **self.get_table_kwargs())
            table.order_by = request.GET.get("sort")
            return table_csv_response(table, f"{self.export_name}.csv")
        return super().get(request, *args, **kwargs)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.caption = getattr(table, "caption", None) or self.page_title
        return table

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.page_title
        query = self.request.GET.copy()
        query["format"] = "csv"
        query.pop("page", None)
        context["csv_query"] = query.urlencode()
        return context


def attach_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the named field where the form has
    it, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_view(
    request,
    *,
    form,
    title: str,
    on_valid,
    success_url,
    success_message: str = "",
    template: str = "core/form_page.html",
    context: dict | None = None,
    cancel_url: str | None = None,
):
    """Show a form; on a valid POST call ``on_valid(form)`` (a service) and redirect.

    A ValidationError from the service is shown on the field it names and nothing is saved.
    ``success_url`` may be a function of what ``on_valid`` returned (the page of a new
    object); ``cancel_url`` then says where Cancel goes.
    """
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                result = on_valid(form)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if success_message:
                messages.success(request, success_message)
            return redirect(success_url(result) if callable(success_url) else success_url)
    return render(
        request,
        template,
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url or success_url,
            **(context or {}),
        },
    )


@login_not_required
@require_GET
def health(request):
    """200 when the database, the broker and a worker's heartbeat are all well, else 503;
    says which part is not (no data, so it needs no sign-in)."""
    from .health import checks, healthy

    result = checks()
    ok = healthy(result)
    return JsonResponse(
        {"status": "ok" if ok else "failing", "checks": result}, status=200 if ok else 503
    )


class AuditPeriodForm(core_forms.Form):
    date_from = forms.DateField(label="From", widget=core_forms.GovukDateInput)
    date_to = forms.DateField(label="To", widget=core_forms.GovukDateInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period must not be before its start.")
        if start and end and (end - start).days > 366:
            self.add_error("date_to", "Choose a period of at most a year.")
        return data


def audit_log(request):
    """Every change kept in the service for a period, for programme managers: the first 100
    on the page, all of them as CSV."""
    from django.core.exceptions import PermissionDenied

    from accounts.permissions import is_programme_manager

    from . import audit
    from .export import csv_response

    if not is_programme_manager(request.user):
        raise PermissionDenied
    form = AuditPeriodForm(request.GET or None)
    rows = None
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        rows = audit.rows(start, end)
        if request.GET.get("format") == "csv":
            return csv_response(f"audit-log-{start}-to-{end}.csv", audit.COLUMNS, rows)
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "rows": rows[:100] if rows is not None else None,
            "total": len(rows) if rows is not None else 0,
            "columns": audit.COLUMNS,
            "csv_query": query.urlencode(),
        },
    )

"""Programme managers issue, inspect and revoke API tokens here (web pages, not the API)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_tables2 import RequestConfig

from accounts.decorators import predicate_required
from accounts.permissions import is_programme_manager
from core.views import FilteredTableView, attach_errors

from . import services
from .forms import IssueTokenForm, RevokeForm
from .models import ApiToken, ApiTokenUse
from .tables import TokenTable, UseLogTable, UseTable


class ProgrammeManagerTable(FilteredTableView):
    def dispatch(self, request, *args, **kwargs):
        if not is_programme_manager(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TokenListView(ProgrammeManagerTable):
    model = ApiToken
    table_class = TokenTable
    filterset_fields = ["kind"]
    page_title = "API tokens"
    export_name = "api-tokens"
    template_name = "api/token_list.html"

    def get_queryset(self):
        return ApiToken.objects.select_related("local_authority")


class UseListView(ProgrammeManagerTable):
    """The use log of every token, newest first, with calls made with unrecognised tokens."""

    model = ApiTokenUse
    table_class = UseLogTable
    filterset_fields = ["status", "method"]
    page_title = "API use log"
    export_name = "api-use-log"
    template_name = "api/use_list.html"

    def get_queryset(self):
        return ApiTokenUse.objects.select_related("token")


@predicate_required(is_programme_manager)
def token_issue(request):
    form = IssueTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.issue_token(by=request.user, **form.cleaned_data)
        except services.ValidationError as error:
            attach_errors(form, error)
        else:
            # the secret is shown on this response only; it is never stored
            response = render(request, "api/token_issued.html", {"token": token, "secret": secret})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Issue an API token",
            "cancel_url": reverse("api:token_list"),
            "submit_label": "Issue token",
            "intro": "An LA token may submit that LA's returns and exports and read its funnel. "
            "A DfE token may read issued reports and every funnel, and change nothing.",
        },
    )


@predicate_required(is_programme_manager)
def token_detail(request, pk):
    token = get_object_or_404(
        ApiToken.objects.select_related("local_authority", "created_by"), pk=pk
    )
    uses = UseTable(token.uses.all())
    RequestConfig(request, paginate={"per_page": 50}).configure(uses)
    uses.caption = "Every call made with this token"
    return render(request, "api/token_detail.html", {"token": token, "uses": uses})


@predicate_required(is_programme_manager)
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, revoked_at__isnull=True)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.revoke_token(token=token, by=request.user)
        messages.success(request, f"{token} has been revoked.")
        return redirect("api:token_detail", pk=pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"Revoke “{token.name}”?",
            "cancel_url": reverse("api:token_detail", args=[pk]),
            "submit_label": "Revoke token",
            "warning": "This cannot be undone.",
        },
    )

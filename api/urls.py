from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from . import evaluation, funnels, imports, reports, returns, views, web
from .authentication import BearerTokenAuthentication

app_name = "api"


def public(view):
    # API calls authenticate with tokens, not the web sign-in
    return login_not_required(view.as_view())


def documentation(view):
    """A documentation page: for people signed in (the sign-in page first otherwise)."""
    return login_required(csp_update({"style-src": [UNSAFE_INLINE]})(view))


urlpatterns = [
    path("api/v1/me", public(views.MeView), name="me"),
    path("api/v1/local-authorities", public(views.AuthorityListView), name="authorities"),
    path("api/v1/returns", public(returns.ReturnListView), name="return_list"),
    path("api/v1/returns/<int:pk>", public(returns.ReturnDetailView), name="return_detail"),
    path("api/v1/returns/<int:pk>/submit", public(returns.ReturnSubmitView), name="return_submit"),
    path("api/v1/import-profiles", public(imports.ProfileListView), name="profile_list"),
    path("api/v1/imports", public(imports.ImportListView), name="import_list"),
    path("api/v1/imports/<int:pk>", public(imports.ImportDetailView), name="import_detail"),
    path("api/v1/imports/<int:pk>/commit", public(imports.ImportCommitView), name="import_commit"),
    path("api/v1/funnel", public(funnels.FunnelView), name="funnel"),
    path("api/v1/hub-effect", public(evaluation.HubEffectView), name="hub_effect"),
    path("api/v1/projections", public(evaluation.ProjectionsView), name="projections"),
    path("api/v1/reports", public(reports.ReportListView), name="report_list"),
    path("api/v1/reports/<int:pk>", public(reports.ReportDetailView), name="report_detail"),
    path("api/v1/reports/<int:pk>/pdf", public(reports.ReportPdfView), name="report_pdf"),
    path("api/v1/reports/<int:pk>/xlsx", public(reports.ReportXlsxView), name="report_xlsx"),
    # the schema for a token or a signed-in person; the two documentation pages for people
    # signed in (the sign-in page otherwise), the schema read with their session
    path(
        "api/schema/",
        login_not_required(
            SpectacularAPIView.as_view(
                authentication_classes=[BearerTokenAuthentication, SessionAuthentication],
                permission_classes=[IsAuthenticated],
            )
        ),
        name="schema",
    ),
    path(
        "api/docs/",
        # the split view serves Swagger UI's start-up script as a file: no inline script;
        # Swagger UI and Redoc write their styles into the page: the two documentation pages
        # are the only ones whose policy allows inline styles
        documentation(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema",
                authentication_classes=[SessionAuthentication],
                permission_classes=[IsAuthenticated],
            )
        ),
        name="docs",
    ),
    path(
        "api/redoc/",
        documentation(
            SpectacularRedocView.as_view(
                url_name="api:schema",
                authentication_classes=[SessionAuthentication],
                permission_classes=[IsAuthenticated],
            )
        ),
        name="redoc",
    ),
    re_path(r"^api/v1/(?P<rest>[\s\S]*)$", views.not_found, name="not_found"),
    path("api-tokens/", web.TokenListView.as_view(), name="token_list"),
    path("api-tokens/uses/", web.UseListView.as_view(), name="use_list"),
    path("api-tokens/new/", web.token_issue, name="token_issue"),
    path("api-tokens/<int:pk>/", web.token_detail, name="token_detail"),
    path("api-tokens/<int:pk>/revoke/", web.token_revoke, name="token_revoke"),
]

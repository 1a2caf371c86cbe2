from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views, web

app_name = "api"


def public(view):
    # API calls authenticate with tokens, not the web sign-in
    return login_not_required(view)


urlpatterns = [
    path("api/v1/me", public(views.MeView.as_view()), name="me"),
    path("api/v1/local-authorities", public(views.AuthorityListView.as_view()), name="authorities"),
    path(
        "api/schema/",
        public(SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[])),
        name="schema",
    ),
    path(
        "api/docs/",
        public(
            SpectacularSwaggerView.as_view(
                url_name="api:schema", authentication_classes=[], permission_classes=[]
            )
        ),
        name="docs",
    ),
    path(
        "api/redoc/",
        public(
            SpectacularRedocView.as_view(
                url_name="api:schema", authentication_classes=[], permission_classes=[]
            )
        ),
        name="redoc",
    ),
    path("api-tokens/", web.TokenListView.as_view(), name="token_list"),
    path("api-tokens/new/", web.token_issue, name="token_issue"),
    path("api-tokens/<int:pk>/", web.token_detail, name="token_detail"),
    path("api-tokens/<int:pk>/revoke/", web.token_revoke, name="token_revoke"),
]

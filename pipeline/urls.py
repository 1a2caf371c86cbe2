from django.urls import path

from . import views

app_name = "pipeline"
urlpatterns = [
    path("", views.funnel, name="funnel"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("returns/", views.ReturnListView.as_view(), name="return_list"),
    path("returns/new/", views.return_edit, name="return_create"),
    path("returns/upload/", views.returns_upload, name="returns_upload"),
    path("returns/accept/", views.returns_accept, name="returns_accept"),
    path("returns/template.<str:fmt>", views.returns_template, name="returns_template"),
    path("returns/late/", views.late_returns, name="late_returns"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/edit/", views.return_edit, name="return_edit"),
    path("returns/<int:pk>/<str:action>/", views.return_action, name="return_action"),
    path("imports/", views.BatchListView.as_view(), name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
    path("imports/<int:pk>/check-again/", views.import_recheck, name="import_recheck"),
    path("imports/<int:pk>/ask-for-codes/", views.import_ask_codes, name="import_ask_codes"),
    path("profiles/", views.ProfileListView.as_view(), name="profile_list"),
    path("profiles/new/", views.profile_start, name="profile_create"),
    path("profiles/samples/<int:pk>/", views.profile_sample, name="profile_sample"),
    path("profiles/<int:pk>/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/codes/", views.profile_codes, name="profile_codes"),
    path("published/", views.published, name="published"),
    path("hub-effect/", views.hub_effect, name="hub_effect"),
    path("projections/", views.projections, name="projections"),
    path("published/example.csv", views.published_example, name="published_example"),
    path("lists/", views.lists, name="lists"),
    path("lists/<str:kind>/new/", views.list_item_edit, name="list_item_create"),
    path("lists/<str:kind>/<int:pk>/", views.list_item_edit, name="list_item_edit"),
]

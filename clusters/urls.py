from django.urls import path

from . import views

app_name = "clusters"
urlpatterns = [
    path("clusters/", views.ClusterListView.as_view(), name="cluster_list"),
    path("progress/", views.ProgressUpdateListView.as_view(), name="progress_all"),
    path("clusters/<slug:slug>/", views.cluster_detail, name="cluster_detail"),
    path("clusters/<slug:slug>/hub/", views.hub_edit, name="hub_edit"),
    path(
        "clusters/<slug:slug>/harmonisation/<str:gss_code>/<str:item>/",
        views.harmonisation_edit,
        name="harmonisation_edit",
    ),
    path("clusters/<slug:slug>/progress/", views.progress_list, name="progress_list"),
    path("clusters/<slug:slug>/progress/new/", views.progress_edit, name="progress_create"),
    path("clusters/<slug:slug>/progress/<int:pk>/", views.progress_edit, name="progress_edit"),
    path("clusters/<slug:slug>/stage/", views.stage_change, name="stage_change"),
    path("clusters/<slug:slug>/members/add/", views.member_add, name="member_add"),
    path("clusters/<slug:slug>/members/<int:pk>/end/", views.member_end, name="member_end"),
    path(
        "clusters/<slug:slug>/constellations/new/",
        views.constellation_edit,
        name="constellation_create",
    ),
    path(
        "clusters/<slug:slug>/constellations/<int:pk>/",
        views.constellation_edit,
        name="constellation_edit",
    ),
    path("clusters/<slug:slug>/contacts/new/", views.contact_add, name="contact_add"),
    path("authorities/", views.AuthorityListView.as_view(), name="authority_list"),
]

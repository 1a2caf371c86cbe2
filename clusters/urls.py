from django.urls import path

from . import views

app_name = "clusters"
urlpatterns = [
    path("clusters/", views.ClusterListView.as_view(), name="cluster_list"),
    path("clusters/<slug:slug>/", views.cluster_detail, name="cluster_detail"),
    path("authorities/", views.AuthorityListView.as_view(), name="authority_list"),
]

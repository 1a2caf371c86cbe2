from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("programme/", views.overview, name="overview"),
    path("programme/contract/", views.contract_detail, name="contract"),
    path("programme/contract/settings/", views.contract_settings, name="contract_settings"),
    path("programme/contract/vary/", views.contract_vary, name="contract_vary"),
    path("programme/rates/add/", views.rate_add, name="rate_add"),
    path("programme/milestones/", views.MilestoneListView.as_view(), name="milestone_list"),
    path("programme/milestones/new/", views.milestone_create, name="milestone_create"),
    path("programme/milestones/<int:pk>/", views.milestone_detail, name="milestone_detail"),
    path("programme/milestones/<int:pk>/edit/", views.milestone_edit, name="milestone_edit"),
    path(
        "programme/milestones/<int:pk>/rebaseline/",
        views.milestone_rebaseline,
        name="milestone_rebaseline",
    ),
    path("programme/kpis/", views.kpi_list, name="kpi_list"),
    path("programme/kpis/new/", views.kpi_create, name="kpi_create"),
    path("programme/kpis/<int:pk>/", views.kpi_detail, name="kpi_detail"),
    path("programme/kpis/<int:pk>/record/", views.kpi_record, name="kpi_record"),
]

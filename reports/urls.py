from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("new/", views.request_report, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status.json", views.report_status, name="status"),
    path("<int:pk>/summary/", views.report_summary, name="summary"),
    path("<int:pk>/issue/", views.issue_report, name="issue"),
    path("<int:pk>/correct/", views.correct_report, name="correct"),
    path("<int:pk>/refresh/", views.refresh_report, name="refresh"),
    path("<int:pk>/retry/", views.retry_report, name="retry"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
]

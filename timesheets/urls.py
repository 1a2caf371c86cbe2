from django.urls import path

from . import views

app_name = "timesheets"
urlpatterns = [
    path("", views.index, name="index"),
    path("week/", views.week, name="week"),
    path("entries/", views.EntryListView.as_view(), name="entry_list"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/reject/", views.entry_reject, name="entry_reject"),
    path("entries/<int:pk>/return/", views.entry_return, name="entry_return"),
    path("entries/<int:pk>/adjust/", views.entry_adjust, name="entry_adjust"),
    path("entries/<int:pk>/<str:action>/", views.entry_action, name="entry_action"),
    path("approvals/", views.ApprovalListView.as_view(), name="approvals"),
    path("allocation/", views.allocation, name="allocation"),
    path("burn-up/", views.burn_up, name="burn_up"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/new/", views.invoice_new, name="invoice_new"),
    path("invoices/month/<str:month>/", views.invoice_preview, name="invoice_preview"),
    path("invoices/month/<str:month>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/invoice.<str:fmt>", views.invoice_download, name="invoice_download"),
]

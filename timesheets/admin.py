"""Time and invoices are read-only in the admin: every change goes through the services,
which keep the rules and the status log (and the database refuses changes to invoiced time)."""

from django.contrib import admin

from .models import Invoice, StatusChange, TimeEntry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnly):
    list_display = ["date", "consultant", "cluster", "requirement", "days", "status", "cost"]
    list_select_related = ["consultant", "cluster"]
    list_filter = ["status", "requirement", "cluster"]
    date_hierarchy = "date"
    inlines = [StatusChangeInline]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ["number", "month", "days", "total", "issued_at", "issued_by"]

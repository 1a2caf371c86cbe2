from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    Assessment,
    Bid,
    BidVersion,
    Criterion,
    Meeting,
    Reminder,
    SupportRequest,
)


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "position", "active"]


class AssessmentInline(admin.TabularInline):
    model = Assessment
    extra = 0


class VersionInline(admin.TabularInline):
    model = BidVersion
    extra = 0


@admin.register(Bid)
class BidAdmin(SimpleHistoryAdmin):
    list_display = ["cluster", "consultant", "due_on", "submitted_on", "outcome"]
    list_filter = ["outcome"]
    inlines = [AssessmentInline, VersionInline]


@admin.register(SupportRequest)
class SupportRequestAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cluster", "status", "proposed_days", "approved_days"]
    list_filter = ["status", "kind", "cluster"]


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "cluster", "held_on", "status"]
    list_filter = ["kind", "status"]
    inlines = [ActionInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "kind", "recipient", "occasion", "subject"]
    list_filter = ["kind"]

    # the log of what was sent is evidence: nobody changes it by hand
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Adoption, LearningEvent, Lesson, MitigationAction, RaidItem


class ActionInline(admin.TabularInline):
    model = MitigationAction
    extra = 0


@admin.register(RaidItem)
class RaidItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "cluster", "owner", "score", "status", "review_date"]
    list_filter = ["kind", "status", "cluster"]
    search_fields = ["title"]
    inlines = [ActionInline]


@admin.register(Lesson)
class LessonAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "published_on", "author"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]


@admin.register(LearningEvent)
class LearningEventAdmin(SimpleHistoryAdmin):
    list_display = ["topic", "kind", "held_on", "facilitator"]
    list_filter = ["kind"]


@admin.register(Adoption)
class AdoptionAdmin(SimpleHistoryAdmin):
    list_display = ["lesson", "cluster", "adopted_on"]

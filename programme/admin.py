from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contract, DayRate, FinancialYearCap, Grade


class CapInline(admin.TabularInline):
    model = FinancialYearCap
    extra = 0


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["name", "reference", "start_date", "end_date", "total_cap"]
    inlines = [CapInline]


class RateInline(admin.TabularInline):
    model = DayRate
    extra = 0


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    inlines = [RateInline]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "cluster", "is_active"]
    list_filter = ["role", "cluster", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "organisation")}),
        ("Role", {"fields": ("role", "cluster", "grade")}),
        ("Vetting and training", {"fields": ("bpss_date", "data_protection_training_date")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "role", "cluster", "password1", "password2")}),)

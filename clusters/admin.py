from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Cluster, ClusterMembership, LocalAuthority, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "gss_code", "dfe_code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "gss_code", "dfe_code"]


class MembershipInline(admin.TabularInline):
    model = ClusterMembership
    extra = 0
    autocomplete_fields = ["local_authority"]


@admin.register(Cluster)
class ClusterAdmin(SimpleHistoryAdmin):
    list_display = ["name", "wave", "stage", "lead_la"]
    inlines = [MembershipInline]

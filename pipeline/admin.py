from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExitReason, ImportProfile, SourceChannel, Stage


@admin.register(Stage, ExitReason, SourceChannel)
class ListItemAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ImportProfile)
class ImportProfileAdmin(SimpleHistoryAdmin):
    list_display = ["name", "file_type", "encoding", "delimiter", "date_format"]

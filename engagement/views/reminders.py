"""Reminders: what the tracker e-mailed. Everyone reads what was sent to them; a programme
manager reads every reminder. Another person's reminder is not found (404)."""

import datetime

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from core.views import FilteredTableView

from ..forms.reminders import ReminderFilter, ReminderTable
from ..permissions import can_see_all_reminders
from ..selectors.reminders import recent_reminders_for, reminders_for_user


class ReminderListView(FilteredTableView):
    table_class = ReminderTable
    filterset_class = ReminderFilter
    template_name = "engagement/reminders/reminder_list.html"
    page_title = "Reminders"
    export_name = "reminders"

    def get_queryset(self):
        return reminders_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sees_all"] = can_see_all_reminders(self.request.user)
        return context


def reminder_detail(request, pk):
    reminder = get_object_or_404(reminders_for_user(request.user), pk=pk)
    return render(request, "engagement/reminders/reminder_detail.html", {"reminder": reminder})


urlpatterns = [
    path("reminders/", ReminderListView.as_view(), name="reminder_list"),
    path("reminders/<int:pk>/", reminder_detail, name="reminder_detail"),
]


def home_panels(user) -> list[dict]:
    """Reminders sent to the user in the last 7 days, when there are any (two queries)."""
    since = timezone.now() - datetime.timedelta(days=7)
    recent = recent_reminders_for(user, since=since)
    if not recent["count"]:
        return []
    return [{"template": "engagement/reminders/home_panel.html", **recent}]

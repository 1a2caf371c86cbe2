"""Meeting log and actions pages: each looks its object up through the user's scope (a
meeting a cluster lead did not attend is a 404), checks who may change it (else 403) and
calls one service."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from clusters.selectors import clusters_for_user
from core.history import history_rows
from core.views import FilteredTableView, form_view
from engagement import permissions
from engagement.forms.meetings import (
    ActionFilter,
    ActionForm,
    ActionStatusForm,
    ActionTable,
    MeetingFilter,
    MeetingForm,
    MeetingTable,
)
from engagement.models import Meeting, MeetingStatus
from engagement.selectors import meetings as selectors
from engagement.services import meetings as services


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class MeetingListView(FilteredTableView):
    table_class = MeetingTable
    filterset_class = MeetingFilter
    template_name = "engagement/meetings/meeting_list.html"
    page_title = "Meetings"
    export_name = "meetings"

    def get_queryset(self):
        return selectors.meetings_for_user(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can_manage_meetings(self.request.user)
        return context


class ActionListView(FilteredTableView):
    table_class = ActionTable
    filterset_class = ActionFilter
    template_name = "engagement/meetings/action_list.html"
    page_title = "Actions"
    export_name = "meeting-actions"

    def get_queryset(self):
        return selectors.actions_for_user(self.request.user)


def _meeting(request, pk) -> Meeting:
    return get_object_or_404(selectors.meetings_for_user(request.user), pk=pk)


def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    user = request.user
    return render(
        request,
        "engagement/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            **selectors.meeting_detail(meeting, user),
            "history": history_rows(meeting),
            "can_manage": permissions.can_manage_meetings(user),
        },
    )


def _meeting_form_view(request, meeting: Meeting, title: str, message: str):
    user = request.user
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        clusters=clusters_for_user(user).order_by("name"),
        initial=None if meeting.pk else {"status": MeetingStatus.PLANNED},
    )
    return form_view(
        request,
        form=form,
        title=title,
        on_valid=lambda f: services.save_meeting(
            meeting=f.instance, attendees=f.cleaned_data["attendees"], by=user
        ),
        success_url=lambda saved: reverse("engagement:meeting_detail", args=[saved.pk]),
        cancel_url=(
            reverse("engagement:meeting_detail", args=[meeting.pk])
            if meeting.pk
            else reverse("engagement:meeting_list")
        ),
        success_message=message,
        context={
            "intro": "A meeting can be marked as held on or after its date. A cluster lead "
            "sees the meetings they attended."
        },
    )


def meeting_create(request):
    _require(permissions.can_manage_meetings(request.user))
    return _meeting_form_view(
        request, Meeting(), "Log a meeting", "Meeting logged. Add its actions below."
    )


def meeting_edit(request, pk):
    meeting = _meeting(request, pk)
    _require(permissions.can_manage_meetings(request.user))
    return _meeting_form_view(
        request, meeting, f"Change {meeting}", "Saved. The change is kept in its history."
    )


def action_add(request, pk):
    from insights.selectors import raid_for_user
    from programme.selectors import milestones_for_user

    meeting = _meeting(request, pk)
    user = request.user
    _require(permissions.can_manage_meetings(user))
    raid_items = raid_for_user(user).filter(kind__in=["risk", "issue"]).order_by("pk")
    milestones = milestones_for_user(user).order_by("forecast_date", "title")
    if meeting.cluster_id:
        # a cluster's meeting links its cluster's items and programme-wide ones
        same = Q(cluster_id=meeting.cluster_id) | Q(cluster__isnull=True)
        raid_items = raid_items.filter(same)
        milestones = milestones.filter(same)
    form = ActionForm(
        request.POST or None, meeting=meeting, raid_items=raid_items, milestones=milestones
    )
    return form_view(
        request,
        form=form,
        title="Add an action",
        on_valid=lambda f: services.add_action(meeting=meeting, by=user, **f.cleaned_data),
        success_url=reverse("engagement:meeting_detail", args=[pk]) + "#actions",
        success_message="Action added. It shows on its owner's home page until it is done.",
        context={"caption": str(meeting)},
    )


def action_status(request, pk):
    action = get_object_or_404(selectors.actions_for_user(request.user), pk=pk)
    user = request.user
    _require(permissions.can_update_action(user, action))
    form = ActionStatusForm(request.POST or None, initial={"status": action.status})
    back = (
        reverse("engagement:meeting_detail", args=[action.meeting_id]) + "#actions"
        if action.meeting_visible
        else reverse("engagement:action_list")
    )
    return form_view(
        request,
        form=form,
        title="Update the action",
        on_valid=lambda f: services.update_action_status(
            action=action, status=f.cleaned_data["status"], by=user
        ),
        success_url=back,
        success_message="Action updated.",
        template="engagement/meetings/action_status.html",
        context={
            "action": action,
            "history": history_rows(action),
            "history_title": "History of the action",
            "submit_label": "Save the status",
        },
    )


urlpatterns = [
    path("meetings/", MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/actions/new/", action_add, name="action_add"),
    path("actions/", ActionListView.as_view(), name="action_list"),
    path("actions/<int:pk>/", action_status, name="action_status"),
]

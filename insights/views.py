"""Insights pages: each looks objects up through the user's scope (a forbidden object is a
404), checks who may change it (else 403) and calls one service or selector."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import data_access_required
from accounts.permissions import is_cluster_lead, is_dfe_reader
from clusters.selectors import clusters_for_user
from core.charts import svg_data_uri
from core.history import history_rows
from core.views import FilteredTableView, form_view

from . import charts, permissions, selectors, services
from .filters import (
    EventFilter,
    LessonFilter,
    NotAttendedFilter,
    RaidFilter,
    RaidScopeFilter,
)
from .forms import (
    ActionForm,
    AdoptionForm,
    AttendanceForm,
    BecomeIssueForm,
    CloseForm,
    DecisionForm,
    EscalateForm,
    EventForm,
    LessonForm,
    RaidItemForm,
    ReopenForm,
    SearchForm,
)
from .models import Kind, LearningEvent, Lesson, MitigationAction, RaidItem, Status
from .tables import EventTable, LessonTable, NotAttendedTable, RaidTable


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# -- RAID log --------------------------------------------------------------------------


class RaidRegisterView(FilteredTableView):
    table_class = RaidTable
    filterset_class = RaidFilter
    template_name = "insights/raid_list.html"
    page_title = "RAID log"
    export_name = "raid-log"

    def get_queryset(self):
        return selectors.raid_register(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can_manage_raid(self.request.user)
        return context


def _item(request, pk, *, manage: bool = False) -> RaidItem:
    """The item if the user may see it (else 404) and, for changes, may change it (403)."""
    item = get_object_or_404(selectors.raid_for_user(request.user).with_review_state(), pk=pk)
    if manage:
        _require(permissions.can_manage_raid(request.user))
    return item


def raid_heat_map(request):
    items = selectors.raid_for_user(request.user)
    scope = RaidScopeFilter(request.GET or None, queryset=items, request=request)
    heat = selectors.heat_map(scope.qs if scope.is_valid() else items)
    return render(
        request,
        "insights/heat_map.html",
        {
            "heat": heat,
            "chart": svg_data_uri(charts.heat_map_svg(heat)),
            "filter": scope,
            "escalated_only": is_dfe_reader(request.user),
        },
    )


def raid_top(request):
    user = request.user
    items = selectors.raid_for_user(user)
    grouped = selectors.top_risks_and_issues_by_cluster(items=items, limit=5)
    sections = []
    if not is_cluster_lead(user):
        sections.append(
            {"title": "Programme-wide", "cluster": None, "items": grouped.get(None, [])}
        )
    for cluster in clusters_for_user(user).order_by("name"):
        sections.append(
            {"title": cluster.name, "cluster": cluster, "items": grouped.get(cluster.pk, [])}
        )
    return render(
        request,
        "insights/raid_top.html",
        {"sections": sections, "escalated_only": is_dfe_reader(user)},
    )


def raid_create(request):
    _require(permissions.can_manage_raid(request.user))
    clusters = clusters_for_user(request.user).order_by("name")
    initial = {}
    if request.GET.get("cluster"):
        initial["cluster"] = clusters.filter(slug=request.GET["cluster"]).first()
    form = RaidItemForm(request.POST or None, initial=initial, clusters=clusters)
    return form_view(
        request,
        form=form,
        title="Log a risk, issue, assumption or dependency",
        on_valid=lambda f: services.save_item(item=f.instance, by=request.user),
        success_url=lambda item: reverse("insights:raid_detail", args=[item.pk]),
        cancel_url=reverse("insights:raid_list"),
        success_message="Logged. Add its mitigation actions below.",
        context={
            "intro": "State a risk as its cause, the event that may happen and its effect. "
            "Other types need a description."
        },
    )


def raid_detail(request, pk):
    item = _item(request, pk)
    user = request.user
    return render(
        request,
        "insights/raid_detail.html",
        {
            "item": item,
            **selectors.raid_item_detail(item),
            "lessons": selectors.lessons_linked_to(item, user),
            "can_manage": permissions.can_manage_raid(user),
            "can_write_lessons": permissions.can_write_lessons(user),
        },
    )


def raid_edit(request, pk):
    item = _item(request, pk, manage=True)
    form = RaidItemForm(
        request.POST or None,
        instance=item,
        clusters=clusters_for_user(request.user).order_by("name"),
    )
    url = reverse("insights:raid_detail", args=[pk])
    return form_view(
        request,
        form=form,
        title=f"Change {item.reference}",
        on_valid=lambda f: services.save_item(item=f.instance, by=request.user),
        success_url=url,
        success_message="Saved. The change is kept in the item's history.",
    )


def action_add(request, pk):
    item = _item(request, pk, manage=True)
    form = ActionForm(request.POST or None, cluster=item.cluster)
    return form_view(
        request,
        form=form,
        title=f"Add a mitigation action to {item.reference}",
        on_valid=lambda f: services.add_action(item=item, by=request.user, **f.cleaned_data),
        success_url=reverse("insights:raid_detail", args=[pk]) + "#actions",
        success_message="Action added.",
        context={"caption": item.title},
    )


@require_POST
def action_done(request, pk, action_pk):
    item = _item(request, pk, manage=True)
    action = get_object_or_404(MitigationAction, pk=action_pk, item=item)
    try:
        services.complete_action(action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Action marked as done.")
    return redirect(reverse("insights:raid_detail", args=[pk]) + "#actions")


def raid_escalate(request, pk):
    item = _item(request, pk, manage=True)
    form = EscalateForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=f"Escalate {item.reference} to DfE",
        on_valid=lambda f: services.escalate(
            item=item,
            reason=f.cleaned_data["escalation_reason"],
            escalated_on=f.cleaned_data["escalated_on"],
            by=request.user,
        ),
        success_url=reverse("insights:raid_detail", args=[pk]),
        success_message="Escalated to DfE: DfE's readers can now see it.",
        context={
            "caption": item.title,
            "intro": "DfE's programme team will see this item, its actions and its history.",
            "submit_label": "Escalate to DfE",
        },
    )


def raid_decision(request, pk):
    item = _item(request, pk, manage=True)
    form = DecisionForm(request.POST or None, initial={"dfe_decision": item.dfe_decision})
    return form_view(
        request,
        form=form,
        title=f"Record DfE's decision on {item.reference}",
        on_valid=lambda f: services.record_dfe_decision(
            item=item,
            decision=f.cleaned_data["dfe_decision"],
            decided_on=f.cleaned_data["dfe_decision_on"],
            by=request.user,
        ),
        success_url=reverse("insights:raid_detail", args=[pk]),
        success_message="DfE's decision recorded.",
        context={"caption": item.title},
    )


def raid_become_issue(request, pk):
    item = _item(request, pk, manage=True)
    if item.kind != Kind.RISK:
        raise PermissionDenied
    form = BecomeIssueForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=f"{item.reference} has happened: record it as an issue",
        on_valid=lambda f: services.become_issue(
            item=item,
            what_happened=f.cleaned_data["description"],
            happened_on=f.cleaned_data["became_issue_on"],
            by=request.user,
        ),
        success_url=reverse("insights:raid_detail", args=[pk]),
        success_message="The risk is now an issue; its history and actions are kept.",
        context={
            "caption": item.title,
            "intro": "The item keeps its reference, risk statement, actions and history. "
            "Its likelihood becomes 5: it has happened.",
            "submit_label": "Record it as an issue",
        },
    )


def raid_close(request, pk):
    item = _item(request, pk, manage=True)
    form = CloseForm(request.POST or None)
    open_actions = item.open_action_count
    return form_view(
        request,
        form=form,
        title=f"Close {item.reference}?",
        on_valid=lambda f: services.close_item(
            item=item,
            note=f.cleaned_data["closure_note"],
            closed_on=f.cleaned_data["closed_on"],
            by=request.user,
        ),
        success_url=reverse("insights:raid_detail", args=[pk]),
        success_message=f"{item.reference} closed.",
        context={
            "caption": item.title,
            "warning": "A closed item leaves the heat map, the top risks and the monthly "
            "report. It can be reopened."
            + (
                f" It still has {open_actions} open action{'s' if open_actions != 1 else ''}: "
                "mark them done first."
                if open_actions
                else ""
            ),
            "submit_label": "Close the item",
        },
    )


def raid_reopen(request, pk):
    item = _item(request, pk, manage=True)
    if item.status != Status.CLOSED:
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title=f"Reopen {item.reference}",
        on_valid=lambda f: services.reopen_item(
            item=item, reason=f.cleaned_data["reason"], by=request.user
        ),
        success_url=reverse("insights:raid_detail", args=[pk]),
        success_message=f"{item.reference} reopened.",
        context={"caption": item.title, "submit_label": "Reopen"},
    )


# -- shared learning -------------------------------------------------------------------


class LessonListView(FilteredTableView):
    table_class = LessonTable
    filterset_class = LessonFilter
    template_name = "insights/lesson_list.html"
    page_title = "Shared learning"
    export_name = "shared-learning"

    def get_queryset(self):
        return selectors.with_tags(selectors.lessons_for_user(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = permissions.can_write_lessons(self.request.user)
        return context


def _lesson(request, pk) -> Lesson:
    return get_object_or_404(
        selectors.with_tags(selectors.lessons_for_user(request.user)).select_related(
            "event", "raid_item"
        ),
        pk=pk,
    )


def _lesson_form_view(request, lesson: Lesson, title: str, message: str):
    user = request.user
    fixed = user.cluster if is_cluster_lead(user) else None
    form = LessonForm(
        request.POST or None,
        instance=lesson,
        raid_items=selectors.raid_for_user(user),
        fixed_cluster=fixed,
    )

    def save(f):
        clusters = [fixed] if fixed else list(f.cleaned_data["source_clusters"])
        return services.save_lesson(
            lesson=f.instance, themes=f.cleaned_data["themes"], source_clusters=clusters, by=user
        )

    return form_view(
        request,
        form=form,
        title=title,
        on_valid=save,
        success_url=lambda saved: reverse("insights:lesson_detail", args=[saved.pk]),
        cancel_url=(
            reverse("insights:lesson_detail", args=[lesson.pk])
            if lesson.pk
            else reverse("insights:lesson_list")
        ),
        success_message=message,
        context={
            "intro": (f"It will be recorded as learning from {fixed}. " if fixed else "")
            + "It stays a draft, seen only by you and the delivery partner, until the "
            "delivery partner publishes it."
            if not lesson.is_published
            else "This entry is published: every cluster and DfE see the change."
        },
    )


def lesson_create(request):
    _require(permissions.can_write_lessons(request.user))
    return _lesson_form_view(request, Lesson(), "Write up learning", "Saved as a draft.")


def lesson_edit(request, pk):
    lesson = _lesson(request, pk)
    _require(permissions.can_edit_lesson(request.user, lesson))
    return _lesson_form_view(
        request, lesson, f"Change “{lesson.title}”", "Saved. The change is kept in its history."
    )


def lesson_detail(request, pk):
    lesson = _lesson(request, pk)
    user = request.user
    return render(
        request,
        "insights/lesson_detail.html",
        {
            "lesson": lesson,
            **selectors.lesson_detail(lesson, user),
            "can_edit": permissions.can_edit_lesson(user, lesson),
            "can_publish": permissions.can_publish_lessons(user) and not lesson.is_published,
            "can_adopt": permissions.can_record_adoption(user) and lesson.is_published,
        },
    )


def lesson_publish(request, pk):
    lesson = _lesson(request, pk)
    _require(permissions.can_publish_lessons(request.user))
    return form_view(
        request,
        form=forms.Form(request.POST if request.method == "POST" else None),
        title=f"Publish “{lesson.title}”?",
        on_valid=lambda f: services.publish_lesson(lesson=lesson, by=request.user),
        success_url=reverse("insights:lesson_detail", args=[pk]),
        success_message="Published: every cluster and DfE can now read it.",
        context={
            "intro": "Once published, every cluster and DfE's programme team can read it and "
            "find it in search.",
            "submit_label": "Publish",
        },
    )


def lesson_adopt(request, pk):
    lesson = _lesson(request, pk)
    user = request.user
    _require(permissions.can_record_adoption(user))
    clusters = clusters_for_user(user).order_by("name")
    form = AdoptionForm(
        request.POST or None,
        clusters=clusters,
        initial={"cluster": user.cluster} if is_cluster_lead(user) else {},
    )
    return form_view(
        request,
        form=form,
        title="Record that a cluster has adopted this",
        on_valid=lambda f: services.record_adoption(lesson=lesson, by=user, **f.cleaned_data),
        success_url=reverse("insights:lesson_detail", args=[pk]) + "#adoptions",
        success_message="Adoption recorded.",
        context={"caption": lesson.title},
    )


# -- search ----------------------------------------------------------------------------


def search(request):
    user = request.user
    form = SearchForm(request.GET or None, clusters=clusters_for_user(user).order_by("name"))
    results, page, searched = [], None, False
    if form.is_valid() and form.cleaned_data["q"]:
        searched = True
        data = form.cleaned_data
        results = selectors.search(
            user,
            query=data["q"],
            theme=data["theme"],
            cluster=data["cluster"],
            type=data["type"],
        )
        page = Paginator(results, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insights/search.html",
        {
            "form": form,
            "searched": searched,
            "page": page,
            "count": len(results),
            "query": query.urlencode(),
        },
    )


# -- learning programme ----------------------------------------------------------------


class EventListView(FilteredTableView):
    table_class = EventTable
    filterset_class = EventFilter
    template_name = "insights/event_list.html"
    page_title = "Learning programme"
    export_name = "learning-events"

    def get_queryset(self):
        return selectors.events_with_attendance()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can_manage_events(self.request.user)
        return context


def event_detail(request, pk):
    event = get_object_or_404(selectors.events_with_attendance(), pk=pk)
    return render(
        request,
        "insights/event_detail.html",
        {
            "event": event,
            "attendance": selectors.attendance_by_cluster(event),
            "lessons": list(
                selectors.lessons_for_user(request.user).filter(event=event).order_by("title")
            ),
            "history": history_rows(event),
            "can_manage": permissions.can_manage_events(request.user),
        },
    )


def event_edit(request, pk=None):
    _require(permissions.can_manage_events(request.user))
    event = get_object_or_404(LearningEvent, pk=pk) if pk else LearningEvent()
    form = EventForm(request.POST or None, instance=event)
    return form_view(
        request,
        form=form,
        title=f"Change “{event.topic}”" if pk else "Add a learning event",
        on_valid=lambda f: services.save_event(event=f.instance, by=request.user),
        success_url=lambda saved: reverse("insights:event_detail", args=[saved.pk]),
        cancel_url=(
            reverse("insights:event_detail", args=[pk]) if pk else reverse("insights:event_list")
        ),
        success_message="Event saved.",
    )


@data_access_required
def event_attendance(request, pk):
    _require(permissions.can_manage_events(request.user))
    event = get_object_or_404(LearningEvent, pk=pk)
    form = AttendanceForm(
        request.POST or None,
        initial={
            "local_authorities": list(event.attendances.values_list("local_authority", flat=True))
        },
    )
    return form_view(
        request,
        form=form,
        title=f"Attendance at “{event.topic}”",
        on_valid=lambda f: services.set_attendance(
            event=event, local_authorities=f.cleaned_data["local_authorities"], by=request.user
        ),
        success_url=reverse("insights:event_detail", args=[pk]),
        success_message="Attendance recorded.",
        context={"caption": f"{event.held_on:%-d %B %Y}", "submit_label": "Save attendance"},
    )


class NotAttendedView(FilteredTableView):
    table_class = NotAttendedTable
    filterset_class = NotAttendedFilter
    template_name = "insights/not_attended.html"
    page_title = "Local authorities that have attended no learning event"
    export_name = "las-not-attending"

    def get_queryset(self):
        return selectors.members_without_attendance(self.request.user)

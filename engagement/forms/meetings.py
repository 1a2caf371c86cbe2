"""Forms, tables and filters of the meeting log and its actions."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import Role, User
from accounts.permissions import is_cluster_lead
from core import forms as core_forms
from core.forms import GovukDateInput
from core.tables import NUMERIC, GovukTable
from engagement.models import (
    Action,
    ActionStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)


def possible_owners(meeting: Meeting | None = None):
    """The delivery partner's team and the cluster leads who may own the meeting's actions
    (of its cluster, or any for a programme-wide meeting)."""
    who = Q(role__in=[Role.PROGRAMME_MANAGER, Role.CONSULTANT])
    if meeting is not None and meeting.cluster_id:
        who |= Q(role=Role.CLUSTER_LEAD, cluster_id=meeting.cluster_id)
    else:
        who |= Q(role=Role.CLUSTER_LEAD)
    # an API token's service account is not a person who can own an action
    return User.objects.filter(who, is_active=True, api_token__isnull=True).order_by(
        "first_name", "last_name", "email"
    )


class MeetingForm(core_forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "cluster",
            "held_on",
            "status",
            "attendees",
            "other_attendees",
            "notes",
            "decisions",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "status": forms.RadioSelect,
            "held_on": GovukDateInput,
            "attendees": forms.CheckboxSelectMultiple,
            "other_attendees": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "kind": "Type of meeting",
            "attendees": "Attendees with an account here",
            "other_attendees": "Other attendees",
        }
        help_texts = {
            "title": "Optional: the type and date name the meeting if you leave it empty.",
            "attendees": "A cluster lead sees the meetings they attended.",
        }
        error_messages = {
            "kind": {"required": "Choose the type of meeting."},
            "held_on": {
                "required": "Enter the date of the meeting.",
                "invalid": "Enter a real date.",
            },
            "status": {"required": "Say whether the meeting is planned, held or cancelled."},
        }

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["cluster"].empty_label = "Programme-wide"
        self.fields["attendees"].queryset = User.objects.filter(
            is_active=True, api_token__isnull=True
        ).order_by("role", "first_name", "last_name", "email")
        self.fields["attendees"].label_from_instance = lambda u: f"{u} ({u.get_role_display()})"


class ActionForm(core_forms.Form):
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the action."},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Owner",
        required=False,  # the service says what is missing, on the field
    )
    due_date = forms.DateField(
        label="Due date",
        widget=GovukDateInput,
        required=False,
        error_messages={"invalid": "Enter a real date."},
    )
    raid_item = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Linked risk or issue (optional)",
        empty_label="None",
    )
    milestone = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Linked milestone (optional)",
        empty_label="None",
        help_text="Link a risk or issue or a milestone, not both. The owner must be able to "
        "see it: a cluster lead sees only their own cluster's.",
    )

    def __init__(self, *args, meeting, raid_items, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners(meeting)
        self.fields["owner"].label_from_instance = lambda u: f"{u} ({u.get_role_display()})"
        self.fields["raid_item"].queryset = raid_items
        self.fields["raid_item"].label_from_instance = lambda i: f"{i.reference}: {i.title}"
        self.fields["milestone"].queryset = milestones


class ActionStatusForm(core_forms.Form):
    status = forms.ChoiceField(
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        label="Status",
        error_messages={"required": "Choose the action's status."},
    )


# -- tables ---------------------------------------------------------------------------


class MeetingTable(GovukTable):
    held_on = tables.DateColumn("j M Y", verbose_name="Date")
    meeting = tables.Column(
        verbose_name="Meeting", accessor="pk", order_by=("title", "kind"), linkify=False
    )
    # accessor pk: an empty cluster reads "Programme-wide" in the CSV too
    cluster = tables.Column(accessor="pk", order_by=("cluster__name",))
    open_action_count = tables.Column(verbose_name="Open actions", attrs=NUMERIC)

    class Meta(GovukTable.Meta):
        model = Meeting
        fields = ["held_on", "meeting", "kind", "cluster", "status", "open_action_count"]
        order_by = ("-held_on",)
        empty_text = "No meetings match."

    def render_meeting(self, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("engagement:meeting_detail", args=[record.pk]),
            record.title or record.get_kind_display(),
        )

    def value_meeting(self, record):
        return record.title or record.get_kind_display()

    def value_held_on(self, value):
        return value.isoformat()

    def render_cluster(self, record):
        return record.cluster.name if record.cluster_id else "Programme-wide"

    def value_cluster(self, record):
        return self.render_cluster(record)


class ActionTable(GovukTable):
    description = tables.Column(verbose_name="Action")
    owner = tables.Column(order_by=("owner__first_name", "owner__last_name"))
    due_date = tables.DateColumn("j M Y", verbose_name="Due")
    meeting = tables.Column(order_by=("meeting__held_on",))
    linked = tables.Column(verbose_name="Linked to", accessor="pk", orderable=False)
    done_on = tables.DateColumn("j M Y", verbose_name="Done")

    class Meta(GovukTable.Meta):
        model = Action
        fields = ["description", "owner", "due_date", "status", "meeting", "linked", "done_on"]
        empty_text = "No actions match."

    def render_description(self, record):
        from engagement.permissions import can_update_action

        request = getattr(self, "request", None)
        if request is None or not can_update_action(request.user, record):
            return record.description
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("engagement:action_status", args=[record.pk]),
            record.description,
        )

    def value_description(self, record):
        return record.description

    def render_due_date(self, record, value):
        if record.overdue:
            return format_html(
                '{} <strong class="govuk-tag govuk-tag--red">Overdue</strong>',
                f"{value:%-d %b %Y}",
            )
        return f"{value:%-d %b %Y}"

    def value_due_date(self, value):
        return value.isoformat()

    def render_status(self, record):
        colour = {"open": "blue", "in_progress": "yellow", "done": "green"}[record.status]
        return format_html(
            '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
            colour,
            record.get_status_display(),
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_meeting(self, record):
        if record.meeting_visible:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                reverse("engagement:meeting_detail", args=[record.meeting_id]),
                record.meeting,
            )
        return str(record.meeting)

    def value_meeting(self, record):
        return str(record.meeting)

    def render_linked(self, record):
        if record.raid_item_id:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                reverse("insights:raid_detail", args=[record.raid_item_id]),
                record.raid_item.reference,
            )
        if record.milestone_id:
            return format_html(
                '<a class="govuk-link" href="{}">{}</a>',
                reverse("programme:milestone_detail", args=[record.milestone_id]),
                record.milestone,
            )
        return "–"

    def value_linked(self, record):
        if record.raid_item_id:
            return f"{record.raid_item.reference}: {record.raid_item.title}"
        return str(record.milestone) if record.milestone_id else ""

    def value_done_on(self, value):
        return value.isoformat() if value else ""


# -- filters --------------------------------------------------------------------------

PROGRAMME_WIDE = "programme"


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=MeetingKind.choices, label="Type", empty_label="Any type"
    )
    cluster = django_filters.ChoiceFilter(
        label="Cluster", empty_label="All clusters", method="filter_cluster"
    )
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, empty_label="Any status")
    held_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label="From", widget=GovukDateInput
    )
    held_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label="To", widget=GovukDateInput
    )

    class Meta:
        model = Meeting
        fields = ["kind", "cluster", "status", "held_from", "held_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        from clusters.selectors import clusters_for_user

        choices = [(str(c.pk), c.name) for c in clusters_for_user(request.user).order_by("name")]
        choices.insert(0, (PROGRAMME_WIDE, "Programme-wide"))
        self.filters["cluster"].extra["choices"] = choices

    def filter_cluster(self, queryset, name, value):
        if value == PROGRAMME_WIDE:
            return queryset.filter(cluster__isnull=True)
        return queryset.filter(cluster_id=value)


LINKED = [("raid", "A risk or issue"), ("milestone", "A milestone"), ("none", "Nothing")]


class ActionFilter(django_filters.FilterSet):
    owner = django_filters.ModelChoiceFilter(queryset=None, empty_label="Anyone")
    status = django_filters.ChoiceFilter(
        choices=[("not_done", "Open or in progress"), *ActionStatus.choices],
        empty_label="Any status",
        method="filter_status",
    )
    linked = django_filters.ChoiceFilter(
        choices=LINKED, label="Linked to", empty_label="Anything", method="filter_linked"
    )
    overdue = django_filters.BooleanFilter(
        label="Only overdue actions", widget=forms.CheckboxInput, method="filter_overdue"
    )

    class Meta:
        model = Action
        fields = ["owner", "status", "linked", "overdue"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = request.user
        if is_cluster_lead(user):
            # a lead sees only their own actions: the only owner to choose is themself
            self.filters["owner"].queryset = User.objects.filter(pk=user.pk)
        else:
            self.filters["owner"].queryset = possible_owners()

    def filter_status(self, queryset, name, value):
        if value == "not_done":
            return queryset.exclude(status=ActionStatus.DONE)
        return queryset.filter(status=value)

    def filter_linked(self, queryset, name, value):
        return {
            "raid": queryset.filter(raid_item__isnull=False),
            "milestone": queryset.filter(milestone__isnull=False),
            "none": queryset.filter(raid_item__isnull=True, milestone__isnull=True),
        }[value]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue=True) if value else queryset

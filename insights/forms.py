from django import forms
from django.db.models import Q

from accounts.models import DELIVERY_PARTNER_ROLES, Role, User
from clusters.models import Cluster, LocalAuthority
from clusters.models import Stage as ClusterStage
from core import forms as core_forms
from core.forms import GovukDateInput

from .models import (
    IMPACT,
    IMPACT_MESSAGE,
    LIKELIHOOD,
    LIKELIHOOD_MESSAGE,
    Kind,
    LearningEvent,
    Lesson,
    RaidItem,
    Status,
    Theme,
)


def possible_owners(cluster=None):
    """The delivery partner's team and, for a cluster's item, that cluster's leads."""
    who = Q(role__in=DELIVERY_PARTNER_ROLES)
    if cluster is not None:
        who |= Q(role=Role.CLUSTER_LEAD, cluster=cluster)
    else:
        who |= Q(role=Role.CLUSTER_LEAD)
    # people only: an API token's service account owns nothing
    return User.objects.filter(who, is_active=True, api_token__isnull=True).order_by(
        "first_name", "last_name", "email"
    )


class RaidItemForm(core_forms.ModelForm):
    likelihood = forms.TypedChoiceField(
        choices=LIKELIHOOD,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": LIKELIHOOD_MESSAGE, "invalid_choice": LIKELIHOOD_MESSAGE},
    )
    impact = forms.TypedChoiceField(
        choices=IMPACT,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": IMPACT_MESSAGE, "invalid_choice": IMPACT_MESSAGE},
    )
    status = forms.ChoiceField(
        choices=[(Status.OPEN, Status.OPEN.label), (Status.MITIGATING, Status.MITIGATING.label)],
        widget=forms.RadioSelect,
        help_text="To close an item, use “Close” on its page: it checks the actions are done.",
    )

    class Meta:
        model = RaidItem
        fields = [
            "kind",
            "cluster",
            "title",
            "cause",
            "event",
            "effect",
            "description",
            "strand",
            "owner",
            "likelihood",
            "impact",
            "proximity",
            "response",
            "status",
            "review_date",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "cause": forms.Textarea(attrs={"rows": 2}),
            "event": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "review_date": GovukDateInput,
        }
        labels = {"cluster": "Cluster", "kind": "Type"}
        error_messages = {
            "title": {"required": "Give the item a short title."},
            "owner": {"required": "Choose who owns this item."},
            "review_date": {"required": "Enter the date the owner will next review it."},
        }

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["cluster"].empty_label = "Programme-wide"
        self.fields["owner"].queryset = possible_owners()
        if self.instance.pk:
            # the type changes only when a risk becomes an issue (its own action)
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "A risk that happens becomes an issue on its page."
        else:
            self.fields["kind"].initial = Kind.RISK
            self.fields["status"].initial = Status.OPEN


class ActionForm(core_forms.Form):
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the action."},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Owner",
        error_messages={"required": "Choose who owns this action."},
    )
    due_date = forms.DateField(
        label="Due date",
        widget=GovukDateInput,
        error_messages={"required": "Enter the date the action is due."},
    )

    def __init__(self, *args, cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners(cluster)


def _text(label: str, required_message: str, rows: int = 4, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message},
        **kwargs,
    )


def _on(label: str) -> forms.DateField:
    """The date something happened, today unless given."""
    return forms.DateField(
        label=label, widget=GovukDateInput, required=False, help_text="Leave empty for today."
    )


class EscalateForm(core_forms.Form):
    escalation_reason = _text(
        "Why is it escalated to DfE?",
        "Say why this item is escalated to DfE.",
        help_text="What DfE is asked to decide or do, and by when.",
    )
    escalated_on = _on("Escalated on")


class DecisionForm(core_forms.Form):
    dfe_decision = _text("DfE's decision", "Write down DfE's decision.")
    dfe_decision_on = _on("Decided on")


class BecomeIssueForm(core_forms.Form):
    description = _text("What has happened?", "Say what has happened.")
    became_issue_on = _on("When did it happen?")


class CloseForm(core_forms.Form):
    closure_note = _text("Why can it be closed?", "Say why the item can be closed.", rows=3)
    closed_on = _on("Closed on")


class ReopenForm(core_forms.Form):
    reason = _text("Why is it reopened?", "Say why the item is reopened.", rows=3)


class LessonForm(core_forms.ModelForm):
    themes = forms.MultipleChoiceField(
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every theme it speaks to.",
        error_messages={"required": "Choose at least one theme."},
    )
    source_clusters = forms.ModelMultipleChoiceField(
        queryset=Cluster.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Source clusters",
        help_text="Where the learning comes from. Leave empty for programme-wide learning.",
    )

    class Meta:
        model = Lesson
        fields = [
            "kind",
            "title",
            "what_happened",
            "what_learned",
            "recommendation",
            "themes",
            "source_clusters",
            "stage",
            "evidence_links",
            "raid_item",
            "event",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "what_learned": forms.Textarea(attrs={"rows": 4}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"kind": "Type", "stage": "Programme stage it applies to"}
        error_messages = {
            "kind": {"required": "Choose the type of entry."},
            "title": {"required": "Give the entry a short title."},
            "what_happened": {"required": "Say what happened."},
            "what_learned": {"required": "Say what was learned."},
            "recommendation": {"required": "Give the recommendation."},
        }

    def __init__(self, *args, raid_items, fixed_cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raid_item"].queryset = raid_items.order_by("pk")
        self.fields["raid_item"].required = False
        self.fields["event"].queryset = LearningEvent.objects.order_by("-held_on")
        self.fields["event"].label = "Learning event where it was shared"
        self.fields["stage"].choices = [("", "Every stage"), *ClusterStage.choices]
        if fixed_cluster is not None:
            # a cluster lead writes up their own cluster's learning
            del self.fields["source_clusters"]
        else:
            self.fields["source_clusters"].queryset = Cluster.objects.order_by("name")
        if self.instance.pk:
            self.initial["themes"] = [t.theme for t in self.instance.themes.all()]
            if "source_clusters" in self.fields:
                self.initial["source_clusters"] = list(self.instance.source_clusters.all())


class AdoptionForm(core_forms.Form):
    cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(),
        error_messages={"required": "Choose the cluster that adopted it."},
    )
    adopted_on = forms.DateField(
        label="Adopted on",
        widget=GovukDateInput,
        error_messages={"required": "Enter the date it was adopted."},
    )
    note = forms.CharField(
        label="How it was adopted", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters


class EventForm(core_forms.ModelForm):
    class Meta:
        model = LearningEvent
        fields = ["kind", "topic", "held_on", "facilitator", "summary"]
        widgets = {
            "kind": forms.RadioSelect,
            "held_on": GovukDateInput,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"kind": "Type"}
        error_messages = {
            "topic": {"required": "Enter the topic."},
            "held_on": {"required": "Enter the date of the event."},
            "facilitator": {"required": "Enter who facilitated it."},
        }


class AttendanceForm(core_forms.Form):
    local_authorities = forms.ModelMultipleChoiceField(
        queryset=LocalAuthority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Local authorities that attended",
        help_text="Member LAs of the programme's clusters.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authorities"].queryset = LocalAuthority.objects.filter(
            memberships__left_on__isnull=True
        ).order_by("name")


class SearchForm(core_forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=200)
    theme = forms.ChoiceField(
        choices=[("", "Any theme"), *Theme.choices],
        required=False,
        help_text="Themes are on shared-learning entries only.",
    )
    cluster = forms.ModelChoiceField(
        queryset=Cluster.objects.none(), required=False, empty_label="Any cluster"
    )
    type = forms.ChoiceField(choices=[("", "Anything")], required=False, label="Type")

    def __init__(self, *args, clusters, **kwargs):
        from .selectors import SEARCH_TYPES

        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = clusters
        self.fields["type"].choices = [("", "Anything"), *SEARCH_TYPES]

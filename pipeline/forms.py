import datetime
import json

from django import forms
from django.utils import timezone

from core import forms as core_forms

from .models import ExitReason, ImportProfile, SourceChannel, Stage, StageCode
from .scope import (
    PROGRAMME_START,
    add_months,
    editable_authorities,
    month_start,
    periods_until,
    scopes_for_user,
)
from .services.records import MAPPABLE_FIELDS
from .services.returns import ReturnCounts, channel_field, exit_field, stage_field


def month_choices(today=None):
    today = today or timezone.localdate()
    months, day = [], month_start(today)
    while day >= month_start(PROGRAMME_START):
        months.append((f"{day:%Y-%m}", f"{day:%B %Y}"))
        day = add_months(day, -1)
    return months


def _count_field(label):
    return forms.IntegerField(
        label=label,
        required=False,
        widget=forms.NumberInput(
            attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
        ),
    )


class ReturnForm(core_forms.Form):
    """An LA's monthly return; the rules are pipeline.services.validate_return's."""

    local_authority = forms.ModelChoiceField(queryset=None, label="Local authority")
    month = forms.ChoiceField(choices=())

    def __init__(self, *args, user, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].queryset = editable_authorities(user).order_by("name")
        self.fields["month"].choices = month_choices()
        if instance is not None:
            # The LA and month of an existing return are fixed.
            self.fields["local_authority"].disabled = True
            self.fields["month"].disabled = True
        self.stages = list(Stage.objects.filter(is_active=True))
        self.reasons = list(ExitReason.objects.filter(is_active=True))
        self.channels = list(SourceChannel.objects.filter(is_active=True))
        self.groups = {"stages": [], "exits": [], "channels": []}
        for stage in self.stages:
            name = stage_field(stage)
            self.fields[name] = _count_field(stage.name)
            self.groups["stages"].append(name)
        for stage in self.stages:
            if stage.code == StageCode.APPROVAL:
                continue
            names = []
            for reason in self.reasons:
                name = exit_field(stage, reason)
                self.fields[name] = _count_field(f"{reason.name}")
                names.append(name)
            self.groups["exits"].append((stage, names))
        for channel in self.channels:
            name = channel_field(channel)
            self.fields[name] = _count_field(channel.name)
            self.groups["channels"].append(name)

    def stage_fields(self):
        return [self[n] for n in self.groups["stages"]]

    def exit_fieldsets(self):
        return [(stage, [self[n] for n in names]) for stage, names in self.groups["exits"]]

    def channel_fields(self):
        return [self[n] for n in self.groups["channels"]]

    def month_date(self) -> datetime.date:
        return datetime.datetime.strptime(self.cleaned_data["month"], "%Y-%m").date()

    def counts(self) -> ReturnCounts:
        data = self.cleaned_data
        counts = ReturnCounts()
        for stage in self.stages:
            counts.stages[stage.code] = data.get(stage_field(stage)) or 0
        for stage, _ in self.groups["exits"]:
            for reason in self.reasons:
                n = data.get(exit_field(stage, reason))
                if n:
                    counts.exits[(stage.code, reason.code)] = n
        for channel in self.channels:
            counts.channels[channel.code] = data.get(channel_field(channel)) or 0
        return counts


class UploadForm(core_forms.Form):
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)")


class ImportUploadForm(core_forms.Form):
    profile = forms.ModelChoiceField(
        queryset=ImportProfile.objects.all(),
        label="Import profile",
        help_text="Which system's export this is",
    )
    local_authority = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Local authority (optional)",
        help_text="Only for exports that have no LA column",
    )
    file = forms.FileField(label="Export file")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].queryset = editable_authorities(user).order_by("name")


def _json_field(label, help_text):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
    )


class ProfileForm(core_forms.ModelForm):
    """An import profile; the maps are typed as "source = tracker" lines."""

    columns = _json_field(
        "Column map",
        "One per line: tracker field = the export's column heading. Fields: "
        + ", ".join(MAPPABLE_FIELDS),
    )
    stages = _json_field("Stage codes", "One per line: export code = tracker stage code")
    reasons = _json_field("Exit reason codes", "One per line: export code = tracker reason code")
    channels = _json_field(
        "Source channel codes", "One per line: export code = tracker channel code"
    )
    outcomes = _json_field("Outcome codes", "One per line: export code = open, approved or exited")

    MAPS = {
        "columns": "column_map",
        "stages": "stage_codes",
        "reasons": "reason_codes",
        "channels": "channel_codes",
        "outcomes": "outcome_codes",
    }

    class Meta:
        model = ImportProfile
        fields = ["name", "description", "file_type", "encoding", "delimiter", "date_format"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, attr in self.MAPS.items():
            self.initial[field] = "\n".join(
                f"{k} = {v}" for k, v in getattr(self.instance, attr).items()
            )

    def _parse(self, field):
        mapping = {}
        for number, line in enumerate(self.cleaned_data.get(field, "").splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise forms.ValidationError(f"Line {number} is not in the form 'a = b'.")
            mapping[key.strip()] = value.strip()
        return mapping

    def clean(self):
        data = super().clean()
        for field, attr in self.MAPS.items():
            try:
                setattr(self.instance, attr, self._parse(field))
            except forms.ValidationError as error:
                self.add_error(field, error)
        return data


class FunnelForm(core_forms.Form):
    scope = forms.ChoiceField(label="Area")
    period = forms.ChoiceField(label="Period")

    def __init__(self, *args, user, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.fields["scope"].choices = [
            (group, [(s.key, s.label) for s in scopes]) for group, scopes in scopes_for_user(user)
        ]
        self.fields["period"].choices = [
            (group, [(p.key, p.label) for p in periods]) for group, periods in periods_until(today)
        ]


def dumps(value) -> str:
    return json.dumps(value)

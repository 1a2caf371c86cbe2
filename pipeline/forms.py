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


class ProfileChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.local_authority_id:
            return f"{obj.name} ({obj.local_authority}'s system)"
        return obj.name


class ImportUploadForm(core_forms.Form):
    profile = ProfileChoiceField(
        queryset=ImportProfile.objects.select_related("local_authority"),
        label="Import profile",
        help_text="Which system's export this is",
    )
    local_authority = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Local authority (only for some profiles)",
        help_text="Leave empty for a council's own system (its LA is known) or an export "
        "with an LA column; choose the LA only if the export has no LA column.",
    )
    file = forms.FileField(label="Export file")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_authority"].queryset = editable_authorities(user).order_by("name")


class PublishedForm(core_forms.Form):
    source = forms.CharField(
        label="Publication",
        max_length=300,
        help_text="Where the figures come from, e.g. Ofsted, Fostering in England 2024, LA data",
    )
    file = forms.FileField(
        label="Figures (CSV)",
        help_text="Columns la_code, year_ending, initial_enquiries, applications, approvals",
    )


class SampleForm(core_forms.Form):
    file = forms.FileField(
        label="Sample export",
        help_text="A CSV or XLSX export from the case-management system, as it will be "
        "uploaded: a few hundred rows are enough. The file itself is not kept, and no name, "
        "date of birth or postcode is stored.",
    )


NOT_IN_EXPORT = "Not in this export"


class ProfileForm(core_forms.ModelForm):
    """An import profile: how the export is written, which heading holds each tracker field
    (chosen from the sample's headings), and the date format (chosen from those that read
    every date of the sample). The codes are mapped on their own page."""

    class Meta:
        model = ImportProfile
        fields = [
            "name",
            "description",
            "local_authority",
            "file_type",
            "encoding",
            "delimiter",
            "header_row",
            "date_format",
        ]
        labels = {
            "local_authority": "Whose system is this?",
            "header_row": "Line of the column headings",
        }
        help_texts = {
            "local_authority": "Choose the council if the export is one council's and has no "
            "LA column; then its files need no LA at upload. Leave empty if the export has an "
            "LA column (a cluster-wide system).",
        }

    def __init__(self, *args, sample=None, **kwargs):
        from clusters.models import LocalAuthority

        from .services.records import FIELD_LABELS, REQUIRED_FIELDS
        from .services.samples import (
            DATE_FORMATS,
            DELIMITERS,
            format_choice_label,
            suggest_columns,
        )

        super().__init__(*args, **kwargs)
        self.sample = sample
        profile = self.instance
        la_field = self.fields["local_authority"]
        la_field.queryset = LocalAuthority.objects.order_by("name")
        la_field.empty_label = "None: the export has an LA column"
        self.fields["delimiter"] = forms.ChoiceField(
            label="Separator between columns (CSV)",
            choices=[("", "Not a CSV file"), *DELIMITERS.items()],
            required=False,
        )
        if sample is not None:
            headings = [c["heading"] for c in sample.columns if not c.get("duplicate")]
            formats = self._sample_formats()
            for name in ("file_type", "encoding", "delimiter", "header_row"):
                self.initial[name] = getattr(sample, name)
        else:
            headings = list(profile.headings or [])
            formats = list(DATE_FORMATS)
        for heading in profile.column_map.values():
            if heading and heading not in headings:
                headings.append(heading)
        if profile.pk and sample is None and profile.date_format not in formats:
            formats.append(profile.date_format)  # a format of an older profile stays
        self.fields["date_format"] = forms.ChoiceField(
            label="How dates are written",
            choices=[(f, format_choice_label(f)) for f in formats],
            help_text="Only the formats that read every date in the sample are offered."
            if sample is not None
            else "The profile's dates are read in this format.",
            widget=forms.RadioSelect,
        )
        if formats and self.initial.get("date_format") not in formats:
            self.initial["date_format"] = formats[0]
        suggested = suggest_columns(headings) if not profile.column_map else {}
        self.column_fields = []
        for field in MAPPABLE_FIELDS:
            name = f"column_{field}"
            required = field in REQUIRED_FIELDS
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS[field][0].upper() + FIELD_LABELS[field][1:],
                choices=[("", NOT_IN_EXPORT), *((h, h) for h in headings)],
                required=required,
                error_messages={
                    "required": f"Choose the column that holds the {FIELD_LABELS[field]}"
                },
                help_text=self._column_hint(field),
            )
            self.initial[name] = profile.column_map.get(field) or suggested.get(field, "")
            self.column_fields.append(name)

    def _column_hint(self, field):
        from .services.records import DATE_FIELDS, IDENTITY_FIELDS

        if field == "la":
            return "Not needed when the profile is one council's"
        if field == "exit_date":
            return "The date the case was closed; without it, an exit is dated by the last stage reached"
        if field in IDENTITY_FIELDS:
            return "Turned into a keyed code on the way in, to count people once; never stored"
        if field in DATE_FIELDS:
            return None
        return None

    def _sample_formats(self) -> list[str]:
        """Formats reading every date column of the sample (all of them if none fits all)."""
        from .services.samples import DATE_FORMATS

        date_columns = [c for c in self.sample.columns if c["kind"] == "date"]
        fitting = [f for f in DATE_FORMATS if all(f in c["formats"] for c in date_columns)]
        if fitting:
            return fitting
        return [f for f in DATE_FORMATS if any(f in c["formats"] for c in date_columns)] or list(
            DATE_FORMATS
        )

    def column_groups(self):
        from .services.records import CODE_FIELDS, DATE_FIELDS, IDENTITY_FIELDS

        def bound(fields):
            return [self[f"column_{f}"] for f in fields]

        return [
            ("The case and its LA", bound(["la_reference", "la"])),
            ("Dates of each stage", bound([*DATE_FIELDS, "exit_date"])),
            ("Codes", bound(CODE_FIELDS)),
            ("Identity (hashed, never stored)", bound(IDENTITY_FIELDS)),
        ]

    def other_fields(self):
        return [f for f in self if not f.name.startswith("column_")]

    def clean(self):
        from .services.records import FIELD_LABELS

        data = super().clean()
        column_map = {}
        used: dict[str, str] = {}
        for field in MAPPABLE_FIELDS:
            heading = data.get(f"column_{field}") or ""
            if not heading:
                continue
            if heading in used:
                self.add_error(
                    f"column_{field}",
                    f"'{heading}' is already chosen for the {FIELD_LABELS[used[heading]]}: "
                    "each column holds one field",
                )
                continue
            used[heading] = field
            column_map[field] = heading
        la = data.get("local_authority")
        if la and column_map.get("la"):
            self.add_error(
                "column_la",
                f"The profile is {la}'s: leave the LA column empty, or leave the council empty "
                "to read the LA from this column",
            )
        elif not la and not column_map.get("la"):
            self.add_error(
                "local_authority",
                "Choose the council whose system this is, or choose the column that holds the LA",
            )
        if data.get("file_type") == "csv" and not data.get("delimiter"):
            self.add_error("delimiter", "Choose the separator between a CSV file's columns")
        if self.sample is not None and data.get("date_format"):
            for field, heading in column_map.items():
                if not (field.endswith("_date") or field == "date_of_birth"):
                    continue
                column = self.sample.column(heading)
                if column and column["kind"] in ("code", "text"):
                    self.add_error(
                        f"column_{field}",
                        f"'{heading}' does not hold dates in the sample: choose the column of "
                        f"the {FIELD_LABELS[field]}",
                    )
                elif column and column["formats"] and data["date_format"] not in column["formats"]:
                    self.add_error(
                        "date_format",
                        f"Some dates in '{heading}' are not written this way: choose a format "
                        "that reads them",
                    )
        self.instance.column_map = column_map
        return data


class CodesForm(core_forms.Form):
    """One page of export codes, each with a drop-down of the tracker's entries."""

    def __init__(self, *args, items, **kwargs):
        from .services.samples import code_targets

        super().__init__(*args, **kwargs)
        self.items = items
        targets = {}
        for number, item in enumerate(items):
            field = item["field"]
            if field not in targets:
                targets[field] = code_targets(field)
            name = f"code_{number}"
            self.fields[name] = forms.ChoiceField(
                label=item["value"],
                choices=[("", "Not mapped: rows with it are refused"), *targets[field]],
                required=False,
            )
            self.initial[name] = item["mapped"] or item["suggested"]
            item["bound"] = self[name]

    def choices(self) -> dict[tuple[str, str], str]:
        return {
            (item["field"], item["value"]): self.cleaned_data.get(f"code_{n}") or ""
            for n, item in enumerate(self.items)
        }


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

from django import forms

from clusters.models import LocalAuthority
from core import forms as core_forms

from .models import TokenKind


class IssueTokenForm(core_forms.Form):
    name = forms.CharField(
        max_length=150, help_text="What will use it, e.g. Gateshead nightly export"
    )
    kind = forms.ChoiceField(label="Scope", choices=TokenKind.choices, widget=forms.RadioSelect)
    local_authority = forms.ModelChoiceField(
        label="Local authority",
        queryset=LocalAuthority.objects.order_by("name"),
        required=False,
        help_text="For an LA token only",
        empty_label="Not for an LA (DfE token)",
    )
    days = forms.IntegerField(label="Valid for (days)", min_value=1, max_value=366, initial=90)


class RevokeForm(core_forms.Form):
    confirm = forms.BooleanField(label="Yes, revoke this token: systems using it will stop working")

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from core import forms as core_forms
from core.forms import GovukDateInput

from .models import User
from .services import FIELDS as PERSON_FIELDS


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in by e-mail. The error never says whether the e-mail exists."""

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. Both may be case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def get_users(self, email):
        # addresses are kept in lower case; an inactive account (a leaver) gets nothing
        return super().get_users(email.strip().lower())


class CodeForm(core_forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the code."},
    )


class PersonForm(core_forms.ModelForm):
    class Meta:
        model = User
        fields = PERSON_FIELDS
        widgets = {
            "bpss_date": GovukDateInput,
            "data_protection_training_date": GovukDateInput,
        }
        help_texts = {
            "cluster": "For a cluster lead only: the one cluster they work for.",
            "grade": "For the delivery partner's staff: sets their day rate.",
            "bpss_date": "When their BPSS check was completed.",
            "data_protection_training_date": "Renewed every 12 months; pipeline data and "
            "reports close to them when it lapses.",
        }

    def clean(self):
        # the role's rules (a lead's one cluster, a grade for staff) on the fields they name,
        # before the database's own check would say the same in general terms
        from django.core.exceptions import ValidationError

        from .services import _check

        data = super().clean()
        try:
            _check(
                User(role=data.get("role"), cluster=data.get("cluster"), grade=data.get("grade"))
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)
        return data

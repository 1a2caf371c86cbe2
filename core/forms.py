"""GOV.UK Design System markup for every Django form, via the form renderer; and the
plausible-values rule every form of the service keeps (``Form`` and ``ModelForm`` below)."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import TemplatesSetting


def plausible_date(value) -> None:
    """A date within the programme's span, with a margin (``PLAUSIBLE_DATES_FROM`` to
    ``PLAUSIBLE_DATES_TO``): 0001-01-01 and 9999-12-31 are typing slips, and the dates
    after them would sort, sum and print wrongly."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    first, last = settings.PLAUSIBLE_DATES_FROM, settings.PLAUSIBLE_DATES_TO
    if value is not None and not first <= value <= last:
        raise ValidationError(
            f"Enter a date between {first:%-d %B %Y} and {last:%-d %B %Y}.",
            code="implausible",
        )


def keep_plausible(form) -> None:
    """Give every date field of the form the span check, and every multi-line text field
    a length limit (``TEXT_MAX_CHARACTERS``), unless it has a stricter one already."""
    limit = settings.TEXT_MAX_CHARACTERS
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            if plausible_date not in field.validators:
                field.validators.append(plausible_date)
        elif isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
            if field.max_length is None or field.max_length > limit:
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit))


class Form(forms.Form):
    """The service's forms: plausible values only (``keep_plausible``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_plausible(self)


class ModelForm(forms.ModelForm):
    """The service's model forms: plausible values only (``keep_plausible``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_plausible(self)


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


class GovukDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    """A month picker (year and month) for a date field holding the month's first day."""

    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value

"""Template helpers that give Django widgets their GOV.UK classes."""

from django import forms, template

register = template.Library()

_CLASS_BY_WIDGET = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.widgets.Input, "govuk-input"),
]


@register.filter
def widget_kind(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


@register.simple_tag
def govuk_widget(bound_field, describedby=""):
    """Render the field's widget with the GOV.UK class (and error class) for its type."""
    widget = bound_field.field.widget
    css = next((c for kind, c in _CLASS_BY_WIDGET if isinstance(widget, kind)), "govuk-input")
    attrs = {}
    if css not in ("govuk-checkboxes__input", "govuk-radios__input"):
        if bound_field.errors:
            suffix = "textarea" if css == "govuk-textarea" else css.removeprefix("govuk-")
            css += f" govuk-{suffix}--error"
        existing = widget.attrs.get("class", "")
        attrs["class"] = f"{css} {existing}".strip()
    if describedby:
        attrs["aria-describedby"] = describedby
    return bound_field.as_widget(attrs=attrs)

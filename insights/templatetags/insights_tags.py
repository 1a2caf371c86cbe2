from django import template
from django.utils.html import format_html

from insights.models import Status, score_band

register = template.Library()

# the word carries the meaning; the colour only helps
_BAND_COLOUR = {"High": "red", "Medium": "orange", "Low": "green"}
_STATUS_COLOUR = {Status.OPEN: "blue", Status.MITIGATING: "yellow", Status.CLOSED: "grey"}


@register.simple_tag
def band_tag(score):
    band = score_band(score)
    if not band:
        return ""
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', _BAND_COLOUR[band], band
    )


@register.simple_tag
def raid_status_tag(status):
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        _STATUS_COLOUR[Status(status)],
        Status(status).label,
    )

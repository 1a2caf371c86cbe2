from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from clusters.models import HarmonisationStatus, Rating

register = template.Library()

_RATING_COLOUR = {
    Rating.GREEN: "green",
    Rating.AMBER_GREEN: "yellow",
    Rating.AMBER: "orange",
    Rating.AMBER_RED: "pink",
    Rating.RED: "red",
}
_STATUS_COLOUR = {
    HarmonisationStatus.NOT_STARTED: "grey",
    HarmonisationStatus.IN_PROGRESS: "blue",
    HarmonisationStatus.AGREED: "turquoise",
    HarmonisationStatus.IN_PLACE: "green",
}


@register.simple_tag
def rating_tag(rating):
    """A delivery-confidence rating as a GOV.UK tag: the words carry it, colour only helps."""
    if not rating:
        return mark_safe('<span class="govuk-body-s">No rating yet</span>')  # noqa: S308 - constant
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        _RATING_COLOUR[Rating(rating)],
        Rating(rating).label,
    )


@register.simple_tag
def status_tag(status):
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>',
        _STATUS_COLOUR[HarmonisationStatus(status)],
        HarmonisationStatus(status).label,
    )

from django import template

register = template.Library()


@register.filter
def pct(value):
    """0.0612 -> "6.1%"; None -> an en dash."""
    return "–" if value is None else f"{100 * value:.1f}%"

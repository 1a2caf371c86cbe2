"""How time and money look on every timesheet page, PDF and panel."""

from decimal import Decimal, InvalidOperation

from django import template

from ..tables import flag_tag, status_tag

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value) -> str:
    """£1,234.56 (negative as -£12.00); empty for nothing."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def whole_money(value) -> str:
    amount = _decimal(value)
    return "–" if amount is None else f"£{amount:,.0f}"


@register.filter
def days(value) -> str:
    """Days to at most three places, without trailing zeros."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    text = f"{amount:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@register.filter
def days_phrase(value) -> str:
    """ "1 day", "0.5 days"."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    text = days(amount)
    return f"{text} day" if amount == 1 else f"{text} days"


@register.filter
def hours(value) -> str:
    amount = _decimal(value)
    return "–" if amount is None else f"{amount:,.2f}"


@register.filter
def times(value, factor) -> Decimal | None:
    a, b = _decimal(value), _decimal(factor)
    return None if a is None or b is None else a * b


@register.filter
def percent(value) -> str:
    amount = _decimal(value)
    return "–" if amount is None else f"{amount:,.1f}%"


register.filter("status_tag", status_tag)
register.filter("flag_tag", flag_tag)

"""The months and quarters a report covers."""

import datetime

from core.periods import add_months


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_label(start: datetime.date) -> str:
    end = add_months(start, 2)
    return f"{start:%B} to {end:%B %Y}"


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The first day after the period (half-open)."""
    return add_months(start, 3 if kind == "quarterly" else 1)


def financial_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def last_month(today: datetime.date) -> datetime.date:
    return add_months(today.replace(day=1), -1)

"""Engagement demo data: bids for the wave-2 clusters, draw-down requests in every state, a
year of meetings with actions, and the reminders they would have produced. Idempotent."""

from . import bids, meetings, reminders, support


def seed() -> None:
    bids.seed()
    support.seed()
    meetings.seed()
    reminders.seed()


def seed_activity() -> None:
    # the second pass: meetings link the RAID items insights seeds in its own second pass
    meetings.seed_activity()

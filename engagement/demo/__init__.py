"""Engagement demo data: bids for the wave-2 clusters, draw-down requests in every state, a
year of meetings with actions, and the reminders they would have produced. Idempotent."""

from . import bids, meetings, reminders, support


def seed() -> None:
    bids.seed()
    support.seed()
    meetings.seed()
    reminders.seed()


def seed_activity() -> None:
    # after every area's activity (time, RAID, milestones): the reminders that chase it
    reminders.seed_activity()

"""Engagement demo data: bids for the wave-2 clusters, draw-down requests in every state, a
year of meetings with actions, and the reminders they would have produced; each demo user
last looked at their home page when seeding finished. Idempotent."""

from . import bids, home, meetings, reminders, support


def seed() -> None:
    bids.seed()


def seed_activity() -> None:
    # after the other areas' activity (AREAS order): R3 time to draw down, the RAID items
    # (insights' second pass) and milestones for actions to point at, then the reminders
    # that chase what is late
    support.seed()
    meetings.seed_activity()
    reminders.seed_activity()


def seed_finish() -> None:
    # after every area's activity: what the seeding wrote is not "changed since you looked"
    home.seed_finish()

"""Demo data: a year of meetings with their actions, dated relative to today so the demo
looks current.

Weekly DfE check-ins, monthly programme boards, a monthly steering group per cluster and a
few DCS meetings; actions owned by the demo people, some overdue, most done, some linked to
the clusters' risks and issues (insights demo) or to milestones (programme demo). It runs
in the second pass (``seed_activity``), once the RAID log exists. Idempotent: a meeting is
known by its type, cluster and date.
"""

import datetime
import random

from django.utils import timezone

from engagement.models import (
    ActionStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)

WEEKS = 52
MONTHS = 12

DFE_TOPICS = [
    (
        "Monthly report for {month}: DfE asked for the hours of support per cluster to be "
        "shown beside the days.",
        "The delivery partner sends the draft report by the 8th working day.",
        "Send DfE the draft monthly report for {month}",
    ),
    (
        "Wave 2 bids: three clusters are testing their boundaries; one has not yet secured "
        "every DCS's sign-off.",
        "DfE will not accept a bid without every member LA's DCS sign-off.",
        "Confirm DCS sign-off status for every wave 2 cluster",
    ),
    (
        "Spend against the financial-year cap reviewed; run rate is within the forecast.",
        "No change to the draw-down plan this month.",
        "Share the updated burn-up forecast with DfE",
    ),
    (
        "Late monthly returns from two LAs discussed; the pipeline funnel for the pathfinder "
        "is otherwise complete.",
        "Cluster leads to be reminded of the 10th-of-the-month deadline.",
        "Follow up the late monthly returns with the cluster leads",
    ),
    (
        "Escalated risks reviewed: the website procurement delay remains DfE's main concern.",
        "DfE to raise procurement timescales with the commercial team.",
        "Prepare a one-page note on the website procurement options",
    ),
    (
        "Shared learning: the North East's enquiry call-back standard is ready to publish.",
        "Publish the learning to every cluster before the next masterclass.",
        "Publish the call-back standard in the shared-learning log",
    ),
]

BOARD_TOPICS = [
    (
        "Programme dashboard reviewed: conversion from enquiry to application is ahead of "
        "the national baseline in the pathfinder and behind it in two wave 2 clusters.",
        "Targeted coaching for the two clusters below baseline.",
        "Agree a coaching plan with the clusters below the national baseline",
    ),
    (
        "Milestones reviewed; two cluster hub go-live dates forecast to slip by a month.",
        "Re-baseline only with the cluster's agreement and a written reason.",
        "Report the forecast slippage and its causes to the board",
    ),
    (
        "Mockingbird constellations: recruitment of hub home carers is the constraint.",
        "Retention strand to be a standing item from next month.",
        "Bring a Mockingbird progress summary to the next board",
    ),
    (
        "KPI report for the quarter approved for issue to DfE.",
        "Quarterly KPI report issued with the commentary as amended.",
        "Issue the quarterly KPI report to DfE",
    ),
]

STEERING_TOPICS = [
    (
        "Standard offer to foster carers: fees and allowances formula agreed in principle by "
        "most member LAs.",
        "Remaining LAs to take the formula to their DCS this month.",
        "Take the fees and allowances formula to the DCS for sign-off",
    ),
    (
        "Hub enquiry script reviewed against the shared standard; call-back within one "
        "working day adopted.",
        "Script adopted by all member LAs from next month.",
        "Circulate the final enquiry script to every member LA",
    ),
    (
        "Data-sharing agreement: two LAs' information governance teams still reviewing.",
        "Escalate to the lead LA's DCS if not signed by the next meeting.",
        "Chase the data-sharing agreement with the remaining LAs",
    ),
    (
        "Regional campaign branding: creative concepts tested with foster carers.",
        "Concept B chosen; launch planned with the next recruitment push.",
        "Brief the campaign agency on concept B",
    ),
    (
        "Monthly returns and the cluster funnel reviewed; exits before application mostly "
        "'no contact'.",
        "Hub to test a second call-back within a week of enquiry.",
        "Report the effect of the second call-back at the next meeting",
    ),
]

DCS_TOPICS = [
    (
        "DCS briefing on hub progress, the standard offer and the year-two funding.",
        "DCSs support the shared standard offer; finance leads to cost it.",
        "Cost the standard offer for each member LA",
    ),
    (
        "DCS group reviewed the hub's first quarter and the data-sharing agreement.",
        "Lead LA's DCS to sign the data-sharing agreement on behalf of the group.",
        "Send the data-sharing agreement to the lead LA's DCS for signature",
    ),
]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _backdate(obj, day: datetime.date, hour: int = 10) -> None:
    """Date the latest history record of ``obj`` to when it happened in the story (never
    later than yesterday: what is today or ahead was logged beforehand)."""
    day = min(day, timezone.localdate() - datetime.timedelta(days=1))
    record = obj.history.order_by("-history_id").first()
    type(record).objects.filter(pk=record.pk).update(history_date=_at(day, hour))


def _people() -> dict:
    from accounts.models import User

    emails = {
        "pm": "pm@example.org",
        "consultant": "consultant@example.org",
        "principal": "principal@example.org",
        "dfe": "dfe@example.org",
        "north-east": "lead.northeast@example.org",
        "foster4": "lead.foster4@example.org",
        "east-midlands": "lead.eastmidlands@example.org",
    }
    found = {u.email: u for u in User.objects.filter(email__in=emails.values())}
    return {key: found.get(email) for key, email in emails.items()}


def seed() -> None:
    """Meetings build on the RAID log: see seed_activity."""


def seed_activity() -> None:
    from clusters.models import Cluster

    people = _people()
    if not (people["pm"] and people["consultant"] and people["principal"]):
        return
    today = timezone.localdate()
    known = set(Meeting.objects.values_list("kind", "cluster_id", "held_on"))
    clusters = list(Cluster.objects.order_by("pk"))
    _dfe_check_ins(people, today, known)
    _programme_boards(people, today, known)
    for index, cluster in enumerate(clusters):
        _steering_groups(people, cluster, index, today, known)
    _dcs_meetings(people, [c for c in clusters if people.get(c.slug)], today, known)


def _meeting(
    known, *, kind, cluster, held_on, today, attendees, other, notes, decisions, by, title=""
):
    from engagement.services.meetings import save_meeting

    if (kind, cluster.pk if cluster else None, held_on) in known:
        return None
    status = MeetingStatus.HELD if held_on <= today else MeetingStatus.PLANNED
    meeting = Meeting(
        kind=kind,
        title=title,
        cluster=cluster,
        held_on=held_on,
        status=status,
        other_attendees=other,
        notes=notes if status == MeetingStatus.HELD else "",
        decisions=decisions if status == MeetingStatus.HELD else "",
    )
    save_meeting(meeting=meeting, attendees=[a for a in attendees if a], by=by)
    _backdate(meeting, held_on, 16)
    return meeting


def _action(meeting, rng, today, *, description, owner, by, raid_item=None, milestone=None):
    """An action through the service; past its due date it is mostly done, sometimes not
    (overdue); done actions record the day they were done."""
    from engagement.services.meetings import add_action

    due = meeting.held_on + datetime.timedelta(days=rng.choice([7, 14, 21, 28]))
    action = add_action(
        meeting=meeting,
        description=description,
        owner=owner,
        due_date=due,
        raid_item=raid_item,
        milestone=milestone,
        by=by,
    )
    _backdate(action, meeting.held_on, 16)
    # old actions are all done; a few of the last six weeks' are overdue
    if due < today and ((today - due).days > 42 or rng.random() < 0.7):
        done_on = min(today, due - datetime.timedelta(days=rng.randint(-3, 5)))
        done_on = max(done_on, meeting.held_on)
        action.status, action.done_on = ActionStatus.DONE, done_on
        action._history_user = owner
        action.save()
        _backdate(action, done_on, 15)
    elif due >= today and rng.random() < 0.4:
        action.status = ActionStatus.IN_PROGRESS
        action._history_user = owner
        action.save()
        _backdate(action, meeting.held_on + datetime.timedelta(days=3), 12)
    return action


def _dfe_check_ins(people, today, known) -> None:
    rng = random.Random("meetings-dfe")
    tuesday = today - datetime.timedelta(days=(today.weekday() - 1) % 7)
    for week in range(-1, WEEKS):  # next week's is planned
        held_on = tuesday - datetime.timedelta(weeks=week)
        topic = DFE_TOPICS[week % len(DFE_TOPICS)]
        month = (held_on.replace(day=1) - datetime.timedelta(days=1)).strftime("%B")
        meeting = _meeting(
            known,
            kind=MeetingKind.DFE_WEEKLY,
            cluster=None,
            held_on=held_on,
            today=today,
            attendees=[people["pm"], people["principal"], people["dfe"]],
            other="Deputy Director, Fostering Programme, DfE",
            notes=topic[0].format(month=month),
            decisions=topic[1],
            by=people["pm"],
        )
        if meeting is None:
            continue
        if week == 7:  # a bank-holiday week: cancelled, nothing to action
            meeting.status = MeetingStatus.CANCELLED
            meeting.notes = meeting.decisions = ""
            meeting._history_user = people["pm"]
            meeting.save()
            _backdate(meeting, held_on - datetime.timedelta(days=2), 9)
            continue
        if meeting.status == MeetingStatus.HELD and week % 2 == 0:
            _action(
                meeting,
                rng,
                today,
                description=topic[2].format(month=month),
                owner=people["pm"] if week % 4 == 0 else people["principal"],
                by=people["pm"],
            )


def _programme_boards(people, today, known) -> None:
    from programme.models import Milestone

    rng = random.Random("meetings-board")
    milestones = list(Milestone.objects.filter(cluster=None, actual_date__isnull=True))
    first = today.replace(day=1)
    for month in range(-1, MONTHS):
        year, number = divmod(first.month - 1 - month, 12)
        start = first.replace(year=first.year + year, month=number + 1)
        held_on = start + datetime.timedelta(days=(3 - start.weekday()) % 7)  # 1st Thursday
        topic = BOARD_TOPICS[month % len(BOARD_TOPICS)]
        meeting = _meeting(
            known,
            kind=MeetingKind.PROGRAMME_BOARD,
            cluster=None,
            held_on=held_on,
            today=today,
            attendees=[people["pm"], people["principal"], people["consultant"], people["dfe"]],
            other="Director, Children's Social Care Policy, DfE\nProgramme finance lead, DfE",
            notes=topic[0],
            decisions=topic[1],
            by=people["pm"],
        )
        if meeting is None or meeting.status != MeetingStatus.HELD:
            continue
        _action(
            meeting,
            rng,
            today,
            description=topic[2],
            owner=people["pm"],
            by=people["pm"],
            milestone=milestones[month % len(milestones)] if milestones and month % 2 else None,
        )
        _action(
            meeting,
            rng,
            today,
            description="Update the RAID log with the risks raised at the board",
            owner=people["consultant"],
            by=people["pm"],
        )


def _steering_groups(people, cluster, index, today, known) -> None:
    from insights.models import RaidItem
    from programme.models import Milestone

    rng = random.Random(f"meetings-{cluster.slug}")
    lead = people.get(cluster.slug)
    risks = list(
        RaidItem.objects.filter(cluster=cluster, kind__in=["risk", "issue"]).order_by("pk")
    )
    milestones = list(Milestone.objects.filter(cluster=cluster).order_by("forecast_date"))
    first = today.replace(day=1)
    for month in range(-1, MONTHS):
        year, number = divmod(first.month - 1 - month, 12)
        start = first.replace(year=first.year + year, month=number + 1)
        # each cluster meets on its own weekday in the second week
        held_on = start + datetime.timedelta(days=7 + (index % 5 - start.weekday()) % 7)
        topic = STEERING_TOPICS[(month + index) % len(STEERING_TOPICS)]
        meeting = _meeting(
            known,
            kind=MeetingKind.STEERING_GROUP,
            title=f"{cluster.name} steering group",
            cluster=cluster,
            held_on=held_on,
            today=today,
            attendees=[lead, people["consultant"]],
            other="Hub manager\nFostering service managers of the member LAs",
            notes=topic[0],
            decisions=topic[1],
            by=people["consultant"],
        )
        if meeting is None or meeting.status != MeetingStatus.HELD:
            continue
        owner = lead if lead and month % 3 != 2 else people["consultant"]
        link = {}
        if risks and month % 3 == 0:
            link["raid_item"] = risks[month % len(risks)]
        elif milestones and month % 3 == 1:
            link["milestone"] = milestones[month % len(milestones)]
        _action(
            meeting,
            rng,
            today,
            description=topic[2],
            owner=owner,
            by=people["consultant"],
            **link,
        )
        if month % 2 == 0:
            _action(
                meeting,
                rng,
                today,
                description=f"Send the notes and actions to {cluster.name}'s member LAs",
                owner=people["consultant"],
                by=people["consultant"],
            )


def _dcs_meetings(people, clusters, today, known) -> None:
    rng = random.Random("meetings-dcs")
    for index, cluster in enumerate(clusters):
        for quarter in range(2):
            held_on = today - datetime.timedelta(days=40 + 120 * quarter + 9 * index)
            topic = DCS_TOPICS[(quarter + index) % len(DCS_TOPICS)]
            meeting = _meeting(
                known,
                kind=MeetingKind.DCS,
                title=f"{cluster.name} DCS group",
                cluster=cluster,
                held_on=held_on,
                today=today,
                attendees=[people["pm"], people[cluster.slug]],
                other=f"Directors of Children's Services, {cluster.name}",
                notes=topic[0],
                decisions=topic[1],
                by=people["pm"],
            )
            if meeting is None:
                continue
            _action(
                meeting,
                rng,
                today,
                description=topic[2],
                owner=people[cluster.slug],
                by=people["pm"],
            )

"""Demo RAID log, shared learning and learning programme.

Every demo cluster gets a RAID log (risks with their actions, an issue that began as a risk,
an assumption and a dependency; some escalated to DfE, some past their review date), the
programme gets its own items, there are 32 shared-learning entries across the themes and a
year of learning events with attendance by LA. Everything is written through the services,
so the history is real, and dated (history included) relative to today. Idempotent: rows
are found by their title and never made twice.
"""

import datetime
import random

from django.utils import timezone

from .models import (
    Adoption,
    EventKind,
    Kind,
    LearningEvent,
    Lesson,
    LessonKind,
    Proximity,
    RaidItem,
    Response,
    Status,
    Theme,
)

DEMO_CLUSTERS = [
    "north-east",
    "foster-with-us",
    "foster4",
    "greater-manchester",
    "east-midlands",
    "local-community-fostering",
    "west-london",
    "south-east",
]


def seed() -> None:
    """Insights builds on people and clusters: see seed_activity."""


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _backdate(obj, day: datetime.date, hour: int = 10) -> None:
    """Date the latest history record of ``obj`` to when it happened in the story (a demo
    runs in a moment; its history should read like a year of work), never after now."""
    record = obj.history.order_by("-history_id").first()
    at = min(_at(day, hour), timezone.now())
    type(record).objects.filter(pk=record.pk).update(history_date=at)


# -- RAID log --------------------------------------------------------------------------

# (title, strand, likelihood, impact, proximity, response, cause, event, effect, actions)
# actions: (description, due in days from today (negative: past), done days ago or None)
RISKS = [
    (
        "Enquiries fall when the paid campaign pauses",
        "B",
        3,
        4,
        Proximity.QUARTER,
        Response.REDUCE,
        "Paid social media for the regional campaign is funded only to the end of the quarter.",
        "Monthly enquiries fall below 60 once the adverts stop.",
        "Fewer applications reach the LAs and the conversion target for the year is missed.",
        [
            ("Agree a low-cost always-on social media plan with the comms leads", 20, None),
            ("Ask member LAs to fund two months of paid adverts from their own budgets", -10, 12),
        ],
    ),
    (
        "Standard fees formula not agreed by every member LA",
        "A",
        3,
        5,
        Proximity.HALF_YEAR,
        Response.REDUCE,
        "Allowances differ by up to £90 a week between members and budgets are under pressure.",
        "One or more LAs decline to adopt the standard offer.",
        "Carers see different offers across the region and the hub's single message is weakened.",
        [
            ("Model the cost of the formula for each LA with finance leads", 30, None),
            ("Take the options paper to the DCS board", 45, None),
        ],
    ),
    (
        "Case management exports do not match the pipeline stages",
        "A",
        4,
        3,
        Proximity.IMMINENT,
        Response.REDUCE,
        "Member LAs run different case management systems with their own stage codes.",
        "Monthly record-level exports cannot be mapped to the hub's funnel stages.",
        "Regional reporting to DfE is late or wrong and the funnel cannot be trusted.",
        [
            ("Write an import profile for each system with the LA data leads", 14, None),
            ("Agree a common list of exit reasons", -20, 25),
        ],
    ),
    (
        "Slow hand-off from the hub to assessment teams",
        "A",
        4,
        4,
        Proximity.IMMINENT,
        Response.REDUCE,
        "Assessing social workers in several LAs are carrying full caseloads.",
        "Initial home visits take more than four weeks after the hub passes an enquiry on.",
        "Prospective carers lose interest or go to an independent fostering agency.",
        [
            ("Agree a 10-working-day standard for the first visit", 10, None),
            ("Report hand-off times by LA at each cluster board", 35, None),
        ],
    ),
    (
        "Mockingbird hub home carers hard to find",
        "C",
        3,
        3,
        Proximity.HALF_YEAR,
        Response.REDUCE,
        "Experienced carers willing to be hub homes are already committed elsewhere.",
        "Planned constellations launch late or with too few satellite families.",
        "Retention benefits for carers are delayed.",
        [("Run a targeted campaign to experienced carers with the Fostering Network", 40, None)],
    ),
    (
        "Independent agencies out-spend the hub on advertising",
        "B",
        3,
        2,
        Proximity.LATER,
        Response.ACCEPT,
        "Agencies buy the same search terms and local radio slots.",
        "The hub's adverts reach fewer people for the same spend.",
        "Cost per enquiry rises.",
        [],
    ),
    (
        "Evening and weekend calls go unanswered",
        "A",
        3,
        3,
        Proximity.QUARTER,
        Response.REDUCE,
        "The hub phone line is staffed 9 to 5 on weekdays only.",
        "People who call after work reach voicemail and do not call back.",
        "Warm enquiries are lost in the first hours.",
        [("Pilot a call-back promise within one working day", 25, None)],
    ),
    (
        "Board attendance by member LAs is falling",
        "",
        2,
        3,
        Proximity.HALF_YEAR,
        Response.REDUCE,
        "Heads of service are stretched by inspections and budget rounds.",
        "Decisions are deferred because the board is not quorate.",
        "Harmonisation slows and milestones slip.",
        [("Move the board to a shorter online format every six weeks", 15, None)],
    ),
]
BECOMES_ISSUE = (
    "Hub manager post may fall vacant",
    "A",
    2,
    4,
    Proximity.QUARTER,
    Response.REDUCE,
    "The hub manager is on a fixed-term secondment that ends this year.",
    "The secondment ends without a permanent appointment.",
    "The hub runs without a manager and quality of first contact drops.",
    [("Agree permanent funding for the post with the lead LA", -30, 40)],
)
ISSUE_TEXT = (
    "The hub manager left at the end of the secondment. The senior enquiry officer is acting "
    "up three days a week and recruitment is under way."
)
ASSUMPTION = (
    "Member LAs keep funding hub posts after the grant",
    "Each member LA's medium-term financial plan includes its share of the hub staffing "
    "after the DfE grant ends, as agreed in the partnership agreement.",
)
DEPENDENCY = (
    "Hub phone line depends on the lead LA's telephony contract",
    "The hub's number and call routing sit on the lead LA's telephony contract, due for "
    "renewal next year; a break in service would cut the hub's main channel.",
)
ESCALATED = {
    "north-east": (
        "Slow hand-off from the hub to assessment teams",
        "Assessment capacity is outside the hub's control: the cluster asks DfE to raise "
        "social worker capacity for fostering assessments with the DCSs.",
        "DfE will raise assessment capacity at the next regional DCS meeting and share the "
        "hand-off figures with Ofsted's fostering lead.",
    ),
    "foster4": (
        "Standard fees formula not agreed by every member LA",
        "Two LAs cannot fund the formula this year; the cluster asks whether grant can be used "
        "to bridge the difference for 12 months.",
        "",
    ),
    "south-east": (
        "Case management exports do not match the pipeline stages",
        "Twenty LAs on four systems: the cluster needs DfE to confirm the national stage "
        "definitions before building the mappings.",
        "DfE confirmed the stage definitions in the data guidance; the cluster builds the "
        "mappings to them.",
    ),
    "greater-manchester": (
        "Enquiries fall when the paid campaign pauses",
        "The national campaign's timing decides whether the regional budget is needed: the "
        "cluster asks DfE for the national campaign dates.",
        "",
    ),
}
PROGRAMME_ITEMS = [
    # (kind, title, strand, L, I, proximity, response, cause/event/effect or description,
    #  escalation (reason, decision) or None)
    (
        Kind.RISK,
        "Funding for hubs after March 2028 not confirmed",
        "",
        3,
        5,
        Proximity.LATER,
        Response.TRANSFER,
        (
            "Programme funding is confirmed only to March 2028.",
            "LAs start to plan hub closures in their budget rounds.",
            "Hub staff leave and the gains in conversion are lost.",
        ),
        (
            "Only DfE can confirm future funding; LAs need a signal before their 2027-28 "
            "budget rounds.",
            "DfE will confirm its intentions to clusters after the spending review.",
        ),
    ),
    (
        Kind.RISK,
        "National and regional campaigns clash",
        "B",
        3,
        3,
        Proximity.QUARTER,
        Response.AVOID,
        (
            "The national recruitment campaign's dates are not yet published.",
            "National and regional campaigns run in the same weeks with different messages.",
            "Audiences are confused and regional spend is wasted.",
        ),
        (
            "Clusters need the national campaign calendar to plan their own spend.",
            "",
        ),
    ),
    (
        Kind.RISK,
        "Delivery partner capacity over the summer",
        "",
        2,
        3,
        Proximity.HALF_YEAR,
        Response.REDUCE,
        (
            "Several consultants take leave in August.",
            "Clusters get less than the planned four days of support a month.",
            "Support slips at the point hubs plan their autumn campaigns.",
        ),
        None,
    ),
    (
        Kind.ISSUE,
        "Pipeline returns inconsistent between clusters",
        "A",
        5,
        3,
        Proximity.IMMINENT,
        Response.REDUCE,
        "Three clusters count an enquiry when the form is submitted, the others when the "
        "first call is made, so conversion rates are not comparable.",
        None,
    ),
    (
        Kind.ASSUMPTION,
        "DfE publishes national baseline figures every year",
        "",
        2,
        2,
        "",
        "",
        "The national enquiry-to-application baseline in every funnel is refreshed each "
        "November from the Fostering in England statistics.",
        None,
    ),
    (
        Kind.DEPENDENCY,
        "Evaluation partner's data requests",
        "",
        3,
        2,
        Proximity.QUARTER,
        "",
        "The programme evaluation needs anonymised pipeline records from every cluster each "
        "quarter; its timetable drives the clusters' data work.",
        None,
    ),
]


def _people():
    from accounts.models import Role, User

    def get(email):
        return User.objects.filter(email=email).first()

    staff = [
        u
        for u in (
            get("consultant@example.org"),
            get("principal@example.org"),
            get("analyst@example.org"),
        )
        if u
    ]
    pm = User.objects.filter(role=Role.PROGRAMME_MANAGER).order_by("pk").first()
    return pm, staff


def _log_item(*, cluster, kind, spec_title, fields, owner, by, raised_on, review_date):
    from . import services

    item = RaidItem(
        kind=kind,
        cluster=cluster,
        title=spec_title,
        owner=owner,
        raised_on=raised_on,
        review_date=review_date,
        status=Status.OPEN,
        **fields,
    )
    services.save_item(item=item, by=by)
    _backdate(item, raised_on)
    return item


def _add_actions(item, actions, owners, by, today, rng):
    from . import services

    for number, (description, due_in, done_ago) in enumerate(actions):
        owner = owners[(item.pk + number) % len(owners)]
        due = today + datetime.timedelta(days=due_in)
        action = services.add_action(
            item=item, description=description, owner=owner, due_date=due, by=by
        )
        _backdate(action, item.raised_on + datetime.timedelta(days=rng.randint(1, 6)))
        if done_ago is not None:
            done_on = today - datetime.timedelta(days=done_ago)
            services.complete_action(action=action, done_on=done_on, by=owner)
            _backdate(action, done_on, 16)


def _risk_fields(spec) -> dict:
    _, strand, likelihood, impact, proximity, response, cause, event, effect, _ = spec
    return {
        "strand": strand,
        "likelihood": likelihood,
        "impact": impact,
        "proximity": proximity,
        "response": response,
        "cause": cause,
        "event": event,
        "effect": effect,
    }


def _seed_cluster_raid(cluster, index, pm, staff, today) -> None:
    from . import services

    rng = random.Random(f"raid-{cluster.slug}")
    lead = cluster.leads.order_by("pk").first()
    owners = staff + ([lead] if lead else [])
    existing = set(RaidItem.objects.filter(cluster=cluster).values_list("title", flat=True))
    chosen = [RISKS[(index + k) % len(RISKS)] for k in range(4)]
    escalated = ESCALATED.get(cluster.slug)
    if escalated and escalated[0] not in [c[0] for c in chosen]:
        chosen[-1] = next(r for r in RISKS if r[0] == escalated[0])
    for number, spec in enumerate(chosen):
        title = spec[0]
        if title in existing:
            continue
        raised = today - datetime.timedelta(days=rng.randint(120, 420))
        # some are past their review date (the register puts them first), among them one
        # owned by each cluster lead, for their home page
        overdue = (number == 1 and lead is not None) or rng.random() < 0.15
        review = today + datetime.timedelta(
            days=-rng.randint(3, 40) if overdue else rng.randint(5, 60)
        )
        owner = lead if (lead and number == 1) else staff[(index + number) % len(staff)]
        item = _log_item(
            cluster=cluster,
            kind=Kind.RISK,
            spec_title=title,
            fields=_risk_fields(spec),
            owner=owner,
            by=staff[index % len(staff)],
            raised_on=raised,
            review_date=review,
        )
        _add_actions(item, spec[-1], owners, staff[0], today, rng)
        if spec[-1] and rng.random() < 0.6:
            item.status = Status.MITIGATING
            services.save_item(item=item, by=owner)
            _backdate(item, raised + datetime.timedelta(days=7))
        if escalated and title == escalated[0]:
            escalated_on = today - datetime.timedelta(days=rng.randint(30, 90))
            services.escalate(item=item, reason=escalated[1], escalated_on=escalated_on, by=pm)
            _backdate(item, escalated_on)
            if escalated[2]:
                decided = escalated_on + datetime.timedelta(days=rng.randint(7, 21))
                services.record_dfe_decision(
                    item=item, decision=escalated[2], decided_on=decided, by=pm
                )
                _backdate(item, decided)

    if BECOMES_ISSUE[0] not in existing:
        raised = today - datetime.timedelta(days=rng.randint(300, 420))
        item = _log_item(
            cluster=cluster,
            kind=Kind.RISK,
            spec_title=BECOMES_ISSUE[0],
            fields=_risk_fields(BECOMES_ISSUE),
            owner=staff[(index + 2) % len(staff)],
            by=staff[0],
            raised_on=raised,
            review_date=today + datetime.timedelta(days=rng.randint(-5, 30)),
        )
        _add_actions(item, BECOMES_ISSUE[-1], owners, staff[0], today, rng)
        if index % 2 == 0:
            happened = today - datetime.timedelta(days=rng.randint(20, 100))
            services.become_issue(
                item=item, what_happened=ISSUE_TEXT, happened_on=happened, by=staff[0]
            )
            _backdate(item, happened)
            interim = services.add_action(
                item=item,
                description="Appoint an interim hub manager from the member LAs",
                owner=owners[-1],
                due_date=today + datetime.timedelta(days=21),
                by=staff[0],
            )
            _backdate(interim, happened, 14)
        else:
            # the secondment was made permanent: the risk is closed
            closed = today - datetime.timedelta(days=rng.randint(20, 100))
            services.close_item(
                item=item,
                note="The lead LA made the hub manager post permanent.",
                closed_on=closed,
                by=staff[0],
            )
            _backdate(item, closed)

    for kind, (title, description) in (
        (Kind.ASSUMPTION, ASSUMPTION),
        (Kind.DEPENDENCY, DEPENDENCY),
    ):
        if title in existing:
            continue
        raised = today - datetime.timedelta(days=rng.randint(200, 400))
        _log_item(
            cluster=cluster,
            kind=kind,
            spec_title=title,
            fields={"description": description, "likelihood": 2, "impact": rng.choice([3, 4])},
            owner=staff[(index + 1) % len(staff)],
            by=staff[0],
            raised_on=raised,
            review_date=today + datetime.timedelta(days=rng.randint(-8, 90)),
        )


def _seed_programme_raid(pm, staff, today) -> None:
    from . import services

    existing = set(RaidItem.objects.filter(cluster=None).values_list("title", flat=True))
    for number, spec in enumerate(PROGRAMME_ITEMS):
        kind, title, strand, likelihood, impact, proximity, response, text, escalation = spec
        if title in existing:
            continue
        fields = {
            "strand": strand,
            "likelihood": likelihood,
            "impact": impact,
            "proximity": proximity,
            "response": response,
        }
        if isinstance(text, tuple):
            fields.update(cause=text[0], event=text[1], effect=text[2])
        else:
            fields["description"] = text
        raised = today - datetime.timedelta(days=200 - 20 * number)
        item = _log_item(
            cluster=None,
            kind=kind,
            spec_title=title,
            fields=fields,
            owner=pm if number % 2 == 0 else staff[number % len(staff)],
            by=pm,
            raised_on=raised,
            review_date=today + datetime.timedelta(days=(-12 if number in (0, 3) else 30)),
        )
        if kind in (Kind.RISK, Kind.ISSUE):
            services.add_action(
                item=item,
                description="Report the position to the monthly programme meeting with DfE",
                owner=pm,
                due_date=today + datetime.timedelta(days=10 + number),
                by=pm,
            )
        if escalation:
            escalated_on = raised + datetime.timedelta(days=14)
            services.escalate(item=item, reason=escalation[0], escalated_on=escalated_on, by=pm)
            _backdate(item, escalated_on)
            if escalation[1]:
                decided = escalated_on + datetime.timedelta(days=20)
                services.record_dfe_decision(
                    item=item, decision=escalation[1], decided_on=decided, by=pm
                )
                _backdate(item, decided)


# -- learning programme ----------------------------------------------------------------

# (days ago (negative: to come), kind, topic, facilitator, summary)
EVENTS = [
    (
        355,
        EventKind.LEARNING_EVENT,
        "What the hubs' first years taught us",
        "Priya Mistry",
        "Each cluster's biggest lesson in five minutes, then table discussions by theme.",
    ),
    (
        330,
        EventKind.MASTERCLASS,
        "Writing a standard enquiry script",
        "Hannah Lowe",
        "Scripts from three hubs compared line by line, with call recordings.",
    ),
    (
        300,
        EventKind.LIVE_LESSON,
        "The North East's conversion rate",
        "Priya Mistry",
        "How the pathfinder moved enquiry to application above 20%, told to DfE's programme team.",
    ),
    (
        272,
        EventKind.MASTERCLASS,
        "Mockingbird constellations from launch to steady state",
        "The Fostering Network",
        "Recruiting hub home carers and keeping satellite families engaged.",
    ),
    (
        245,
        EventKind.LEARNING_EVENT,
        "Harmonising the standard offer",
        "Callum Okafor",
        "Fees formulas, what they cost each LA and how two clusters agreed theirs.",
    ),
    (
        215,
        EventKind.MASTERCLASS,
        "Measuring the funnel with record-level data",
        "Sam Begum",
        "Import profiles, exit reasons and counting a person once across LAs.",
    ),
    (
        185,
        EventKind.LIVE_LESSON,
        "Why applicants withdraw",
        "Hannah Lowe",
        "Exit reasons across the clusters and what the hubs changed in response.",
    ),
    (
        160,
        EventKind.LEARNING_EVENT,
        "Governance that survives leadership change",
        "Priya Mistry",
        "Partnership agreements, boards and what happens when a DCS moves on.",
    ),
    (
        130,
        EventKind.MASTERCLASS,
        "Digital campaigns on a public-sector budget",
        "Callum Okafor",
        "Search, social and local radio: what each cost per enquiry.",
    ),
    (
        100,
        EventKind.LEARNING_EVENT,
        "Hub workforce and wellbeing",
        "Hannah Lowe",
        "Recruiting, training and keeping enquiry officers.",
    ),
    (
        70,
        EventKind.LIVE_LESSON,
        "Standard offer: costs and benefits",
        "Priya Mistry",
        "The first year of standard offers, told to DfE with the figures.",
    ),
    (
        42,
        EventKind.MASTERCLASS,
        "First contact within 24 hours",
        "Sam Begum",
        "Call-back promises, evening cover and what they do to conversion.",
    ),
    (
        14,
        EventKind.LEARNING_EVENT,
        "Planning beyond the grant",
        "Priya Mistry",
        "Business cases for keeping hubs running, from three clusters.",
    ),
    (
        -16,
        EventKind.LEARNING_EVENT,
        "The year ahead for the hubs",
        "Priya Mistry",
        "Planned: to agree the priorities for the next year with the cluster leads.",
    ),
]


def _seed_events(pm, today) -> dict[str, LearningEvent]:
    from clusters.models import ClusterMembership

    from . import services

    members = list(
        ClusterMembership.objects.filter(left_on__isnull=True, cluster__slug__in=DEMO_CLUSTERS)
        .select_related("local_authority", "cluster")
        .order_by("local_authority__name")
    )
    # a few LAs never come: the "attended nothing" page has something to show
    never = {m.local_authority_id for m in members[3::11]}
    existing = {e.topic: e for e in LearningEvent.objects.all()}
    events = {}
    for days_ago, kind, topic, facilitator, summary in EVENTS:
        if topic in existing:
            events[topic] = existing[topic]
            continue
        held_on = today - datetime.timedelta(days=days_ago)
        event = LearningEvent(
            kind=kind, topic=topic, held_on=held_on, facilitator=facilitator, summary=summary
        )
        services.save_event(event=event, by=pm)
        _backdate(event, held_on - datetime.timedelta(days=30))
        events[topic] = event
        if days_ago < 0:
            continue
        rng = random.Random(f"event-{topic}")
        chance = {
            EventKind.LEARNING_EVENT: 0.7,
            EventKind.MASTERCLASS: 0.4,
            EventKind.LIVE_LESSON: 0.2,
        }[kind]
        attended = [
            m.local_authority
            for m in members
            if m.local_authority_id not in never and rng.random() < chance
        ]
        services.set_attendance(event=event, local_authorities=attended, by=pm)
        _backdate(event, held_on + datetime.timedelta(days=1), 17)
    return events


# -- shared learning -------------------------------------------------------------------

L, B, C = LessonKind.LESSON, LessonKind.BEST_PRACTICE, LessonKind.CROSS_CUTTING
T = Theme
# (days ago published or None for a draft, kind, title, themes, source clusters, stage,
#  what happened, what was learned, recommendation, event topic or "", linked RAID title)
LESSONS = [
    (
        350,
        B,
        "Answer every enquiry within one working day",
        [T.ENQUIRY_HANDLING, T.HUB_DESIGN],
        ["north-east"],
        "hub_live",
        "The North East hub promised a call back within one working day and tracked it daily.",
        "Enquirers called back the same day were twice as likely to book an initial visit.",
        "Set a one-working-day call-back standard and report against it weekly.",
        "What the hubs' first years taught us",
        "",
    ),
    (
        335,
        L,
        "A shared enquiry form needs every LA's fields agreed first",
        [T.ENQUIRY_HANDLING, T.DATA],
        ["foster4"],
        "hub_being_set_up",
        "The first web form missed fields two LAs needed, so their staff re-keyed every enquiry.",
        "Agreeing the data items before building the form saves weeks of rework.",
        "Run a data-items workshop with every LA before the hub's forms are built.",
        "",
        "Case management exports do not match the pipeline stages",
    ),
    (
        320,
        B,
        "One regional brand, local faces",
        [T.COMMUNICATIONS],
        ["greater-manchester"],
        "hub_operational",
        "The campaign used one regional brand with carers from each borough in the adverts.",
        "People responded to carers from their own area while trusting the regional name.",
        "Keep one brand and feature local carers in every borough's placements.",
        "Digital campaigns on a public-sector budget",
        "",
    ),
    (
        300,
        L,
        "Fees formulas stall without finance leads in the room",
        [T.STANDARD_OFFER, T.GOVERNANCE],
        ["foster4", "east-midlands"],
        "funded",
        "Two clusters spent months on fees options that finance teams then could not fund.",
        "Finance leads need to shape the options, not review them at the end.",
        "Put a finance lead from each LA on the standard offer working group from the start.",
        "Harmonising the standard offer",
        "Standard fees formula not agreed by every member LA",
    ),
    (
        290,
        B,
        "Mockingbird hub homes found through existing carers' networks",
        [T.MOCKINGBIRD],
        ["south-east"],
        "hub_live",
        "Hub home carers were recruited by asking experienced carers to nominate peers.",
        "Peer nomination found willing hub homes faster than open adverts.",
        "Ask experienced carers to nominate hub homes before advertising.",
        "Mockingbird constellations from launch to steady state",
        "Mockingbird hub home carers hard to find",
    ),
    (
        270,
        L,
        "Enquiry officers need fostering knowledge, not only call skills",
        [T.WORKFORCE, T.ENQUIRY_HANDLING],
        ["local-community-fostering"],
        "hub_operational",
        "Call-centre staff recruited for the hub struggled with questions about allowances and assessment.",
        "Enquiry officers with fostering backgrounds converted more calls to visits.",
        "Recruit at least one officer with fostering experience and train the rest with carers.",
        "Hub workforce and wellbeing",
        "",
    ),
    (
        255,
        C,
        "Counting an enquiry the same way in every cluster",
        [T.DATA],
        [],
        "",
        "Clusters counted enquiries at different points, so their conversion rates could not be compared.",
        "A national definition is needed before rates are compared between clusters.",
        "Count an enquiry when a person first makes contact, by any channel, once per person.",
        "Measuring the funnel with record-level data",
        "Pipeline returns inconsistent between clusters",
    ),
    (
        240,
        B,
        "A partnership agreement that names decisions, not just members",
        [T.GOVERNANCE],
        ["north-east"],
        "funded",
        "The North East's agreement listed which decisions the board takes and which stay with each LA.",
        "Clear decision rights stopped arguments about who signs off spend.",
        "Write decision rights into the partnership agreement before the grant is signed.",
        "Governance that survives leadership change",
        "",
    ),
    (
        228,
        L,
        "Evening cover doubles the calls answered",
        [T.ENQUIRY_HANDLING, T.WORKFORCE],
        ["west-london"],
        "hub_live",
        "The hub moved two officers to a late shift twice a week.",
        "Calls answered in the evening doubled, and they were warmer enquiries.",
        "Staff the line until 8pm at least two evenings a week.",
        "First contact within 24 hours",
        "Evening and weekend calls go unanswered",
    ),
    (
        210,
        B,
        "Share the funnel with the board every month",
        [T.DATA, T.GOVERNANCE],
        ["east-midlands"],
        "hub_operational",
        "The board saw the funnel by LA each month instead of a quarterly narrative.",
        "Seeing drop-off by LA prompted heads of service to fix hand-offs.",
        "Put the monthly funnel by LA on every board agenda.",
        "",
        "",
    ),
    (
        196,
        L,
        "Local radio worked where social media did not",
        [T.COMMUNICATIONS],
        ["foster-with-us"],
        "hub_live",
        "In rural Cumbria, paid social reached few people; a local radio campaign did better.",
        "Channel mix must follow where the audience is, not the national default.",
        "Test channels in each area with a small budget before committing spend.",
        "Digital campaigns on a public-sector budget",
        "",
    ),
    (
        180,
        C,
        "Assessment capacity is the bottleneck after the hub",
        [T.WORKFORCE, T.HUB_DESIGN],
        ["north-east", "foster4"],
        "hub_live",
        "Hubs passed on more applications than assessment teams could start within a month.",
        "Improving the front door moves the queue to assessment unless capacity follows.",
        "Plan assessment capacity with the hub's forecast, and report hand-off times.",
        "Why applicants withdraw",
        "Slow hand-off from the hub to assessment teams",
    ),
    (
        165,
        B,
        "A single information evening calendar for the region",
        [T.COMMUNICATIONS, T.HUB_DESIGN],
        ["south-east"],
        "hub_operational",
        "Twenty LAs' information evenings were put on one calendar on the hub website.",
        "Enquirers could choose a date and place that suited them, not just their own LA's.",
        "Publish one regional calendar of information events.",
        "",
        "",
    ),
    (
        150,
        L,
        "Data-sharing agreements take longer than the grant timetable assumes",
        [T.DATA, T.GOVERNANCE],
        ["greater-manchester"],
        "funded",
        "The data-sharing agreement took seven months to sign across ten councils.",
        "Legal review in each council is sequential unless it is planned in parallel.",
        "Start the data-sharing agreement at bid stage with a regional template.",
        "",
        "",
    ),
    (
        140,
        B,
        "Carers as ambassadors at information evenings",
        [T.COMMUNICATIONS, T.WORKFORCE],
        ["local-community-fostering"],
        "hub_live",
        "Experienced carers co-presented every information evening.",
        "Attendees asked carers the questions they would not ask social workers.",
        "Pay carer ambassadors for their time and train them as presenters.",
        "",
        "",
    ),
    (
        132,
        L,
        "Standard offer launch needs a script for existing carers",
        [T.STANDARD_OFFER, T.COMMUNICATIONS],
        ["east-midlands"],
        "hub_live",
        "Existing carers heard about the new offer from the press before their social worker.",
        "Existing carers must hear about changes first, with what it means for them.",
        "Brief supervising social workers and write to every carer before the public launch.",
        "Harmonising the standard offer",
        "",
    ),
    (
        120,
        B,
        "Weekly huddle between hub and assessment teams",
        [T.HUB_DESIGN, T.WORKFORCE],
        ["foster4"],
        "hub_live",
        "Hub officers and assessment team managers met for 20 minutes each week.",
        "Stuck cases were spotted within a week rather than at month end.",
        "Hold a short weekly huddle on every case waiting more than five days.",
        "",
        "Slow hand-off from the hub to assessment teams",
    ),
    (
        110,
        L,
        "Mockingbird satellite families need matching on distance",
        [T.MOCKINGBIRD],
        ["north-east"],
        "hub_live",
        "One constellation spread across a county lost families because the hub home was over an hour away.",
        "Constellations work when families are within easy reach of the hub home.",
        "Plan constellations around travel time, not LA boundaries.",
        "",
        "",
    ),
    (
        98,
        C,
        "Recording why people leave before applying",
        [T.DATA, T.ENQUIRY_HANDLING],
        [],
        "",
        "Most hubs recorded 'no contact' for anyone who stopped replying.",
        "A short exit call found real reasons for a third of them.",
        "Make one exit call or message before closing an enquiry, and record the reason.",
        "Why applicants withdraw",
        "",
    ),
    (
        90,
        B,
        "Enquiry officers follow up after every information evening",
        [T.ENQUIRY_HANDLING],
        ["west-london"],
        "hub_live",
        "Officers phoned every attendee within two days of an information evening.",
        "Follow-up calls turned interest into initial visits.",
        "Phone every attendee within two working days.",
        "",
        "",
    ),
    (
        75,
        L,
        "A hub needs its own budget line",
        [T.GOVERNANCE, T.HUB_DESIGN],
        ["foster-with-us"],
        "hub_operational",
        "The hub's spend sat across five LAs' budgets and every purchase needed five approvals.",
        "A pooled budget held by the lead LA lets the hub act quickly.",
        "Pool the hub budget with the lead LA under the partnership agreement.",
        "Planning beyond the grant",
        "",
    ),
    (
        66,
        B,
        "Sharing the fees formula publicly builds trust",
        [T.STANDARD_OFFER],
        ["south-east"],
        "hub_live",
        "The region published its fees and allowances formula on the hub website.",
        "Prospective carers cited the published offer as a reason to choose an LA.",
        "Publish the standard offer in full with worked examples.",
        "Standard offer: costs and benefits",
        "",
    ),
    (
        58,
        L,
        "Turnover in enquiry officers costs a month of conversions",
        [T.WORKFORCE],
        ["greater-manchester"],
        "hub_live",
        "Two officers left within a month of each other.",
        "Conversion fell for six weeks while new officers learned the role.",
        "Keep a trained reserve among LA staff and a written induction.",
        "Hub workforce and wellbeing",
        "Hub manager post may fall vacant",
    ),
    (
        48,
        B,
        "Use the funnel's exit reasons to change the script",
        [T.DATA, T.ENQUIRY_HANDLING],
        ["east-midlands", "north-east"],
        "hub_live",
        "Exit reasons showed many people left over worries about their spare room.",
        "Answering the room question early in the call kept people in.",
        "Review exit reasons quarterly and update the enquiry script.",
        "First contact within 24 hours",
        "",
    ),
    (
        40,
        C,
        "Campaign calendars should be shared nationally",
        [T.COMMUNICATIONS, T.GOVERNANCE],
        [],
        "",
        "A national push and two regional campaigns ran the same week with different messages.",
        "Clusters and DfE need one shared campaign calendar.",
        "Keep one national calendar of campaigns, open to every cluster.",
        "",
        "National and regional campaigns clash",
    ),
    (
        33,
        L,
        "Mockingbird needs its own data items",
        [T.MOCKINGBIRD, T.DATA],
        ["south-east"],
        "hub_live",
        "Retention outcomes for constellation families were not recorded anywhere.",
        "Without data the retention case for Mockingbird cannot be made.",
        "Record constellation membership and placement stability from launch.",
        "",
        "",
    ),
    (
        20,
        B,
        "Business case for the hub built from the funnel",
        [T.GOVERNANCE, T.DATA],
        ["north-east"],
        "hub_live",
        "The cluster costed the hub against the placements it helped make.",
        "A cost per approval compared with agency placements made the case to members.",
        "Build the continuation case from approvals and placement costs, not activity counts.",
        "Planning beyond the grant",
        "Funding for hubs after March 2028 not confirmed",
    ),
    (
        9,
        L,
        "Join up with the national campaign's brand early",
        [T.COMMUNICATIONS],
        ["foster-with-us", "west-london"],
        "hub_live",
        "Two hubs re-did their materials when the national brand was released.",
        "Waiting for the national brand, or designing to fit it, avoids rework.",
        "Design regional materials to sit under the national brand.",
        "",
        "",
    ),
    (
        None,
        B,
        "A regional induction for new assessing social workers",
        [T.WORKFORCE],
        ["foster4"],
        "hub_live",
        "Foster4 is piloting one induction for assessing social workers across its LAs.",
        "Early signs: shared induction speeds up consistent assessments.",
        "To be confirmed after the pilot.",
        "",
        "",
    ),
    (
        None,
        L,
        "Text messages get replies where calls do not",
        [T.ENQUIRY_HANDLING],
        ["north-east"],
        "hub_live",
        "The hub started texting enquirers who did not answer two calls.",
        "Many replied by text and booked a call at a time that suited them.",
        "Text after two missed calls, with a link to book a call.",
        "",
        "",
    ),
    (
        None,
        C,
        "Different DBS processes slow shared assessments",
        [T.GOVERNANCE, T.WORKFORCE],
        [],
        "",
        "Each LA runs its own checks process, so shared assessment work waits on the slowest.",
        "A common checks process would save weeks.",
        "Agree a regional checks process for shared assessments.",
        "",
        "",
    ),
    (
        None,
        B,
        "Open days at hub homes",
        [T.MOCKINGBIRD, T.COMMUNICATIONS],
        ["south-east"],
        "hub_live",
        "Draft: hub home carers opened their homes to prospective carers.",
        "Seeing a constellation at work answered questions adverts cannot.",
        "Offer an open day in each constellation once a year.",
        "",
        "",
    ),
]
ADOPTIONS = {
    "Answer every enquiry within one working day": ["foster4", "east-midlands", "west-london"],
    "One regional brand, local faces": ["south-east"],
    "A partnership agreement that names decisions, not just members": [
        "foster-with-us",
        "greater-manchester",
    ],
    "Share the funnel with the board every month": ["north-east", "foster4"],
    "Weekly huddle between hub and assessment teams": ["north-east"],
    "Sharing the fees formula publicly builds trust": ["east-midlands"],
    "Carers as ambassadors at information evenings": [
        "greater-manchester",
        "local-community-fostering",
    ],
}


def _seed_lessons(pm, staff, events, today) -> None:
    from accounts.models import Role, User
    from clusters.models import Cluster

    from . import services

    clusters = {c.slug: c for c in Cluster.objects.filter(slug__in=DEMO_CLUSTERS)}
    leads = {
        u.cluster.slug: u
        for u in User.objects.filter(role=Role.CLUSTER_LEAD).select_related("cluster")
    }
    raid = {}
    for item in RaidItem.objects.order_by("pk"):
        raid.setdefault(item.title, item)
    existing = set(Lesson.objects.values_list("title", flat=True))
    for number, spec in enumerate(LESSONS):
        (
            days_ago,
            kind,
            title,
            themes,
            sources,
            stage,
            happened,
            learned,
            recommendation,
            event,
            linked,
        ) = spec
        if title in existing:
            continue
        source_clusters = [clusters[s] for s in sources if s in clusters]
        # drafts by a cluster lead stay theirs; the delivery partner writes the rest
        author = (
            leads.get(sources[0])
            if days_ago is None and len(sources) == 1 and sources[0] in leads
            else staff[number % len(staff)]
        )
        lesson = Lesson(
            kind=kind,
            title=title,
            what_happened=happened,
            what_learned=learned,
            recommendation=recommendation,
            stage=stage,
            evidence_links=f"https://{sources[0] if sources else 'programme'}.example.org/learning/{number + 1}",
            event=events.get(event),
            raid_item=raid.get(linked),
        )
        services.save_lesson(
            lesson=lesson, themes=themes, source_clusters=source_clusters, by=author
        )
        written = today - datetime.timedelta(days=(days_ago or 5) + 10)
        _backdate(lesson, written)
        if days_ago is not None:
            published = today - datetime.timedelta(days=days_ago)
            services.publish_lesson(lesson=lesson, published_on=published, by=pm)
            _backdate(lesson, published)
            for slug in ADOPTIONS.get(title, []):
                cluster = clusters.get(slug)
                if cluster and not Adoption.objects.filter(lesson=lesson, cluster=cluster).exists():
                    adopted = min(
                        today, published + datetime.timedelta(days=30 + 7 * len(slug) % 40)
                    )
                    services.record_adoption(
                        lesson=lesson,
                        cluster=cluster,
                        adopted_on=adopted,
                        note="Agreed at the cluster board.",
                        by=leads.get(slug) or pm,
                    )


def seed_activity() -> None:
    from clusters.models import Cluster

    today = timezone.localdate()
    pm, staff = _people()
    if pm is None or not staff:
        return
    clusters = list(Cluster.objects.filter(slug__in=DEMO_CLUSTERS).order_by("pk"))
    for index, cluster in enumerate(clusters):
        _seed_cluster_raid(cluster, index, pm, staff, today)
    _seed_programme_raid(pm, staff, today)
    events = _seed_events(pm, today)
    _seed_lessons(pm, staff, events, today)

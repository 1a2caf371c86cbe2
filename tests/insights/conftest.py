import datetime

import pytest
from django.utils import timezone

from insights import services
from insights.models import Kind, LearningEvent, Lesson, LessonKind, RaidItem, Response, Status
from tests.conftest import client_for  # noqa: F401 - re-exported for the tests
from tests.factories import authorities

ROLES = ["pm", "consultant", "lead", "dfe"]
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def log_risk(*, by, owner=None, cluster=None, title="Hub staff leave", **fields) -> RaidItem:
    """A risk logged through the service, as a consultant would."""
    values = {
        "kind": Kind.RISK,
        "cause": "Fixed-term contracts end in March.",
        "event": "Enquiry officers leave before the contracts are renewed.",
        "effect": "Calls go unanswered and enquiries are lost.",
        "likelihood": 3,
        "impact": 4,
        "response": Response.REDUCE,
        "review_date": days(30),
        "status": Status.OPEN,
        **fields,
    }
    item = RaidItem(cluster=cluster, title=title, owner=owner or by, **values)
    return services.save_item(item=item, by=by)


def write_lesson(
    *, by, title="Call back within a day", publish_by=None, clusters=(), themes=None, **fields
):
    values = {
        "kind": LessonKind.BEST_PRACTICE,
        "what_happened": "The hub promised to call every enquirer back within one working day.",
        "what_learned": "Enquirers called back the same day booked more visits.",
        "recommendation": "Set a call-back standard and report against it weekly.",
        **fields,
    }
    lesson = services.save_lesson(
        lesson=Lesson(title=title, **values),
        themes=themes or ["enquiry_handling"],
        source_clusters=list(clusters),
        by=by,
    )
    if publish_by:
        services.publish_lesson(lesson=lesson, by=publish_by)
    return lesson


@pytest.fixture
def raid(users, north_east, other_cluster):
    """A North East risk (with an action), a Foster4 risk, a programme-wide risk and an
    escalated North East issue."""
    consultant = users["consultant"]
    ne = log_risk(by=consultant, cluster=north_east, title="North East hub staff leave")
    services.add_action(
        item=ne,
        description="Extend the officers' contracts",
        owner=consultant,
        due_date=days(14),
        by=consultant,
    )
    other = log_risk(by=consultant, cluster=other_cluster, title="Foster4 fees formula stalls")
    programme = log_risk(by=users["pm"], title="Funding after 2028 unconfirmed", impact=5)
    escalated = log_risk(
        by=consultant,
        cluster=north_east,
        title="Assessment teams cannot keep up",
        likelihood=4,
        impact=4,
    )
    services.escalate(item=escalated, reason="Needs DfE to raise capacity", by=consultant)
    return {"ne": ne, "other": other, "programme": programme, "escalated": escalated}


@pytest.fixture
def learning(users, north_east, other_cluster):
    """A published North East lesson, a consultant's draft and the North East lead's draft."""
    published = write_lesson(
        by=users["consultant"],
        title="Answer within one working day",
        publish_by=users["pm"],
        clusters=[north_east],
        what_happened="The pathfinder hub phoned every enquirer back within a day: kingfisher.",
        themes=["enquiry_handling", "hub_design"],
    )
    draft = write_lesson(by=users["consultant"], title="Consultant's draft on fees")
    lead_draft = write_lesson(
        by=users["lead"], title="Lead's draft on texts", clusters=[north_east]
    )
    return {"published": published, "draft": draft, "lead_draft": lead_draft}


@pytest.fixture
def event(users, north_east):
    event = services.save_event(
        event=LearningEvent(
            kind="masterclass",
            topic="Writing an enquiry script",
            held_on=days(-10),
            facilitator="Hannah Lowe",
        ),
        by=users["pm"],
    )
    services.set_attendance(
        event=event, local_authorities=authorities("Sunderland", "Gateshead"), by=users["pm"]
    )
    return event

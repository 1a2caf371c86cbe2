"""Two (or more) consultants logging a request's last day at the same moment: only one
gets it (PostgreSQL, real row locks, one connection per thread)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from accounts.models import Role
from engagement.services import support as services
from tests.engagement.factories import support_request_through
from tests.factories import UserFactory
from tests.timesheets import conftest as timesheet_fixtures
from tests.timesheets.conftest import JUNE, log, weekdays
from timesheets.models import TimeEntry

RACERS = 6

# graded staff and a contract, so that time can be logged (the timesheets fixtures)
consultant = timesheet_fixtures.consultant
contract = timesheet_fixtures.contract
director = timesheet_fixtures.director
pm = timesheet_fixtures.pm
senior = timesheet_fixtures.senior


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_time_never_takes_a_request_past_its_approved_days(
    north_east, lead, consultant, pm, senior
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")
    request = support_request_through(
        "approved", cluster=north_east, lead=lead, consultant=consultant, pm=pm, approved="3"
    )
    for day in weekdays(JUNE, 2):
        log(consultant, day=day, cluster=north_east, requirement="R3", support_request=request)
    racers = [UserFactory(role=Role.CONSULTANT, grade=senior) for _ in range(RACERS)]
    last_day = weekdays(JUNE, 3)[2]
    outcomes, barrier = [], threading.Barrier(RACERS)

    def draw_down(person):
        barrier.wait()
        try:
            log(person, day=last_day, cluster=north_east, requirement="R3", support_request=request)
            outcomes.append("logged")
        except ValidationError as error:
            outcomes.append(" ".join(error.message_dict["support_request"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=draw_down, args=(p,)) for p in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    used = TimeEntry.objects.filter(support_request=request).aggregate(days=Sum("days"))["days"]
    assert used == Decimal(3)
    assert services.days_logged(request.pk) == Decimal(3)
    assert outcomes.count("logged") == 1
    refusals = [o for o in outcomes if o != "logged"]
    assert len(refusals) == RACERS - 1
    for message in refusals:
        assert message.endswith("0 days (0 hours) left.")

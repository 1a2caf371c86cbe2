import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clusters.models import ProgressUpdate
from reports import services
from reports.models import Report, Status
from tests.concurrency import at_once

from .conftest import MAY, client_for

pytestmark = pytest.mark.dates


def test_asking_for_a_report_builds_a_draft_in_the_background(build, pm, programme_data):
    report = build(user=pm)

    assert report.status == Status.DRAFT
    assert report.progress == 100
    assert report.data_as_at is not None
    assert report.snapshot["period"]["label"] == "May 2024"
    charts = [
        b["chart"]["svg"] for s in report.snapshot["sections"] for b in s["blocks"] if b["chart"]
    ]
    assert charts and all(svg.lstrip().startswith("<?xml") for svg in charts)
    assert report.checksum == services.snapshot_checksum(report.snapshot)


def test_a_second_run_or_a_retry_of_the_task_builds_nothing_more(build, pm, programme_data):
    from reports.tasks import build_report

    report = build(user=pm)
    snapshot = report.snapshot

    assert build_report.delay(report.pk).get() is False
    assert build_report.apply(args=[report.pk]).get() is False
    assert Report.objects.count() == 1
    report.refresh_from_db()
    assert report.snapshot == snapshot


def test_asking_again_for_the_same_month_rebuilds_the_one_draft(build, pm, programme_data):
    first = build(user=pm)
    services.save_summary(report_id=first.pk, summary="Kept", user=pm)
    second = build(user=pm)

    assert second.pk == first.pk
    assert Report.objects.count() == 1
    assert second.summary == "Kept"


def test_the_database_refuses_a_second_live_draft_for_a_period(contract):
    Report.objects.create(kind="monthly", period_start=MAY, status=Status.DRAFT)

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(kind="monthly", period_start=MAY, status=Status.QUEUED)


def test_a_build_abandoned_by_a_killed_worker_can_be_claimed_again(contract, programme_data):
    report = Report.objects.create(
        kind="monthly",
        period_start=MAY,
        status=Status.BUILDING,
        claimed_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert services.build_report(report_id=report.pk) is True
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_a_build_in_progress_is_not_claimed_twice(contract):
    report = Report.objects.create(
        kind="monthly", period_start=MAY, status=Status.BUILDING, claimed_at=timezone.now()
    )
    assert services.build_report(report_id=report.pk) is False


def test_a_failing_build_is_marked_failed_not_left_half_built(build, pm, monkeypatch, contract):
    import reports.services as s

    def boom(*args, **kwargs):
        raise RuntimeError("the pipeline database is down")

    monkeypatch.setattr(s, "gather", boom)
    report = build(user=pm)

    assert report.status == Status.FAILED
    assert report.snapshot == {}
    assert "pipeline database is down" in report.error


@pytest.mark.parametrize(
    "day, message",
    [
        (timezone.localdate().replace(day=1) + datetime.timedelta(days=40), "is in the future"),
        (datetime.date(2023, 4, 1), "outside the contract"),
        # after the contract too, but the future is what is wrong with it
        (timezone.localdate().replace(day=1) + datetime.timedelta(days=3 * 366), "in the future"),
    ],
)
def test_a_month_in_the_future_or_outside_the_contract_is_refused(contract, day, message):
    with pytest.raises(ValidationError) as error:
        services.request_report(kind="monthly", day=day)
    assert message in error.value.message_dict["period_start"][0]
    assert not Report.objects.exists()


def test_issuing_needs_an_executive_summary(build, pm, programme_data):
    report = build(user=pm)

    with pytest.raises(ValidationError) as error:
        services.issue_report(report_id=report.pk, user=pm)
    assert "Write the executive summary" in error.value.message_dict["summary"][0]
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_issuing_twice_is_refused(issued, pm):
    with pytest.raises(ValidationError) as error:
        services.issue_report(report_id=issued.pk, user=pm)
    assert "already been issued" in error.value.messages[0]


def test_issuing_freezes_the_summary_into_the_checksummed_snapshot(issued, pm):
    assert issued.status == Status.ISSUED
    assert issued.snapshot["summary"] == "May went well: hub live."
    assert issued.checksum == services.snapshot_checksum(issued.snapshot)
    assert issued.issued_by == pm and issued.issued_at

    with pytest.raises(ValidationError):
        services.save_summary(report_id=issued.pk, summary="Rewritten", user=pm)


def test_an_issued_report_is_not_rebuilt_when_asked_again(issued, pm):
    with pytest.raises(ValidationError) as error:
        services.request_report(kind="monthly", day=MAY, requested_by=pm)
    assert "make a correction" in error.value.messages[0]


def test_a_correction_is_a_new_version_pointing_at_the_one_it_replaces(
    issued, pm, django_capture_on_commit_callbacks
):
    ProgressUpdate.objects.filter(month=MAY, cluster__slug="north-east").update(rating="red")
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.correct_report(report_id=issued.pk, user=pm)
    correction.refresh_from_db()

    assert correction.version == 2 and correction.replaces == issued
    assert correction.status == Status.DRAFT
    assert correction.summary == issued.summary
    with pytest.raises(ValidationError):
        services.correct_report(report_id=issued.pk, user=pm)
    services.issue_report(report_id=correction.pk, user=pm)
    issued.refresh_from_db()
    assert issued.status == Status.ISSUED  # both stay readable
    assert issued.snapshot != Report.objects.get(pk=correction.pk).snapshot


def test_the_database_refuses_two_issued_reports_of_one_version(issued):
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            kind="monthly",
            period_start=MAY,
            version=1,
            status=Status.ISSUED,
            summary="x",
            checksum="y",
            data_as_at=timezone.now(),
            issued_at=timezone.now(),
        )


def test_the_scheduled_task_drafts_last_month_once(contract, django_capture_on_commit_callbacks):
    today = datetime.date(2024, 6, 5)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.draft_last_month(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.draft_last_month(today=today)

    assert first.period_start == MAY
    assert second is None
    assert Report.objects.get().status == Status.DRAFT


def test_the_beat_task_runs(contract, django_capture_on_commit_callbacks, monkeypatch):
    from reports import tasks

    with django_capture_on_commit_callbacks(execute=True):
        report_id = tasks.draft_last_month.delay().get()
    assert Report.objects.get(pk=report_id).period_start.day == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_issuing_at_once_issue_it_once(pm, contract, north_east):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    report = Report.objects.create(kind="monthly", period_start=MAY)
    services.build_report(report_id=report.pk)
    services.save_summary(report_id=report.pk, summary="Done", user=pm)

    outcomes = at_once(lambda: services.issue_report(report_id=report.pk, user=pm))

    assert sorted(type(o).__name__ for o in outcomes) == ["Report", "ValidationError"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_builds_of_one_report_at_once_build_it_once(contract, north_east):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims need PostgreSQL")
    report = Report.objects.create(kind="monthly", period_start=MAY)

    outcomes = at_once(lambda: services.build_report(report_id=report.pk))

    assert sorted(outcomes) == [False, True]
    assert Report.objects.get().status == Status.DRAFT


def test_the_scheduler_drafts_last_month_on_the_fifth_of_each_month():
    from django.conf import settings

    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.draft_last_month"
    )
    schedule = entry["schedule"]
    assert schedule.day_of_month == {5}
    assert schedule.hour == {6} and schedule.minute == {0}
    from config.celery import app

    app.loader.import_default_modules()  # what a worker does first: discover the tasks
    assert "reports.draft_last_month" in app.tasks


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_for_the_same_new_month_at_once_both_get_the_one_report(pm, contract):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("two transactions at once on one unique key need PostgreSQL")

    def ask():
        return services.request_report(kind="monthly", day=MAY, requested_by=pm).pk

    for _ in range(5):  # the race is lost by one of the two only some of the time
        Report.objects.all().delete()
        outcomes = at_once(ask)
        report = Report.objects.get()  # one report, never two
        assert outcomes == [report.pk, report.pk]


def test_a_build_never_queued_or_whose_worker_was_lost_is_built_by_the_sweep(
    pm, contract, monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError as BrokerDown

    from reports.tasks import build_report

    def refuse(*args, **kwargs):
        raise BrokerDown("Connection refused.")

    monkeypatch.setattr(build_report, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.request_report(kind="monthly", day=MAY, requested_by=pm)
    lost = Report.objects.create(
        kind="monthly",
        period_start=datetime.date(2024, 4, 1),
        status=Status.BUILDING,
        claimed_at=timezone.now(),
        progress=40,
        progress_note="Drawing the charts",
    )
    assert waiting.status == Status.QUEUED  # asked for while the broker was down: not an error
    monkeypatch.undo()

    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=3))
    assert services.sweep_builds() == 1  # the one never queued; the lost one may still run
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=15))
    assert services.sweep_builds() == 1

    assert set(Report.objects.values_list("status", flat=True)) == {Status.DRAFT}
    lost.refresh_from_db()
    assert lost.snapshot and lost.progress == 100


def test_a_build_lost_twice_fails_with_a_message_and_the_manager_can_try_it_again(
    pm, contract, time_machine, django_capture_on_commit_callbacks
):
    lost = Report.objects.create(
        kind="monthly",
        period_start=MAY,
        status=Status.BUILDING,
        claimed_at=timezone.now(),
        attempts=2,
        progress=40,
        progress_note="Drawing the charts",
    )
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=17))
    assert services.sweep_builds() == 0  # not queued a third time: failed instead

    lost.refresh_from_db()
    assert lost.status == Status.FAILED
    assert lost.error.startswith("Building the report stopped 2 times before it finished")
    page = client_for(pm).get(reverse("reports:detail", args=[lost.pk])).content.decode()
    assert "Building the report stopped 2 times" in page and "Try building it again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pm).post(reverse("reports:retry", args=[lost.pk]))
    assert response.status_code == 302
    lost.refresh_from_db()
    assert (lost.status, lost.attempts, lost.error) == (Status.DRAFT, 1, "")
    assert Report.objects.count() == 1  # the same report, not a second one


def test_trying_a_failed_build_again_after_a_new_one_was_asked_for_opens_that_one(pm, contract):
    failed = Report.objects.create(
        kind="monthly", period_start=MAY, status=Status.FAILED, error="Boom"
    )
    newer = services.request_report(kind="monthly", day=MAY, requested_by=pm)

    response = client_for(pm).post(reverse("reports:retry", args=[failed.pk]))

    assert response.url == reverse("reports:detail", args=[newer.pk])
    failed.refresh_from_db()
    assert failed.status == Status.FAILED  # left as it was: one live report a period


@pytest.mark.parametrize("role", ["lead", "dfe", "consultant"])
def test_only_a_programme_manager_may_try_a_build_again(role, users, contract):
    failed = Report.objects.create(kind="monthly", period_start=MAY, status=Status.FAILED)
    response = client_for(users[role]).post(reverse("reports:retry", args=[failed.pk]))
    assert response.status_code in (403, 404)
    failed.refresh_from_db()
    assert failed.status == Status.FAILED

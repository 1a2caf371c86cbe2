"""Every write and rule about reports: asking for one, building it, the summary, issuing
(the freeze) and corrections."""

import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from core.tasks import enqueue

from . import charts
from .gather import gather
from .models import LIVE_STATUSES, IssuedFile, Kind, Report, Status
from .periods import last_month, period_end, quarter_label, quarter_start

logger = logging.getLogger(__name__)

# A build claimed longer ago than the task's hard time limit was killed: it may be claimed again.
STALE_AFTER = datetime.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 900) + 60)


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot_checksum(snapshot: dict) -> str:
    """sha256 of the snapshot's canonical JSON (figures, narratives and chart SVGs)."""
    return hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()


def period_label(kind: str, start: datetime.date) -> str:
    return quarter_label(start) if kind == Kind.QUARTERLY else f"{start:%B %Y}"


def normalise_period(*, kind: str, day: datetime.date) -> datetime.date:
    return quarter_start(day) if kind == Kind.QUARTERLY else day.replace(day=1)


def validate_period(*, kind: str, period_start: datetime.date, today: datetime.date | None = None):
    """Refuse a period that has not started or lies outside the contract."""
    from programme.selectors import current_contract

    today = today or timezone.localdate()
    label = period_label(kind, period_start)
    if period_start > today:
        raise ValidationError(
            {
                "period_start": f"{label} is in the future: a report can only cover time that has started."
            }
        )
    try:
        contract = current_contract()
    except ObjectDoesNotExist as error:
        raise ValidationError({"period_start": "No contract has been set up yet."}) from error
    if period_end(kind, period_start) <= contract.start_date or period_start > contract.end_date:
        raise ValidationError(
            {
                "period_start": f"{label} is outside the contract, which runs from "
                f"{contract.start_date:%-d %B %Y} to {contract.end_date:%-d %B %Y}."
            }
        )


def _next_version(kind: str, period_start: datetime.date) -> int:
    issued = Report.objects.filter(kind=kind, period_start=period_start, status=Status.ISSUED)
    return (issued.aggregate(v=Max("version"))["v"] or 0) + 1


def _enqueue(report: Report) -> None:
    from .tasks import build_report

    report_id = report.pk
    transaction.on_commit(lambda: enqueue(build_report, report_id))


NEVER_QUEUED_AFTER = datetime.timedelta(minutes=2)
# a build whose worker was lost this many times is failed rather than tried again: a report
# that kills its worker (memory, say) must not loop for ever
MAX_ATTEMPTS = 2


def sweep_builds(now: datetime.datetime | None = None) -> int:
    """Bring every build no worker has to an end state, or on its way to one: queued for a
    while but never started (the broker was down) is queued; building with its worker lost
    (its claim older than any build may take, so the next run may claim it) is queued
    again, or failed with a message once it has been lost MAX_ATTEMPTS times. Returns how
    many were queued."""
    from .tasks import build_report

    now = now or timezone.now()
    lost = Report.objects.filter(status=Status.BUILDING, claimed_at__lt=now - STALE_AFTER)
    for report in lost.filter(attempts__gte=MAX_ATTEMPTS):
        lost.filter(pk=report.pk).update(
            status=Status.FAILED,
            progress_note="Failed",
            error=f"Building the report stopped {report.attempts} times before it finished "
            "(the worker building it was lost). Try again; if it stops again, tell the "
            "service's support team, who can see why in the workers' logs.",
        )
    waiting = Report.objects.filter(
        Q(status=Status.QUEUED, requested_at__lt=now - NEVER_QUEUED_AFTER)
        | Q(status=Status.BUILDING, claimed_at__lt=now - STALE_AFTER)
    )
    return sum(enqueue(build_report, pk) for pk in waiting.values_list("pk", flat=True))


@transaction.atomic
def retry_build(*, report_id: int, requested_by=None) -> Report:
    """Try a failed build again, as the same report. If another report for its period is
    already being prepared (asked for since), that one is returned instead."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status != Status.FAILED:
        if report.status in LIVE_STATUSES:
            return report  # a second click: it is already on its way
        raise ValidationError({"status": "Only a report that failed to build can be tried again."})
    validate_period(kind=report.kind, period_start=report.period_start)
    report.status, report.progress, report.progress_note = Status.QUEUED, 0, "Queued"
    report.error, report.attempts, report.requested_by = "", 0, requested_by
    return _save_live(
        report,
        update_fields=["status", "progress", "progress_note", "error", "attempts", "requested_by"],
    )


@transaction.atomic
def request_report(*, kind: str, day: datetime.date, requested_by=None) -> Report:
    """Ask for a period's report to be built in the background.

    If one is already queued or building, that one is returned; a draft is rebuilt with
    the latest data (its summary kept). Once issued, a change is a correction instead.
    """
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose a kind of report."})
    start = normalise_period(kind=kind, day=day)
    validate_period(kind=kind, period_start=start)
    live = (
        Report.objects.select_for_update()
        .filter(kind=kind, period_start=start, status__in=LIVE_STATUSES)
        .first()
    )
    if live is not None:
        if live.status == Status.DRAFT:
            live.status, live.progress, live.progress_note = Status.QUEUED, 0, "Queued"
            live.requested_by = requested_by
            live.save(update_fields=["status", "progress", "progress_note", "requested_by"])
            _enqueue(live)
        return live
    if Report.objects.filter(kind=kind, period_start=start, status=Status.ISSUED).exists():
        raise ValidationError(
            {
                "period_start": f"The report for {period_label(kind, start)} has been issued. "
                "To change it, open it and make a correction."
            }
        )
    report = Report(
        kind=kind,
        period_start=start,
        version=_next_version(kind, start),
        status=Status.QUEUED,
        progress_note="Queued",
        requested_by=requested_by,
    )
    # the database holds "one live report a period" (the constraint): validated there, so
    # that of two requests for the same new period at once, the loser gets the winner's
    report.full_clean(validate_constraints=False)
    return _save_live(report)


def _save_live(report: Report, **save) -> Report:
    """Save a report that becomes its period's live one and queue its build; if another
    became live first (the database's one-live-report constraint), return that one."""
    try:
        with transaction.atomic():
            report.save(**save)
    except IntegrityError:
        winner = Report.objects.filter(
            kind=report.kind, period_start=report.period_start, status__in=LIVE_STATUSES
        ).first()
        if winner is None:
            raise
        return winner
    _enqueue(report)
    return report


def _claim(report_id: int) -> datetime.datetime | None:
    """Move a queued (or abandoned) build to building; None if another run has it."""
    now = timezone.now()
    claimed = Report.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.BUILDING, claimed_at__lt=now - STALE_AFTER),
        pk=report_id,
    ).update(
        status=Status.BUILDING,
        claimed_at=now,
        progress=5,
        progress_note="Started",
        error="",
        attempts=F("attempts") + 1,
    )
    return now if claimed else None


def build_report(*, report_id: int) -> bool:
    """Build one queued report: gather, draw the charts, store the snapshot as the draft.

    Idempotent: only the run that claims the row (queued -> building) builds it, and the
    snapshot and the draft status are written together at the end, so a retried or second
    run never makes a second draft or a half-built one. Returns whether this run built it.
    """
    claimed_at = _claim(report_id)
    if claimed_at is None:
        return False
    mine = Report.objects.filter(pk=report_id, status=Status.BUILDING, claimed_at=claimed_at)

    def progress(percent: int, note: str) -> None:
        mine.update(progress=min(percent, 99), progress_note=note[:200])

    try:
        report = Report.objects.get(pk=report_id)
        data_as_at = timezone.now()
        snapshot = gather(report.kind, report.period_start, progress=progress)
        progress(75, "Drawing the charts")
        draw_charts(snapshot)
        snapshot["data_as_at"] = data_as_at.isoformat()
        snapshot["version"] = report.version
        snapshot["replaces_version"] = report.replaces.version if report.replaces_id else None
        done = mine.update(
            status=Status.DRAFT,
            progress=100,
            progress_note="Ready",
            snapshot=snapshot,
            checksum=snapshot_checksum(snapshot),
            data_as_at=data_as_at,
        )
        return bool(done)
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the report
        logger.exception("report %s failed to build", report_id)
        mine.update(status=Status.FAILED, progress_note="Failed", error=str(error)[:2000])
        return False


def draw_charts(snapshot: dict) -> None:
    """Add each chart's SVG to its spec, in place."""
    for section in snapshot["sections"]:
        for b in section["blocks"]:
            if b.get("chart"):
                b["chart"]["svg"] = charts.render(b["chart"])


def key_figures_text(report: Report) -> str:
    """A first draft of the executive summary: the generated key figures."""
    lines = report.snapshot.get("key_figures", [])
    return "\n\n".join(lines)


@transaction.atomic
def save_summary(*, report_id: int, summary: str, user) -> Report:
    """Write the executive summary of a draft (never of an issued report)."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status != Status.DRAFT:
        raise ValidationError({"summary": "Only a draft report's summary can be changed."})
    report.summary = summary.strip()
    report.full_clean()
    report.save(update_fields=["summary"])
    return report


@transaction.atomic
def issue_report(*, report_id: int, user) -> Report:
    """Issue a draft: the snapshot, with the summary, is frozen under its checksum."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status == Status.ISSUED:
        raise ValidationError(
            {"status": f"Version {report.version} of this report has already been issued."}
        )
    if report.status != Status.DRAFT:
        raise ValidationError({"status": "Only a finished draft can be issued."})
    if not report.summary.strip():
        raise ValidationError({"summary": "Write the executive summary before issuing the report."})
    snapshot = dict(report.snapshot)
    snapshot["summary"] = report.summary
    now = timezone.now()
    snapshot["issued_at"] = now.isoformat()
    snapshot["issued_by"] = user.get_full_name() or user.email
    report.snapshot = snapshot
    report.checksum = snapshot_checksum(snapshot)
    report.status = Status.ISSUED
    report.issued_by = user
    report.issued_at = now
    report.full_clean()
    report.save()
    from .tasks import render_issued

    transaction.on_commit(lambda: enqueue(render_issued, report_id))
    return report


FORMATS = ("pdf", "xlsx")


def issued_file(report: Report, snapshot: dict, fmt: str) -> IssuedFile:
    """The stored file of an issued report as this snapshot (the whole report, or a cut of
    it) shows it, rendered the first time it is asked for and kept: later downloads are the
    same bytes, served without rendering. Two first requests at once keep one file."""
    from . import render

    if report.status != Status.ISSUED or fmt not in FORMATS:
        raise ValueError("Only an issued report's PDF or XLSX is stored")
    key = snapshot_checksum(snapshot)
    files = IssuedFile.objects.filter(report=report, snapshot_checksum=key, fmt=fmt)
    found = files.defer("content").first()  # read only when sent (not for a 304)
    if found is not None:
        return found
    content = (render.render_pdf if fmt == "pdf" else render.render_xlsx)(report, snapshot)
    try:
        with transaction.atomic():
            return IssuedFile.objects.create(
                report=report,
                snapshot_checksum=key,
                fmt=fmt,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
    except IntegrityError:
        return files.get()


def render_issued_files(report_id: int) -> int:
    """Render the whole issued report's PDF and XLSX (queued at issue, so that the first
    reader does not wait for them). Returns how many files are stored for it."""
    report = Report.objects.get(pk=report_id)
    for fmt in FORMATS:
        issued_file(report, dict(report.snapshot), fmt)
    return report.files.count()


@transaction.atomic
def correct_report(*, report_id: int, user) -> Report:
    """Start a correction of an issued report: a new version, built from today's data,
    that points to the one it replaces. Both stay readable."""
    original = Report.objects.select_for_update().get(pk=report_id)
    if original.status != Status.ISSUED:
        raise ValidationError({"status": "Only an issued report can be corrected."})
    later = Report.objects.filter(
        kind=original.kind, period_start=original.period_start, version__gt=original.version
    ).filter(Q(status=Status.ISSUED) | Q(status__in=LIVE_STATUSES))
    if later.exists():
        raise ValidationError(
            {"status": "A later version of this report already exists: correct that one instead."}
        )
    report = Report(
        kind=original.kind,
        period_start=original.period_start,
        version=original.version + 1,
        replaces=original,
        status=Status.QUEUED,
        progress_note="Queued",
        summary=original.summary,
        requested_by=user,
    )
    report.full_clean()
    report.save()
    _enqueue(report)
    return report


def draft_last_month(*, today: datetime.date | None = None) -> Report | None:
    """The scheduled draft of last month's report (on the 5th); nothing if one is already
    live or issued for that month."""
    month = last_month(today or timezone.localdate())
    exists = Report.objects.filter(kind=Kind.MONTHLY, period_start=month).filter(
        Q(status=Status.ISSUED) | Q(status__in=LIVE_STATUSES)
    )
    if exists.exists():
        return None
    try:
        return request_report(kind=Kind.MONTHLY, day=month)
    except ValidationError:
        logger.info("no monthly report drafted for %s: outside the contract", month)
        return None

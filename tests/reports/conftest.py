import datetime
from decimal import Decimal

import pytest

from clusters.models import Harmonisation, ProgressUpdate
from programme.models import Contract, FinancialYearCap, Kpi, KpiValue, Milestone
from reports import services
from reports.models import Report
from tests.conftest import client_for  # noqa: F401 - re-exported for the tests
from tests.factories import authorities

MAY = datetime.date(2024, 5, 1)


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def contract(db):
    contract = Contract.objects.create(
        name="Delivery partner contract",
        reference="DP-REPORTS",
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2028, 3, 31),
        total_cap=Decimal("1000000"),
    )
    FinancialYearCap.objects.create(contract=contract, start_year=2024, amount=Decimal("350000"))
    return contract


def add_pipeline(la, month, enquiries, applications):
    from pipeline.models import MonthlyReturn, ReturnStageCount, ReturnStatus, Stage

    monthly = MonthlyReturn.objects.create(
        local_authority=la, month=month, status=ReturnStatus.SUBMITTED
    )
    stages = {s.code: s for s in Stage.objects.all()}
    ReturnStageCount.objects.create(
        monthly_return=monthly, stage=stages["enquiry"], count=enquiries
    )
    ReturnStageCount.objects.create(
        monthly_return=monthly, stage=stages["application"], count=applications
    )


@pytest.fixture
def programme_data(contract, north_east, other_cluster):
    """A month of data for two clusters: ratings, milestones, harmonisation, a funnel, KPIs."""
    ProgressUpdate.objects.create(
        cluster=north_east,
        month=datetime.date(2024, 4, 1),
        rating="amber",
        progress="Hub recruiting staff.",
    )
    ProgressUpdate.objects.create(
        cluster=north_east,
        month=MAY,
        rating="green",
        what_changed="Hub staffed.",
        progress="Hub answering calls across the region.",
    )
    ProgressUpdate.objects.create(
        cluster=other_cluster, month=MAY, rating="red", progress="Foster4 bid delayed."
    )
    Milestone.objects.create(
        title="Programme go live",
        baseline_date=datetime.date(2024, 5, 20),
        forecast_date=datetime.date(2024, 5, 20),
        actual_date=datetime.date(2024, 5, 18),
        status="complete",
    )
    Milestone.objects.create(
        cluster=north_east,
        title="Standard offer agreed",
        baseline_date=datetime.date(2024, 5, 10),
        forecast_date=datetime.date(2024, 5, 30),
    )
    Milestone.objects.create(
        cluster=other_cluster,
        title="Foster4 campaign launch",
        baseline_date=datetime.date(2024, 3, 10),
        forecast_date=datetime.date(2024, 4, 10),
        status="missed",
    )
    sunderland, gateshead = authorities("Sunderland", "Gateshead")
    for la in (sunderland, gateshead):
        Harmonisation.objects.create(
            cluster=north_east, local_authority=la, item="branding", status="in_place"
        )
    add_pipeline(sunderland, MAY, 40, 9)
    add_pipeline(gateshead, MAY, 60, 11)
    add_pipeline(authorities("Warrington")[0], MAY, 25, 2)
    kpi = Kpi.objects.create(
        name="Enquiry to application conversion",
        definition="Share of enquiries that become applications",
        unit="%",
        target=Decimal("10"),
    )
    KpiValue.objects.create(kpi=kpi, quarter_start=datetime.date(2024, 1, 1), value=Decimal("8"))
    KpiValue.objects.create(kpi=kpi, quarter_start=datetime.date(2024, 4, 1), value=Decimal("12.5"))
    KpiValue.objects.create(
        kpi=kpi, quarter_start=datetime.date(2024, 4, 1), cluster=north_east, value=Decimal("23.1")
    )
    KpiValue.objects.create(
        kpi=kpi,
        quarter_start=datetime.date(2024, 4, 1),
        cluster=other_cluster,
        value=Decimal("7.7"),
    )
    return {"north_east": north_east, "other": other_cluster}


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """Ask for a report as a user would, running the background build on commit."""

    def _build(kind="monthly", day=MAY, user=None) -> Report:
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(kind=kind, day=day, requested_by=user)
        report.refresh_from_db()
        return report

    return _build


@pytest.fixture
def issued(build, pm, programme_data):
    report = build(user=pm)
    services.save_summary(report_id=report.pk, summary="May went well: hub live.", user=pm)
    return services.issue_report(report_id=report.pk, user=pm)

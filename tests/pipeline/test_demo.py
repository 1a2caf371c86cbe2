import time

import pytest

from clusters import demo as cluster_demo
from pipeline import demo
from pipeline.models import MonthlyReturn, PipelineRecord
from pipeline.scope import scope_for
from pipeline.selectors import funnel, make_period

pytestmark = pytest.mark.dates


def test_the_demo_seeds_quickly_and_twice_changes_nothing(reference, django_assert_max_num_queries):
    clusters = {c.slug: c for c in cluster_demo.seed()}
    started = time.monotonic()
    demo.seed()
    assert time.monotonic() - started < 30
    returns, records = MonthlyReturn.objects.count(), PipelineRecord.objects.count()
    assert returns > 500 and records == 4200
    demo.seed()
    assert (MonthlyReturn.objects.count(), PipelineRecord.objects.count()) == (returns, records)

    import datetime

    from django.utils import timezone

    year = make_period("fy", timezone.localdate() - datetime.timedelta(days=200))
    ne = funnel(scope_for(clusters["north-east"]), year)
    assert 0.15 < ne["enquiry_to_application"] < 0.3
    assert ne["enquiries_deduplicated"] < ne["enquiries"]

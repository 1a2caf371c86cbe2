"""The day a test that names calendar dates runs on.

A test whose dates are written out (a return for May 2024, a milestone due in August 2024)
runs inside a frozen clock, ``@pytest.mark.time_machine(FIXED_DAY)`` (or ``pytestmark`` for
a whole module), so it passes on any real day and under any ``--today``. Tests that build
their dates from today need no mark: the ``--today`` runs move them.
"""

import datetime
import zoneinfo

LONDON = zoneinfo.ZoneInfo("Europe/London")

# A Wednesday in the autumn of the demo's third year: after the 10th (last month's returns
# are late), after the 5th (last month's report is drafted), and late enough in the
# financial year for the demo's time to be close to its cap.
FIXED_DAY = datetime.datetime(2026, 11, 18, 9, 0, tzinfo=LONDON)

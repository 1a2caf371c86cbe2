"""Where will each cluster end the year? Approvals projected from the people in its pipeline
now, its own recent conversion and time in each stage, and the enquiries it keeps receiving
(issue 19, item 3). docs/evaluation.md explains it to an analyst.

The model, per stage a person has reached (enquiry, conversation, application, the two
assessments, panel): from everyone who reached that stage in the 24 months before the day
of the projection, the chance each week after reaching it of being approved that week, or
of leaving, among those still in the process and still watched (a discrete-time
competing-risks life table; people who reached the stage recently are counted only for the
weeks they have been watched). A person now at a stage for w weeks is approved within the
next h weeks with the probability

    sum over k = w .. w+h-1 of  S(k) / S(w) * approved(k)

where S(k) is the share still in the process k weeks after reaching the stage. New
enquiries keep arriving at the rate of the last 12 months, each with the same chance from
the enquiry stage. A stage with fewer than MIN_EPISODES people in the cluster's history uses
every programme LA's (the national baseline), and the page says so.

The interval is a simulation: the history is resampled (bootstrap) so that the rates carry
their own uncertainty, then each person is approved or not by chance and the enquiries still
to come are drawn from a Poisson distribution; the 5th and 95th percentiles of the total are
the 90% interval. LAs that send monthly returns rather than records have counts, not
people: their approvals continue at the rate of their last 12 months (Poisson).

A simplification to know: the chances from a stage are those of everyone who reached it,
whether or not they have moved on since, so a person who has sat at a stage much longer than
most is given the chances of the average person that long after reaching it (who has often
moved on). Where that matters it shows in the back-test.

The back-test makes the same projection as it would have been made three and six months ago,
from what was known then, and sets it beside the approvals that followed.
"""

import datetime
import math
from dataclasses import dataclass, field

import numpy as np

from .models import PipelineRecord, StageCode

# Time is counted in weeks: in months, a person seen on the 20th would be treated as if
# seen on the 1st, and with approvals bunched five to eight months after application that
# half month alone made projections 10% short on synthetic pipelines.
WEEK_DAYS = 7
WINDOW_WEEKS = 104  # the history the rates are learnt from: two years
ARRIVAL_WEEKS = 52  # the history the rate of new enquiries is from: a year
ARRIVAL_MONTHS = 12  # the history of a returns LA's approvals: twelve monthly returns
MIN_EPISODES = 40
REPLICATES = 200
LEVEL = 0.90

APPROVAL, EXIT = PipelineRecord.DATE_FIELDS[StageCode.APPROVAL], "exit_date"
# the stages a person can be at before approval, in order: their date fields
STAGES = [name for name in PipelineRecord.DATE_FIELDS.values() if name != APPROVAL]
FIELDS = STAGES + [APPROVAL, EXIT, "outcome"]


def horizon_weeks(as_of: datetime.date, end: datetime.date) -> int:
    """Weeks from the day after as_of to the end date inclusive, rounded up."""
    return max(0, math.ceil((end - as_of).days / WEEK_DAYS))


NEVER = 10**8  # a day that never comes (dates are held as ordinals)


class Records:
    """People's dates as arrays of day numbers (NEVER where a date is missing), so that where
    each stood on any day is a few array operations, even for every record in England."""

    def __init__(self, rows: list[tuple] | None = None, la=None, days=None):
        if days is not None:
            self.la, self.days = la, days
            return
        rows = rows or []
        self.la = np.array([r[0] for r in rows], dtype=np.int64)
        self.days = {}
        for i, name in enumerate(STAGES + [APPROVAL, EXIT], start=1):
            self.days[name] = np.array(
                [r[i].toordinal() if r[i] else NEVER for r in rows], dtype=np.int64
            )
        exited = np.array([r[-1] == "exited" for r in rows], dtype=bool)
        # when a person left: the closure date, or (without one) the last stage reached
        last = np.full(len(rows), -1, dtype=np.int64)
        for name in STAGES:
            d = self.days[name]
            last = np.where((d != NEVER) & (d > last), d, last)
        left = np.where(self.days[EXIT] != NEVER, self.days[EXIT], last)
        self.days["left"] = np.where(exited & (left >= 0), left, NEVER)

    def __len__(self):
        return len(self.la)

    def of(self, la_ids) -> "Records":
        take = np.isin(self.la, list(la_ids))
        return Records(la=self.la[take], days={k: v[take] for k, v in self.days.items()})

    def approvals_between(self, start: datetime.date, end: datetime.date) -> int:
        """Approvals dated after start up to end, inclusive."""
        d = self.days[APPROVAL]
        return int(((d > start.toordinal()) & (d <= end.toordinal())).sum())

    def enquiries_between(self, start: datetime.date, end: datetime.date) -> int:
        d = self.days[STAGES[0]]
        return int(((d > start.toordinal()) & (d <= end.toordinal())).sum())

    def standing(self, day: datetime.date) -> tuple[np.ndarray, np.ndarray]:
        """Where each person stood on a day: the index of the latest stage reached (-1 if
        not in the process: not yet enquired, approved or left) and the day reached."""
        t = day.toordinal()
        at = np.full(len(self), -1)
        since = np.full(len(self), -1, dtype=np.int64)
        for i, name in enumerate(STAGES):
            d = self.days[name]
            reached = (d <= t) & (d >= since)
            at = np.where(reached, i, at)
            since = np.where(reached, d, since)
        gone = (self.days[APPROVAL] <= t) | (self.days["left"] <= t)
        at = np.where(gone, -1, at)
        return at, since


class Episodes:
    """A life table for one stage: of everyone who reached it in the window, how many were
    approved, left, or were still in the process when last watched, by week since."""

    def __init__(self, cells: np.ndarray):
        self.cells = cells  # shape (weeks, 3): still in (censored), approved, left

    def __len__(self):
        return int(self.cells.sum())

    def resample(self, rng) -> "Episodes":
        """A bootstrap draw of the same number of people (multinomial over the cells)."""
        n = len(self)
        if not n:
            return self
        flat = self.cells.ravel()
        return Episodes(rng.multinomial(n, flat / n).reshape(self.cells.shape))


def episodes(records: Records, as_of: datetime.date, length: int) -> dict[str, Episodes]:
    """Per stage, everyone who reached it in the two years before as_of, as known then."""
    t = as_of.toordinal()
    start = t - WINDOW_WEEKS * WEEK_DAYS
    approved = records.days[APPROVAL]
    left = records.days["left"]
    out = {}
    for name in STAGES:
        reached = records.days[name]
        mine = (reached >= start) & (reached <= t)
        r, a, x = reached[mine], approved[mine], left[mine]
        event = np.where(a <= t, 1, np.where(x <= t, 2, 0))
        until = np.where(event == 1, a, np.where(event == 2, np.maximum(x, r), t))
        weeks = np.minimum((until - r) // WEEK_DAYS, length - 1).astype(np.int64)
        cells = np.zeros((length, 3), dtype=np.int64)
        np.add.at(cells, (weeks, event), 1)
        out[name] = Episodes(cells)
    return out


def hazards(ep: Episodes) -> tuple[np.ndarray, np.ndarray]:
    """Per week since reaching the stage: the chance of approval that week and of leaving,
    among those still in the process and still watched at its start."""
    ended_at = ep.cells.sum(axis=1)  # each leaves the risk set after its week
    # those still in the process were watched for part of their last week only: half of
    # them count as at risk in it (the actuarial life table)
    at_risk = ended_at[::-1].cumsum()[::-1] - ep.cells[:, 0] / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ha = np.where(at_risk > 0, ep.cells[:, 1] / np.maximum(at_risk, 1), 0.0)
        hx = np.where(at_risk > 0, ep.cells[:, 2] / np.maximum(at_risk, 1), 0.0)
    return ha, hx


def chance_within(ha: np.ndarray, hx: np.ndarray, waited: np.ndarray, h) -> np.ndarray:
    """For people who have been at the stage `waited` weeks: the chance of approval within
    the next `h` weeks (vectorised over people)."""
    size = len(ha)
    survive = np.concatenate([[1.0], np.cumprod(1 - ha - hx)])  # S(0..size)
    # cumulative incidence of approval up to (not including) week k
    incidence = np.concatenate([[0.0], np.cumsum(survive[:-1] * ha)])
    w = np.minimum(waited, size)
    stop = np.minimum(waited + h, size)
    base = survive[w]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(base > 1e-12, (incidence[stop] - incidence[w]) / base, 0.0)
    return np.clip(p, 0.0, 1.0)


@dataclass
class Projection:
    expected: float  # approvals expected from the day after as_of to the end
    low: int  # the interval of that count
    high: int
    so_far: int  # approvals already counted in the period
    people: int  # people in the pipeline on the day
    arrivals_per_month: float
    baseline_stages: list = field(default_factory=list)  # stages on the national rates

    @property
    def total(self) -> float:
        return self.so_far + self.expected


@dataclass
class ReturnsPart:
    """Approvals expected from LAs that send returns: a monthly rate each and the months
    still to come for each."""

    rates: list = field(default_factory=list)
    months: list = field(default_factory=list)
    history: list = field(default_factory=list)  # months each rate rests on

    @property
    def expected(self) -> float:
        return float(sum(r * m for r, m in zip(self.rates, self.months, strict=True)))

    def draw(self, rng) -> int:
        total = 0
        for rate, months, seen in zip(self.rates, self.months, self.history, strict=True):
            if months and seen:
                total += rng.poisson(rng.poisson(rate * seen) / seen * months)
        return int(total)


def project(
    records: Records,
    national: dict[str, Episodes] | None,
    *,
    as_of: datetime.date,
    end: datetime.date,
    so_far: int = 0,
    returns: ReturnsPart | None = None,
    seed: int = 0,
    replicates: int = REPLICATES,
) -> Projection:
    """Approvals from the day after as_of to end (inclusive) for one cluster's records, plus
    those of its LAs that send returns."""
    returns = returns or ReturnsPart()
    h = horizon_weeks(as_of, end)
    length = WINDOW_WEEKS + h + 1
    own = episodes(records, as_of, length)
    pools, baseline = {}, []
    for name in STAGES:
        if len(own[name]) < MIN_EPISODES and national is not None and len(records):
            pools[name] = national[name]
            baseline.append(name)
        else:
            pools[name] = own[name]
    at, since = records.standing(as_of)
    t = as_of.toordinal()
    waited = {
        name: ((t - since[at == i]) // WEEK_DAYS).astype(np.int64) for i, name in enumerate(STAGES)
    }
    arrivals = records.enquiries_between(
        as_of - datetime.timedelta(days=ARRIVAL_WEEKS * WEEK_DAYS), as_of
    )
    rate = arrivals / ARRIVAL_WEEKS
    # an enquiry in week m (1..h) has the weeks after it: h - m, its own aside
    remaining = np.arange(h - 1, -1, -1) if h else np.array([], dtype=np.int64)

    def chances(rates: dict) -> tuple[list, np.ndarray]:
        people = [chance_within(*rates[n], waited[n], h) for n in STAGES]
        per_arrival = chance_within(*rates[STAGES[0]], np.zeros_like(remaining), remaining)
        return people, per_arrival

    people, per_arrival = chances({n: hazards(pools[n]) for n in STAGES})
    expected = sum(p.sum() for p in people) + rate * per_arrival.sum() + returns.expected
    rng = np.random.default_rng(seed)
    totals = np.empty(replicates)
    for i in range(replicates):
        drawn, pa = chances({n: hazards(pools[n].resample(rng)) for n in STAGES})
        approved = sum(int((rng.random(len(p)) < p).sum()) for p in drawn)
        arrived = rng.poisson(arrivals) / ARRIVAL_WEEKS if arrivals else 0.0
        new = rng.poisson(arrived * pa.sum()) if len(pa) else 0
        totals[i] = approved + new + returns.draw(rng)
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(totals, [tail, 1 - tail]) if replicates else (expected, expected)
    return Projection(
        expected=float(expected),
        low=int(math.floor(low)),
        high=int(math.ceil(high)),
        so_far=so_far,
        people=int(sum(len(v) for v in waited.values())),
        arrivals_per_month=rate * ARRIVAL_WEEKS / ARRIVAL_MONTHS,
        baseline_stages=baseline,
    )


# The tracker's data ------------------------------------------------------------------


def _records(cutoff: datetime.date) -> Records:
    """Every record that can matter: enquired since the cutoff, or still in the process."""
    from django.db.models import Q

    rows = PipelineRecord.objects.filter(Q(enquiry_date__gte=cutoff) | Q(outcome="open"))
    return Records(
        list(
            rows.values_list("local_authority_id", *STAGES, APPROVAL, EXIT, "outcome").iterator(
                chunk_size=10000
            )
        )
    )


def _returns_approvals(la_ids) -> dict[int, dict[datetime.date, int]]:
    """Approvals per month from the counted returns of LAs without records (every month
    with a counted return is there, with 0 where it had none)."""
    from django.db.models import Q, Sum

    from .models import MonthlyReturn
    from .selectors import COUNTED_STATUSES

    out: dict[int, dict] = {}
    rows = (
        MonthlyReturn.objects.filter(
            local_authority_id__in=list(la_ids), status__in=COUNTED_STATUSES
        )
        .values_list("local_authority_id", "month")
        .annotate(
            n=Sum("stage_counts__count", filter=Q(stage_counts__stage__code=StageCode.APPROVAL))
        )
    )
    for la, month, n in rows:
        out.setdefault(la, {})[month] = n or 0
    return out


def _returns_part(
    months_by_la: dict,
    las,
    as_of: datetime.date,
    end_month: datetime.date | None,
    end: datetime.date | None = None,
) -> tuple[ReturnsPart, int]:
    """Returns LAs' part of a projection made on as_of: each LA's rate over the 12 months of
    returns before as_of's month; the months still to come: every month after its last
    return, to the end. With end_month (a back-test), the months from as_of's to the last
    month returned by today, and what happened in them."""
    from core.periods import add_months, month_start

    part, happened = ReturnsPart(), 0
    first_unknown = month_start(as_of)
    for la in las:
        months = months_by_la.get(la, {})
        seen = [
            n
            for m, n in months.items()
            if add_months(first_unknown, -ARRIVAL_MONTHS) <= m < first_unknown
        ]
        rate = sum(seen) / len(seen) if seen else 0.0
        if end_month is None:  # every month not yet returned, to the end
            begin = add_months(max(months), 1) if months else first_unknown
            last = month_start(end)
        else:
            begin, last = first_unknown, max(months, default=first_unknown)
            happened += sum(n for m, n in months.items() if begin <= m <= last)
        count = max(0, (last.year - begin.year) * 12 + last.month - begin.month + 1)
        part.rates.append(rate)
        part.months.append(count)
        part.history.append(len(seen))
    return part, happened


def cluster_projections(today: datetime.date, clusters=None) -> dict:
    """For every cluster (or those given): approvals so far this financial year, projected
    to its end and to the contract's, the target, and the back-test three and six months
    ago. One read of the records; meant to be kept (see projections())."""
    from clusters.models import Cluster, ClusterMembership
    from core.periods import add_months
    from programme.models import financial_year_of
    from programme.selectors import NoContractYet, current_contract

    from .models import RecordMonth

    fy = financial_year_of(today)
    fy_start, fy_end = datetime.date(fy, 4, 1), datetime.date(fy + 1, 3, 31)
    try:
        contract = current_contract()
    except NoContractYet:
        contract = None
    contract_end = max(contract.end_date, today) if contract else fy_end
    # the same day three and six months ago (the 28th at most, so every month has it)
    backs = {ago: add_months(today, -ago).replace(day=min(today.day, 28)) for ago in (3, 6)}
    cutoff = min(backs.values()) - datetime.timedelta(days=(WINDOW_WEEKS + 5) * WEEK_DAYS)
    cutoff = min(cutoff, contract.start_date if contract else cutoff, fy_start)
    every = _records(cutoff)
    with_records = set(RecordMonth.objects.values_list("local_authority_id", flat=True).distinct())
    members: dict[int, list[int]] = {}
    for cluster_id, la in ClusterMembership.objects.filter(left_on__isnull=True).values_list(
        "cluster_id", "local_authority_id"
    ):
        members.setdefault(cluster_id, []).append(la)
    returns_las = {la for las in members.values() for la in las if la not in with_records}
    returns = _returns_approvals(returns_las)
    horizons = {today: max(horizon_weeks(today, fy_end), horizon_weeks(today, contract_end))}
    horizons.update({day: horizon_weeks(day, today) for day in backs.values()})
    national = {day: episodes(every, day, WINDOW_WEEKS + h + 1) for day, h in horizons.items()}

    def pools(day, end):
        """The national pools cut or padded to the length a projection to end needs."""
        length = WINDOW_WEEKS + horizon_weeks(day, end) + 1
        out = {}
        for name, ep in national[day].items():
            cells = ep.cells[:length].copy()
            if len(cells) < length:
                cells = np.vstack([cells, np.zeros((length - len(cells), 3), dtype=np.int64)])
            else:
                cells[-1] += ep.cells[length:].sum(axis=0)
            out[name] = Episodes(cells)
        return out

    clusters = list(clusters if clusters is not None else Cluster.objects.select_related("hub"))
    out = {
        "today": today,
        "fy_label": f"{fy}-{str(fy + 1)[2:]}",
        "fy_end": fy_end,
        "contract_end": contract_end,
        "level": int(LEVEL * 100),
        "clusters": [],
    }
    for cluster in clusters:
        las = members.get(cluster.pk, [])
        mine = every.of([la for la in las if la in with_records])
        theirs = [la for la in las if la not in with_records]

        def run(as_of, end, so_far, part, mine=mine, seed=cluster.pk):
            return project(
                mine,
                pools(as_of, end),
                as_of=as_of,
                end=end,
                so_far=so_far,
                returns=part,
                seed=seed,
            )

        def counted(start, end, mine=mine, theirs=theirs):
            from_returns = sum(
                n for la in theirs for m, n in returns.get(la, {}).items() if start < m <= end
            )
            return mine.approvals_between(start, end) + from_returns

        day_before = fy_start - datetime.timedelta(days=1)
        year = run(
            today,
            fy_end,
            counted(day_before, today),
            _returns_part(returns, theirs, today, None, fy_end)[0],
        )
        whole = None
        if contract:
            whole = run(
                today,
                contract_end,
                counted(contract.start_date - datetime.timedelta(days=1), today),
                _returns_part(returns, theirs, today, None, contract_end)[0],
            )
        hub = getattr(cluster, "hub", None)
        entry = {
            "cluster": cluster,
            "las": len(las),
            "returns_las": len(theirs),
            "year": year,
            "contract": whole or year,
            "target": getattr(hub, "approvals_target", None) if hub else None,
            "back_tests": [],
        }
        for ago, as_of in backs.items():
            part, from_returns = _returns_part(returns, theirs, as_of, today)
            made = run(as_of, today, 0, part)
            happened = mine.approvals_between(as_of, today) + from_returns
            entry["back_tests"].append(
                {
                    "months": ago,
                    "as_of": as_of,
                    "projected": made,
                    "happened": happened,
                    "inside": made.low <= happened <= made.high,
                }
            )
        out["clusters"].append(entry)
    return out


# Kept in the cache, worked out in the background (core.background) ----------------------


def projections_key(today: datetime.date) -> str:
    """Moves whenever a figure the projections rest on may: records, returns, memberships
    (pipeline.facts.figures_version), hubs (their targets), the contract, or the day."""
    from clusters.models import Hub
    from core.cache import rows_version
    from programme.models import Contract

    from .facts import figures_version

    hubs = rows_version(Hub.history.model, Contract.history.model)
    return f"projections:{today.isoformat()}:{figures_version()}:{hubs}"


def for_day(today_iso: str) -> dict:
    """Every cluster's projections as kept: numbers and names, no model instances."""
    result = cluster_projections(datetime.date.fromisoformat(today_iso))
    clusters = []
    for entry in result["clusters"]:
        cluster = entry["cluster"]
        clusters.append(
            {**entry, "cluster": {"pk": cluster.pk, "name": cluster.name, "slug": cluster.slug}}
        )
    return {**result, "clusters": clusters}


def projections(today: datetime.date) -> dict | None:
    """The projections for today if they are worked out; otherwise they are started and
    this is None, or {"failed": True}."""
    from core import background

    key = projections_key(today)
    return background.looked_up(f"{__name__}.for_day", key, today.isoformat())


def projections_now(today: datetime.date) -> dict:
    """The projections for today, worked out here if they are not kept (for a report being
    built, which is already background work and must freeze the figures the page shows)."""
    from core import background

    key = projections_key(today)
    return background.now(f"{__name__}.for_day", key, today.isoformat())


def rows_for(user, result: dict) -> list:
    """The clusters' projections this user may see: every cluster for the delivery partner
    and DfE, their own for a cluster lead (or an LA's API token)."""
    from . import permissions

    if permissions.sees_every_scope(user):
        return result["clusters"]
    cluster_id = getattr(user, "cluster_id", None)
    return [r for r in result["clusters"] if cluster_id and r["cluster"]["pk"] == cluster_id]

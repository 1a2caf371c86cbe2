"""Did the hubs make a difference? A difference-in-differences estimate that stays valid when
hubs start at different times (issue 19, item 2). docs/evaluation.md explains it to an analyst.

Why not a regression of the outcome on LA and year effects and a "hub live" dummy (two-way
fixed effects)? With start dates that differ and effects that grow with time, that regression
compares later hubs with earlier ones that are already treated, and its weights can even be
negative: it is biased (Goodman-Bacon 2021; de Chaisemartin and D'Haultfoeuille 2020). The
estimate here is Callaway and Sant'Anna's (2021): for each group of LAs whose hub went live in
the same period g and each period t, the change in the outcome from g-1 (the period before
go-live) to t, minus the same change among LAs in no hub (never treated):

    ATT(g, t) = mean over the group of (Y_t - Y_g-1)  -  mean over LAs in no hub of (Y_t - Y_g-1)

Those are averaged, weighted by the LAs they rest on, by time since go-live (the event study:
e = t - g; before go-live, e < -1, they check that trends were parallel; e = -1 is the
reference, 0 by construction) and over every period after go-live (the overall effect).

Confidence intervals use the spread of a bootstrap that resamples whole LAs (clustered by
LA), within each group and among the LAs in no hub, so that an LA's years stay together; the
check of parallel trends looks at every period before go-live at once (Bonferroni). Written with
numpy only: the estimator is a few means, and statsmodels, pyfixest and csdid would bring
pandas and more for what is a page of code whose every step is tested here on panels with
a known planted effect.

The estimate is refused, with the reason, when the data cannot support it: too few LAs on
either side, no period before go-live, or trends that were not parallel before go-live.
"""

from dataclasses import dataclass, field

import numpy as np

MIN_TREATED = 3
MIN_CONTROL = 5
NEVER = np.inf


@dataclass
class Panel:
    """Outcomes by unit (row) and period (column, consecutive), NaN where missing;
    ``first_treated`` is each unit's first treated period (its column index), or NEVER."""

    outcome: np.ndarray
    first_treated: np.ndarray
    periods: list = field(default_factory=list)  # labels of the columns

    def __post_init__(self):
        self.outcome = np.asarray(self.outcome, dtype=float)
        self.first_treated = np.asarray(self.first_treated, dtype=float)
        if not self.periods:
            self.periods = list(range(self.outcome.shape[1]))


@dataclass
class Estimate:
    value: float | None
    low: float | None
    high: float | None
    units: int  # treated LAs the value rests on


@dataclass
class Result:
    overall: Estimate | None
    events: dict[int, Estimate]  # time since go-live -> estimate
    treated_units: int
    control_units: int
    periods: int
    refused: str | None  # why no number is given, or None

    @property
    def supported(self) -> bool:
        return self.refused is None


def _group_time(y: np.ndarray, first: np.ndarray) -> dict[tuple[int, int], tuple[float, int]]:
    """ATT(g, t) and the number of treated units it rests on, for every group and period
    with its base period g-1 observed."""
    never = ~np.isfinite(first)
    periods = y.shape[1]
    out = {}
    for g in np.unique(first[np.isfinite(first)]).astype(int):
        base = g - 1
        if base < 0:
            continue
        group = first == g
        for t in range(periods):
            if t == base:
                continue
            treated = y[group, t] - y[group, base]
            control = y[never, t] - y[never, base]
            treated, control = treated[~np.isnan(treated)], control[~np.isnan(control)]
            if len(treated) and len(control):
                out[(g, t)] = (treated.mean() - control.mean(), len(treated))
    return out


def _aggregate(att: dict) -> tuple[float | None, dict[int, tuple[float, int]]]:
    """The overall effect (every period after go-live, weighted by units) and the event
    study (by time since go-live)."""
    by_event: dict[int, list] = {}
    for (g, t), (value, n) in att.items():
        by_event.setdefault(t - g, []).append((value, n))
    events = {
        e: (sum(v * n for v, n in cells) / sum(n for _, n in cells), sum(n for _, n in cells))
        for e, cells in by_event.items()
    }
    post = [(v, n) for (g, t), (v, n) in att.items() if t >= g]
    overall = sum(v * n for v, n in post) / sum(n for _, n in post) if post else None
    return overall, events


def estimate(panel: Panel, *, replicates: int = 199, level: float = 0.95, seed: int = 0) -> Result:
    """The event study and the overall effect with bootstrap intervals clustered by unit,
    or the reason the data cannot support them."""
    y, first = panel.outcome, panel.first_treated
    treated_units = int(np.isfinite(first).sum())
    control_units = int((~np.isfinite(first)).sum())
    periods = y.shape[1]

    def refusal(reason: str) -> Result:
        return Result(None, {}, treated_units, control_units, periods, reason)

    if treated_units < MIN_TREATED or control_units < MIN_CONTROL:
        return refusal(
            f"Too few LAs: {treated_units} in hubs and {control_units} in none; an estimate "
            f"needs at least {MIN_TREATED} and {MIN_CONTROL}."
        )
    att = _group_time(y, first)
    overall, events = _aggregate(att)
    if overall is None or not any(e < -1 for e in events):
        return refusal(
            "Not enough periods before go-live: the change since go-live cannot be told "
            "apart from the change every LA saw, nor can it be checked that hub LAs and the "
            "others were moving alike before (that needs two periods before go-live)."
        )
    # the bootstrap: whole units resampled within each group and among the never treated
    rng = np.random.default_rng(seed)
    strata = [np.flatnonzero(first == g) for g in np.unique(first[np.isfinite(first)])]
    strata.append(np.flatnonzero(~np.isfinite(first)))
    draws_overall, draws_events = [], {e: [] for e in events}
    for _ in range(replicates):
        rows = np.concatenate([rng.choice(s, size=len(s), replace=True) for s in strata])
        o, ev = _aggregate(_group_time(y[rows], first[rows]))
        draws_overall.append(np.nan if o is None else o)
        for e in draws_events:
            draws_events[e].append(ev[e][0] if e in ev else np.nan)
    # resampling n units gives (n - 1) / n of the variance: corrected with the smallest
    # group, so that a group of 8 LAs does not make the interval 7% too narrow
    smallest = min(len(s) for s in strata)
    correction = np.sqrt(smallest / (smallest - 1)) if smallest > 1 else 1.0
    from statistics import NormalDist

    def interval(value, draws, level=level) -> tuple[float, float]:
        spread = np.nanstd(draws, ddof=1) * correction
        z = NormalDist().inv_cdf(1 - (1 - level) / 2)
        return float(value - z * spread), float(value + z * spread)

    overall_est = Estimate(float(overall), *interval(overall, draws_overall), units=treated_units)
    event_ests = {
        e: Estimate(float(v), *interval(v, draws_events[e]), units=n)
        for e, (v, n) in sorted(events.items())
    }
    # the period before go-live is the reference: 0 by construction, shown as such
    event_ests[-1] = Estimate(0.0, 0.0, 0.0, treated_units)
    event_ests = dict(sorted(event_ests.items()))
    result = Result(overall_est, event_ests, treated_units, control_units, periods, None)
    # the check that trends were parallel: every period before go-live at once (Bonferroni),
    # so that many pre-periods do not make a refusal likely by chance alone
    pre = [e for e in event_ests if e < -1]
    joint = 1 - (1 - level) / max(len(pre), 1)
    off = []
    for e in pre:
        low, high = interval(event_ests[e].value, draws_events[e], level=joint)
        if low > 0 or high < 0:
            off.append((e, Estimate(event_ests[e].value, low, high, event_ests[e].units)))
    if off:
        e, est = off[0]
        result.refused = (
            "Trends were not parallel before go-live: "
            f"{-e} periods before, hub LAs already differed by {est.value:+.1f} "
            f"({est.low:+.1f} to {est.high:+.1f}), so a difference after go-live cannot be "
            "put down to the hubs."
        )
    return result


def two_way_fixed_effects(panel: Panel) -> float:
    """The naive regression Y = LA effect + period effect + b * (hub live) + error: b. For
    comparison only (biased when starts differ and effects change over time)."""
    y, first = panel.outcome, panel.first_treated
    units, periods = y.shape
    rows, targets = [], []
    for i in range(units):
        for t in range(periods):
            if np.isnan(y[i, t]):
                continue
            x = np.zeros(units + periods + 1)
            x[i] = 1
            x[units + t] = 1
            x[-1] = 1.0 if t >= first[i] else 0.0
            rows.append(x)
            targets.append(y[i, t])
    coef, *_ = np.linalg.lstsq(np.array(rows), np.array(targets), rcond=None)
    return float(coef[-1])


# The tracker's data as panels ---------------------------------------------------------

OUTCOMES = {
    "enquiries": "Initial enquiries",
    "enquiry_to_application": "Enquiry to application (%)",
    "enquiry_to_approval": "Enquiry to approval (%)",
}


def first_treated_year(go_live) -> int:
    """The first year ending 31 March that counts as a hub's: the year it went live in if
    that was by 30 September (at least half the year with the hub), else the next one."""
    year = go_live.year + (1 if go_live.month >= 4 else 0)
    if go_live.month in (10, 11, 12, 1, 2, 3):
        year += 1
    return year


def annual_panels(outcome: str, hubs=None) -> dict:
    """From the published figures: one panel per hub (its member LAs against the LAs in no
    hub) and a pooled one (every hub's LAs), for one outcome. Rates are in per cent; a
    suppressed or missing figure is left out, never read as zero."""
    from clusters.models import Hub

    from .models import PublishedFigure

    figures = list(
        PublishedFigure.objects.values_list(
            "local_authority_id", "year_ending", "initial_enquiries", "applications", "approvals"
        )
    )
    if not figures:
        return {}
    years = sorted({f[1].year for f in figures})
    years = list(range(years[0], years[-1] + 1))
    las = sorted({f[0] for f in figures})
    row_of = {la: i for i, la in enumerate(las)}
    y = np.full((len(las), len(years)), np.nan)
    for la, year_ending, enquiries, applications, approvals in figures:
        if outcome == "enquiries":
            value = enquiries
        elif not enquiries:
            value = None
        else:
            top = applications if outcome == "enquiry_to_application" else approvals
            value = None if top is None else 100 * top / enquiries
        if value is not None:
            y[row_of[la], years.index(year_ending.year)] = value
    hubs = list(
        Hub.objects.select_related("cluster").filter(go_live_date__isnull=False)
        if hubs is None
        else hubs
    )
    starts = {hub: first_treated_year(hub.go_live_date) - years[0] for hub in hubs}
    return _panels(y, las, starts, years)


def _panels(y: np.ndarray, las: list, starts: dict, labels: list) -> dict:
    """The pooled panel (every hub's LAs against the LAs in no cluster) and one per hub (its
    LAs against the same), from outcomes by LA (rows, in the order of ``las``) and period,
    given each hub's first period as a column index. LAs in a cluster whose hub has no start
    are in neither group."""
    from clusters.models import ClusterMembership

    row_of = {la: i for i, la in enumerate(las)}
    members: dict[int, set] = {}
    for cluster_id, la in ClusterMembership.objects.values_list("cluster_id", "local_authority_id"):
        members.setdefault(cluster_id, set()).add(la)
    in_any = set().union(*members.values()) if members else set()
    first = np.full(len(las), NEVER)
    by_hub = {}
    for hub, column in starts.items():
        rows = [row_of[la] for la in members.get(hub.cluster_id, ()) if la in row_of]
        for row in rows:
            first[row] = min(first[row], column)
        by_hub[hub] = rows
    keep = np.array([la not in in_any or np.isfinite(first[row_of[la]]) for la in las])
    panels = {"pooled": Panel(y[keep], first[keep], periods=labels)}
    never = keep & ~np.isfinite(first)
    for hub, rows in by_hub.items():
        mine = np.zeros(len(las), dtype=bool)
        mine[rows] = True
        take = mine | never
        panels[hub] = Panel(y[take], np.where(mine, first, NEVER)[take], periods=labels)
    return panels


def monthly_panels(outcome: str, today=None) -> dict:
    """From the tracker's own records (pipeline.facts' monthly summaries): one panel per hub
    and a pooled one, by calendar month, over the LAs that have records, hub members against
    LAs in no cluster. A month inside an LA's records with no row is 0 enquiries; months
    before its first or after its last are missing. Rates are of the month's enquirers who
    have reached the stage by now: recent months are low for every LA alike, which the
    comparison with LAs in no hub takes out. The month in progress is left out."""
    from django.utils import timezone

    from clusters.models import Hub
    from core.periods import add_months, month_start

    from .models import RecordMonth

    current = month_start(today or timezone.localdate())
    rows = list(
        RecordMonth.objects.filter(month__lt=current).values_list(
            "local_authority_id",
            "month",
            "entered_enquiry",
            "reached_application",
            "reached_approval",
        )
    )
    if not rows:
        return {}
    first_month = min(r[1] for r in rows)
    count = (current.year - first_month.year) * 12 + current.month - first_month.month
    months = [add_months(first_month, i) for i in range(count)]
    index = {m: i for i, m in enumerate(months)}
    las = sorted({r[0] for r in rows})
    row_of = {la: i for i, la in enumerate(las)}
    enquiries = np.full((len(las), count), np.nan)
    reached = np.full((len(las), count), np.nan)
    spans: dict[int, list] = {}
    for la, month, *_ in rows:
        span = spans.setdefault(la, [index[month], index[month]])
        span[0], span[1] = min(span[0], index[month]), max(span[1], index[month])
    for la, (lo, hi) in spans.items():
        enquiries[row_of[la], lo : hi + 1] = 0
        reached[row_of[la], lo : hi + 1] = 0
    for la, month, n, applications, approvals in rows:
        enquiries[row_of[la], index[month]] = n
        top = applications if outcome == "enquiry_to_application" else approvals
        reached[row_of[la], index[month]] = top
    if outcome == "enquiries":
        y = enquiries
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(enquiries > 0, 100 * reached / enquiries, np.nan)
    starts = {}
    for hub in Hub.objects.select_related("cluster").filter(go_live_date__isnull=False):
        live = hub.go_live_date
        start = month_start(live) if live.day <= 15 else add_months(live, 1)
        starts[hub] = index.get(start, len(months) if start >= current else 0)
    return _panels(y, las, starts, [f"{m:%b %Y}" for m in months])


def summary(outcome: str, result: Result, periods: list, unit: str = "year") -> dict:
    """What a page shows of one estimate: the numbers and what they mean, in words."""
    label = OUTCOMES[outcome]
    points = "" if outcome == "enquiries" else " percentage points"
    span = "years ending 31 March" if unit == "year" else "months"
    rests_on = (
        f"It rests on {result.treated_units} LAs in hubs and {result.control_units} in none, "
        f"over {result.periods} {span} ({periods[0]} to {periods[-1]})."
        if periods
        else ""
    )
    if not result.supported:
        return {"label": label, "refused": result.refused, "rests_on": rests_on}
    o = result.overall
    if o.low > 0 or o.high < 0:
        direction = "higher" if o.value > 0 else "lower"
        meaning = (
            f"After go-live, hub LAs' {label.lower()} were {abs(o.value):,.1f}{points} {direction} "
            f"each {unit} than the change seen in LAs in no hub would predict (95% interval "
            f"{o.low:+,.1f} to {o.high:+,.1f})."
        )
    else:
        meaning = (
            f"After go-live, hub LAs' {label.lower()} differed by {o.value:+,.1f}{points} a {unit} "
            "from what the change seen in LAs in no hub would predict, but the 95% interval "
            f"({o.low:+,.1f} to {o.high:+,.1f}) includes no difference: the data show no clear "
            "effect either way."
        )
    return {"label": label, "refused": None, "meaning": meaning, "rests_on": rests_on}


# Kept in the cache, worked out in the background (core.background) ----------------------


def _section(outcome: str, panels: dict, unit: str, per_hub: bool) -> dict:
    pooled = estimate(panels["pooled"])
    entry = {
        "outcome": outcome,
        "pooled": summary(outcome, pooled, panels["pooled"].periods, unit),
        "overall": {
            "value": pooled.overall.value,
            "low": pooled.overall.low,
            "high": pooled.overall.high,
        }
        if pooled.supported
        else None,
        "events": [
            {"e": e, "value": est.value, "low": est.low, "high": est.high}
            for e, est in pooled.events.items()
        ],
        "hubs": [],
    }
    for hub, panel in panels.items():
        if hub == "pooled" or not per_hub:
            continue
        result = estimate(panel)
        entry["hubs"].append(
            {
                "name": hub.name,
                "go_live": hub.go_live_date,
                **summary(outcome, result, panel.periods, unit),
                "value": result.overall.value if result.supported else None,
            }
        )
    return entry


def for_month(month_iso: str) -> dict:
    """Every outcome's estimates: annual from the published figures (pooled and each hub),
    monthly from the tracker's records (pooled), as kept."""
    import datetime

    today = datetime.date.fromisoformat(month_iso)
    annual, monthly = [], []
    for outcome in OUTCOMES:
        panels = annual_panels(outcome)
        if panels:
            annual.append(_section(outcome, panels, "year", per_hub=True))
        panels = monthly_panels(outcome, today)
        if panels:
            monthly.append(_section(outcome, panels, "month", per_hub=False))
    return {"annual": annual, "monthly": monthly}


def hub_effects_key(today) -> str:
    """Moves when the published figures, the memberships, the hubs or the records change,
    or a month ends (the monthly panels stop at the month in progress)."""
    from clusters.models import ClusterMembership, Hub
    from core.cache import rows_version

    from .facts import version
    from .models import PublishedFigure

    rows = rows_version(
        PublishedFigure.history.model, ClusterMembership.history.model, Hub.history.model
    )
    return f"hub-effect:3:{today:%Y-%m}:{rows}:{version()}"


def hub_effects(today) -> dict | None:
    """The estimates if worked out; else they are started and this is None, or failed."""
    from core import background

    month = today.replace(day=1).isoformat()
    return background.looked_up(f"{__name__}.for_month", hub_effects_key(today), month)


def hub_effects_now(today) -> dict:
    from core import background

    month = today.replace(day=1).isoformat()
    return background.now(f"{__name__}.for_month", hub_effects_key(today), month)

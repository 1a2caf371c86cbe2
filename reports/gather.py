"""Everything a report shows, gathered in one place as plain JSON-able data.

A report is a list of sections (programme-wide ones, then one per cluster); a section is
a list of blocks; a block has tables (and maybe a chart spec and some text). Each source
area has one provider here that calls that area's selectors. A provider whose area has not
landed (ImportError, a missing function) yields blocks marked unavailable with the reason,
so the report works while the areas fill in.

Queries: each provider reads all clusters at once, so the count does not grow with the
records; the pipeline's funnel selector is called per cluster (three queries a call).
"""

import datetime
import logging
from collections import Counter, defaultdict
from collections.abc import Callable

from django.db.models import Count, F, Q
from django.utils import timezone

from .periods import add_months, financial_year_start, period_end, quarter_label, quarter_start

logger = logging.getLogger(__name__)


class Unavailable(Exception):
    """A source area is not there yet (or lacks the read the report needs)."""


# -- small builders --------------------------------------------------------------------


def col(label: str, fmt: str = "text") -> dict:
    """A table column; fmt is text, int, number (1 dp), percent (points, 1 dp) or money."""
    return {"label": label, "format": fmt}


def table(caption: str, columns: list[dict], rows: list[list]) -> dict:
    return {"caption": caption, "columns": columns, "rows": rows}


def block(
    key: str,
    title: str,
    *,
    tables: list[dict] | None = None,
    text: list[str] | None = None,
    chart: dict | None = None,
    money: bool = False,
    available: bool = True,
    reason: str = "",
) -> dict:
    tables = list(tables or [])
    if chart is not None:
        # every chart has its numbers in a table right after it (web, PDF and XLSX alike)
        chart = {**chart, "table": len(tables)}
        tables.append(
            table(
                f"Figures in the chart: {chart['caption']}",
                [
                    col(chart.get("label", "Measure")),
                    col(chart["unit"], chart.get("format", "number")),
                ],
                chart["rows"],
            )
        )
    return {
        "key": key,
        "title": title,
        "tables": tables,
        "text": text or [],
        "chart": chart,
        "money": money,
        "available": available,
        "reason": reason,
    }


def num(value, places: int = 1):
    """A JSON number rounded as it will be shown (so every format agrees)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return round(float(value), places)


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun agreeing: "1 learning event", "2 learning events", "0 lessons"
    (a whole count with thousands separated)."""
    noun = singular if count == 1 else (plural_form or f"{singular}s")
    shown = f"{count:,}" if isinstance(count, int) else count
    return f"{shown} {noun}"


def pct(numerator, denominator):
    if not denominator:
        return None
    return round(100 * numerator / denominator, 1)


def _d(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _date_text(day) -> str:
    if not day:
        return ""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return f"{day:%-d %b %Y}"


# -- context ---------------------------------------------------------------------------


def _context(kind: str, start: datetime.date) -> dict:
    from clusters.models import Cluster
    from programme.selectors import current_contract

    contract = current_contract()
    end = period_end(kind, start)
    clusters = list(Cluster.objects.order_by("name").values("pk", "slug", "name"))
    return {
        "kind": kind,
        "start": start,
        "end": end,
        "fy_start": financial_year_start(start),
        "contract": contract,
        "clusters": clusters,
        "today": timezone.localdate(),
    }


def _unavailable(provider: Callable, error: Exception) -> dict:
    reason = str(error) or error.__class__.__name__
    logger.info("report provider %s unavailable: %s", provider.__name__, reason)
    return {"available": False, "reason": reason}


def _run(provider: Callable, ctx: dict) -> dict:
    try:
        return {"available": True, **provider(ctx)}
    except (ImportError, AttributeError, Unavailable) as error:
        return _unavailable(provider, error)


def _area_function(module: str, name: str) -> Callable:
    """``module.name`` or Unavailable saying which area and read is missing."""
    from importlib import import_module

    area = module.partition(".")[0]
    try:
        mod = import_module(module)
    except ImportError as error:
        raise Unavailable(
            f"the {area} area of the tracker does not provide these figures yet ({module})."
        ) from error
    function = getattr(mod, name, None)
    if function is None:
        raise Unavailable(
            f"the {area} area of the tracker does not provide these figures yet ({module}.{name})."
        )
    return function


def _field(item, *names, default=""):
    """The first of ``names`` on an object or dict (the areas return either)."""
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if callable(value) and not hasattr(value, "all"):
            value = value()
        if value not in (None, ""):
            return value
    return default


# -- providers: monthly ----------------------------------------------------------------


def progress_provider(ctx: dict) -> dict:
    """Delivery confidence for the month with its change, and the narrative (one query)."""
    from clusters.models import ProgressUpdate, Rating

    start = ctx["start"]
    previous = add_months(start, -1)
    updates = {
        (u["cluster_id"], u["month"]): u
        for u in ProgressUpdate.objects.filter(month__in=[start, previous]).values(
            "cluster_id",
            "month",
            "rating",
            "what_changed",
            "progress",
            "next_steps",
            "support_asked",
        )
    }
    labels = dict(Rating.choices)
    order = [r.value for r in Rating]
    per_cluster, ratings = {}, Counter()
    for c in ctx["clusters"]:
        now = updates.get((c["pk"], start))
        before = updates.get((c["pk"], previous))
        if now is None:
            per_cluster[c["pk"]] = [
                block(
                    "confidence",
                    "Delivery confidence",
                    text=[f"No progress update was recorded for {start:%B %Y}."],
                )
            ]
            ratings["No update"] += 1
            continue
        ratings[labels[now["rating"]]] += 1
        if before is None:
            change = "First update"
        elif before["rating"] == now["rating"]:
            change = "No change"
        elif order.index(now["rating"]) < order.index(before["rating"]):
            change = "Improved"
        else:
            change = "Worsened"
        rows = [
            [
                labels[now["rating"]],
                labels[before["rating"]] if before else "None recorded",
                change,
            ]
        ]
        text = [f"Progress of design and delivery: {now['progress']}"]
        if now["what_changed"]:
            text.append(f"What changed: {now['what_changed']}")
        if now["next_steps"]:
            text.append(f"Next steps: {now['next_steps']}")
        if now["support_asked"]:
            text.append(f"Support asked of DfE: {now['support_asked']}")
        per_cluster[c["pk"]] = [
            block(
                "confidence",
                "Delivery confidence",
                tables=[
                    table(
                        f"Delivery confidence, {start:%B %Y}",
                        [col("This month"), col("Last month"), col("Change")],
                        rows,
                    )
                ],
                text=text,
            )
        ]
    summary = ", ".join(f"{n} {label}" for label, n in sorted(ratings.items()))
    return {
        "clusters": per_cluster,
        "key_figures": [
            f"Delivery confidence across {plural(len(ctx['clusters']), 'cluster')}: {summary}."
        ]
        if ctx["clusters"]
        else [],
    }


def _milestone_state(m: dict, start, end) -> str | None:
    if m["actual_date"] and start <= m["actual_date"] < end:
        return "Met"
    if m["actual_date"]:
        return None
    if m["status"] == "missed" or m["forecast_date"] < start:
        return "Missed"
    if m["forecast_date"] < end or start <= m["baseline_date"] < end:
        return "Due"
    return None


def milestones_provider(ctx: dict) -> dict:
    """Milestones due, met and missed in the period: programme-wide and per cluster
    (one query). Missed: overdue at the period's start and still not met, or marked missed."""
    from programme.models import Milestone

    start, end = ctx["start"], ctx["end"]
    rows = Milestone.objects.filter(
        Q(actual_date__gte=start, actual_date__lt=end)
        | Q(actual_date__isnull=True, forecast_date__lt=end)
        | Q(actual_date__isnull=True, baseline_date__gte=start, baseline_date__lt=end)
    ).values("cluster_id", "title", "baseline_date", "forecast_date", "actual_date", "status")
    grouped = defaultdict(list)
    for m in rows:
        state = _milestone_state(m, start, end)
        if state:
            grouped[m["cluster_id"]].append((state, m))

    columns = [col("Milestone"), col("Baseline"), col("Forecast"), col("Met on"), col("State")]

    def milestone_block(items, caption):
        items.sort(key=lambda i: (["Missed", "Due", "Met"].index(i[0]), i[1]["forecast_date"]))
        counts = Counter(state for state, _ in items)
        return block(
            "milestones",
            "Milestones",
            tables=[
                table(
                    f"{caption}: due, met and missed",
                    [col("Due", "int"), col("Met", "int"), col("Missed", "int")],
                    [[counts["Due"], counts["Met"], counts["Missed"]]],
                ),
                table(
                    caption,
                    columns,
                    [
                        [
                            m["title"],
                            _date_text(m["baseline_date"]),
                            _date_text(m["forecast_date"]),
                            _date_text(m["actual_date"]),
                            state,
                        ]
                        for state, m in items
                    ],
                ),
            ],
        ), counts

    programme_block, counts = milestone_block(grouped[None], "Programme milestones")
    per_cluster = {}
    total = Counter(counts)
    for c in ctx["clusters"]:
        cluster_block, cluster_counts = milestone_block(
            grouped[c["pk"]], f"Milestones of {c['name']}"
        )
        per_cluster[c["pk"]] = [cluster_block]
        total.update(cluster_counts)
    # the summary counts what the sections list: programme-wide milestones and every
    # cluster's (not the programme-wide ones alone)
    return {
        "programme": [programme_block],
        "clusters": per_cluster,
        "key_figures": [
            f"Milestones in {start:%B %Y}, programme-wide and in "
            f"{plural(len(ctx['clusters']), 'cluster')}: {total['Met']} met, "
            f"{total['Due']} due and {total['Missed']} missed."
        ],
    }


def harmonisation_provider(ctx: dict) -> dict:
    """Harmonisation items in place across each cluster's current members (two queries)."""
    from clusters.models import ClusterMembership, Harmonisation, HarmonisationItem

    members = dict(
        ClusterMembership.objects.filter(left_on__isnull=True)
        .values("cluster_id")
        .annotate(n=Count("pk"))
        .values_list("cluster_id", "n")
    )
    cells = defaultdict(Counter)
    for row in (
        Harmonisation.objects.filter(
            local_authority__memberships__cluster=F("cluster"),
            local_authority__memberships__left_on__isnull=True,
        )
        .values("cluster_id", "item", "status")
        .annotate(n=Count("pk"))
    ):
        cells[(row["cluster_id"], row["item"])][row["status"]] += row["n"]
    per_cluster = {}
    for c in ctx["clusters"]:
        total = members.get(c["pk"], 0)
        rows = []
        for value, label in HarmonisationItem.choices:
            counts = cells[(c["pk"], value)]
            rows.append(
                [
                    label,
                    counts["in_place"],
                    counts["agreed"],
                    counts["in_progress"],
                    total - counts["in_place"] - counts["agreed"] - counts["in_progress"],
                    pct(counts["in_place"], total),
                ]
            )
        per_cluster[c["pk"]] = [
            block(
                "harmonisation",
                "Harmonisation in place",
                text=[f"{total} member local authorities. Status as at the data date."],
                tables=[
                    table(
                        f"Harmonisation across the {total} members of {c['name']}",
                        [
                            col("Item"),
                            col("In place", "int"),
                            col("Agreed", "int"),
                            col("In progress", "int"),
                            col("Not started", "int"),
                            col("In place (%)", "percent"),
                        ],
                        rows,
                    )
                ],
            )
        ]
    return {"clusters": per_cluster}


def pipeline_provider(ctx: dict) -> dict:
    """The funnel per cluster for the month and the financial year to date, against the
    cluster's own rate a year earlier and the national baseline (pipeline.selectors)."""
    funnel = _area_function("pipeline.selectors", "funnel")
    from pipeline.scope import ENGLAND, Period, Scope

    start, end = ctx["start"], ctx["end"]
    month = Period("month", start, end, f"{start:%B %Y}")
    ytd = Period("month", ctx["fy_start"], end, f"{ctx['fy_start']:%B %Y} to {start:%B %Y}")
    earlier = Period(
        "month", add_months(start, -12), add_months(end, -12), f"{add_months(start, -12):%B %Y}"
    )
    from pipeline.selectors import BASELINE

    national = round(100 * BASELINE["enquiry_to_application"], 1)
    england = funnel(ENGLAND, month, detail=False)
    per_cluster, total_enquiries, total_applications = {}, 0, 0
    for c in ctx["clusters"]:
        scope = Scope("cluster", c["pk"], c["name"])
        rows = []
        rates = {}
        for label, period in (
            ("Month", month),
            ("Year to date", ytd),
            ("Same month a year earlier", earlier),
        ):
            f = funnel(scope, period, detail=False)
            counts = {s["code"]: s["count"] for s in f["stages"]}
            rate = pct(counts.get("application", 0), f["enquiries"])
            rates[label] = rate
            rows.append(
                [
                    f"{label} ({period.label})",
                    f["enquiries"],
                    counts.get("application", 0),
                    counts.get("approval", 0),
                    rate,
                ]
            )
            if period is month:
                total_enquiries += f["enquiries"]
                total_applications += counts.get("application", 0)
                stage_rows = [[s["name"], s["count"]] for s in f["stages"]]
        rows.append(["National baseline (all sectors, 2021-22)", None, None, None, national])
        chart_rows = [
            ["This month", rates["Month"]],
            ["Year to date", rates["Year to date"]],
            ["A year earlier", rates["Same month a year earlier"]],
            ["National baseline", national],
        ]
        per_cluster[c["pk"]] = [
            block(
                "pipeline",
                "Pipeline: enquiry to application",
                tables=[
                    table(
                        f"Enquiries and applications in {c['name']}",
                        [
                            col("Period"),
                            col("Enquiries", "int"),
                            col("Applications", "int"),
                            col("Approvals", "int"),
                            col("Enquiry to application (%)", "percent"),
                        ],
                        rows,
                    ),
                    table(
                        f"People entering each stage in {start:%B %Y}",
                        [col("Stage"), col("People", "int")],
                        stage_rows,
                    ),
                ],
                chart={
                    "type": "rates",
                    "caption": f"Enquiry to application rate in {c['name']} against the "
                    f"national baseline of {national}%",
                    "rows": chart_rows,
                    "empty": all(r[1] is None for r in chart_rows[:-1]),
                    "label": "Period",
                    "unit": "Enquiry to application (%)",
                    "format": "percent",
                    "reference": national,
                },
            )
        ]
    england_rate = england["enquiry_to_application"]
    return {
        "clusters": per_cluster,
        "key_figures": [
            f"Enquiries across the clusters in {start:%B %Y}: {total_enquiries:,}, of which "
            f"{total_applications:,} "
            f"{'became an application' if total_applications == 1 else 'became applications'} "
            f"({pct(total_applications, total_enquiries) if total_enquiries else 0}%; national "
            f"baseline {national}%"
            + (f"; England this month {round(100 * england_rate, 1)}%" if england_rate else "")
            + ")."
        ],
    }


def timesheets_provider(ctx: dict) -> dict:
    """Days and hours of support per cluster by requirement, and spend against the caps
    with the forecast (timesheets.selectors)."""
    support = _area_function("timesheets.selectors", "support_by_cluster")
    spend = _area_function("timesheets.selectors", "spend_against_caps")
    return _timesheet_blocks(ctx, support, spend)


def _timesheet_blocks(ctx, support, spend) -> dict:
    """Per cluster: days and hours of support by requirement in the month, the financial
    year and the contract to date, against the planning figure (no money, so it stays in a
    lead's copy). Programme-wide: days per cluster against the plan, and spend against each
    cap with the forecast (``money``, so a lead's copy drops it). Four queries."""
    from timesheets.models import Requirement
    from timesheets.selectors import allocation_flag

    start, end, fy_start = ctx["start"], ctx["end"], ctx["fy_start"]
    contract = ctx["contract"]
    hpd, planning = contract.hours_per_day, contract.planning_days_per_cluster_month
    months_in_year = (start.year - fy_start.year) * 12 + start.month - fy_start.month + 1
    days = support(start=start, end=end, fy_start=fy_start)
    month_label = f"{start:%B %Y}"

    def pair(value):
        return [num(value), num(value * hpd)]

    def figures(place) -> tuple[list[list], dict]:
        totals = {"month": 0, "fy": 0, "total": 0}
        rows = []
        for value, label in Requirement.choices:
            cell = days[place][value]
            rows.append([label, *pair(cell["month"]), *pair(cell["fy"]), *pair(cell["total"])])
            for key in totals:
                totals[key] += cell[key]
        rows.append(
            [
                "All requirements",
                *pair(totals["month"]),
                *pair(totals["fy"]),
                *pair(totals["total"]),
            ]
        )
        return rows, totals

    columns = [
        col("Requirement"),
        col("Days in the month", "number"),
        col("Hours in the month", "number"),
        col("Days in the year to date", "number"),
        col("Hours in the year to date", "number"),
        col("Days since the contract began", "number"),
        col("Hours since the contract began", "number"),
    ]
    per_cluster, summary_rows, chart_rows = {}, [], []
    all_days = 0
    for c in ctx["clusters"]:
        rows, totals = figures(c["pk"])
        rows.append(
            ["Planning figure", *pair(planning), *pair(planning * months_in_year), None, None]
        )
        flag = allocation_flag(totals["month"], planning, in_progress=False)
        per_cluster[c["pk"]] = [
            block(
                "support",
                "Support delivered",
                text=[
                    f"{num(totals['month'])} days ({num(totals['month'] * hpd)} hours) of "
                    f"support in {month_label}, against the planning figure of "
                    f"{num(planning)} days a month: {flag.lower()}."
                ],
                tables=[
                    table(f"Days and hours of support to {c['name']}", columns, rows),
                ],
            )
        ]
        summary_rows.append([c["name"], *pair(totals["month"]), num(planning), flag])
        chart_rows.append([c["name"], num(totals["month"])])
        all_days += totals["month"]
    _, programme_wide = figures(None)
    summary_rows.append(["Programme-wide work", *pair(programme_wide["month"]), None, ""])
    all_days += programme_wide["month"]
    support_block = block(
        "support",
        "Support across the clusters",
        tables=[
            table(
                f"Days and hours of support in {month_label} against the planning figure",
                [
                    col("Cluster"),
                    col("Days", "number"),
                    col("Hours", "number"),
                    col("Planning figure (days)", "number"),
                    col("Against plan"),
                ],
                summary_rows,
            )
        ],
        chart={
            "type": "support",
            "caption": f"Days of support per cluster in {month_label} against the planning "
            f"figure of {num(planning)} days",
            "rows": chart_rows,
            "label": "Cluster",
            "unit": "Days of support",
            "format": "number",
            "reference": num(planning),
        },
    )

    caps = spend(month=start)
    spend_rows = []
    for cap in caps:
        if cap["reached"] is not None:
            outlook = f"Forecast to reach the cap in {cap['reached']:%B %Y}"
            if cap["spent"] >= cap["cap"]:
                outlook = f"Cap reached in {cap['reached']:%B %Y}"
        elif cap["last"] is not None and cap["last"] <= start:
            outlook = "Year ended within the cap"
        else:
            outlook = f"Within the cap at the end of {cap['last']:%B %Y}"
        spend_rows.append(
            [
                f"Financial year {cap['label']}" if cap["kind"] == "fy" else cap["label"],
                num(cap["cap"], 2),
                num(cap["spent"], 2),
                num(cap["percent"]),
                num(cap["headroom"], 2),
                num(cap["run_rate"], 2),
                num(cap["forecast_end"], 2),
                outlook,
            ]
        )
    year = next(
        (c for c in caps if c["kind"] == "fy" and c["first"] and c["first"] <= start <= c["last"]),
        None,
    )
    spend_block = block(
        "spend",
        "Spend against the caps",
        money=True,
        text=[
            f"Approved and invoiced cost, excluding VAT, to the end of {month_label}. The "
            "forecast continues at the average cost of the three months to then."
        ],
        tables=[
            table(
                f"Spend against each cap at the end of {month_label}",
                [
                    col("Cap"),
                    col("Cap (£)", "money"),
                    col("Approved cost (£)", "money"),
                    col("Used (%)", "percent"),
                    col("Headroom (£)", "money"),
                    col("Run rate a month (£)", "money"),
                    col("Forecast at the end (£)", "money"),
                    col("Outlook"),
                ],
                spend_rows,
            )
        ],
        chart={
            "type": "spend",
            "caption": f"Share of each cap used at the end of {month_label}",
            "rows": [[r[0], r[3]] for r in spend_rows],
            "label": "Cap",
            "unit": "Share of the cap used (%)",
            "format": "percent",
            "reference": 100,
        },
    )
    key_figures = [
        f"Support in {month_label}: {plural(num(all_days), 'day')} "
        f"({plural(num(all_days * hpd), 'hour')}) across "
        f"{plural(len(ctx['clusters']), 'cluster')} and programme-wide work."
    ]
    if year is not None:
        key_figures.append(
            f"Approved cost in {year['label']} to the end of {month_label}: "
            f"£{year['spent']:,.0f} of the £{year['cap']:,.0f} cap ({num(year['percent'])}%)."
        )
    return {
        "programme": [support_block, spend_block],
        "clusters": per_cluster,
        "key_figures": key_figures,
    }


def insights_provider(ctx: dict) -> dict:
    """Top risks and issues with mitigations per cluster and programme-wide, learning
    published and events held in the period (insights.selectors). Four queries whatever
    the clusters: the top items of every cluster are ranked in one query."""
    top = _area_function("insights.selectors", "top_risks_and_issues_by_cluster")
    lessons = _area_function("insights.selectors", "lessons_published_between")
    events = _area_function("insights.selectors", "events_held_between")
    start, last = ctx["start"], ctx["end"] - datetime.timedelta(days=1)
    top_items = top(limit=5)

    def risk_block(items, caption):
        return block(
            "risks",
            "Top risks and issues",
            tables=[
                table(
                    caption,
                    [
                        col("Type"),
                        col("Title"),
                        col("Rating"),
                        col("Mitigation"),
                        col("Owner"),
                        col("Review by"),
                        col("Escalated to DfE"),
                    ],
                    [
                        [
                            str(_field(i, "get_kind_display", "kind_label", "kind")),
                            str(_field(i, "title")),
                            str(_field(i, "rating_label", "get_rating_display", "rating", "score")),
                            str(_field(i, "mitigation", "mitigations", "response")),
                            str(_field(i, "owner_name", "owner")),
                            _date_text(_field(i, "review_date", default=None)),
                            _date_text(_field(i, "escalated_on", default=None)),
                        ]
                        for i in items
                    ],
                )
            ],
            text=[] if items else ["No open risks or issues."],
        )

    per_cluster = {
        c["pk"]: [risk_block(top_items.get(c["pk"], []), f"Top risks and issues in {c['name']}")]
        for c in ctx["clusters"]
    }
    published = list(lessons(start, last))
    held = list(events(start, last))
    programme = [
        risk_block(top_items.get(None, []), "Top programme risks and issues"),
        block(
            "learning",
            "Learning",
            tables=[
                table(
                    f"Lessons published in {start:%B %Y}",
                    [col("Lesson"), col("Themes"), col("Published")],
                    [
                        [
                            str(_field(x, "title")),
                            str(_field(x, "theme_labels", "get_theme_display", "theme")),
                            _date_text(_field(x, "published_on", "published_at", default=None)),
                        ]
                        for x in published
                    ],
                ),
                table(
                    f"Learning events held in {start:%B %Y}",
                    [col("Event"), col("Type"), col("Held on"), col("LAs attending", "int")],
                    [
                        [
                            str(_field(x, "topic", "title", "name")),
                            str(_field(x, "get_kind_display", "kind")),
                            _date_text(_field(x, "held_on", "date", default=None)),
                            _field(x, "attendee_count", "attendees", default=None),
                        ]
                        for x in held
                    ],
                ),
            ],
        ),
    ]
    return {
        "programme": programme,
        "clusters": per_cluster,
        "key_figures": [
            f"Learning: {plural(len(published), 'lesson')} published and "
            f"{plural(len(held), 'learning event')} held."
        ],
    }


# -- providers: quarterly --------------------------------------------------------------


def kpi_provider(ctx: dict) -> dict:
    """Each KPI's value per quarter (this and the three before) against its target with the
    direction of travel, programme-wide and per cluster (two queries)."""
    from programme.selectors import kpis_with_latest_values

    start = ctx["start"]
    quarters = [add_months(start, -3 * i) for i in (3, 2, 1, 0)]
    kpis = list(kpis_with_latest_values())
    by_scope = defaultdict(list)  # cluster_id or None -> rows
    chart_rows = []
    met = 0
    for kpi in kpis:
        values = defaultdict(dict)
        for v in kpi.values.all():
            if v.quarter_start in quarters:
                values[v.cluster_id][v.quarter_start] = v.value
        fmt = "percent" if kpi.unit.strip() == "%" else "number"
        for scope_id, series in values.items():
            now = series.get(start)
            before = series.get(quarters[-2])
            if now is None:
                travel = "No value this quarter"
            elif before is None:
                travel = "No earlier value"
            elif now == before:
                travel = "No change"
            else:
                better = now > before if kpi.direction == "higher" else now < before
                travel = "Improving" if better else "Worsening"
            meets = "" if now is None else ("Yes" if kpi.meets_target(now) else "No")
            if scope_id is None and meets == "Yes":
                met += 1
            by_scope[scope_id].append(
                {
                    "fmt": fmt,
                    "row": [
                        kpi.name,
                        kpi.unit,
                        kpi.get_direction_display(),
                        num(kpi.target),
                        *[num(series.get(q)) for q in quarters],
                        meets,
                        travel,
                    ],
                }
            )
        if kpi.values.all() and None in values:
            chart_rows.append([kpi.name, num(values[None].get(start)), num(kpi.target), kpi.unit])

    def kpi_block(rows, caption, chart=None):
        columns = [
            col("KPI"),
            col("Unit"),
            col("Direction"),
            col("Target", "number"),
            *[col(quarter_label(q), "number") for q in quarters],
            col("Meets target"),
            col("Direction of travel"),
        ]
        return block(
            "kpis",
            "KPIs against target",
            tables=[table(caption, columns, [r["row"] for r in rows])],
            chart=chart,
            text=[] if rows else ["No KPI values were recorded for these quarters."],
        )

    programme_chart = {
        "type": "kpi",
        "caption": f"KPIs in {quarter_label(start)} as a share of their target",
        "rows": [
            [name, None if value is None or not target else round(100 * value / target, 1)]
            for name, value, target, _ in chart_rows
        ],
        "label": "KPI",
        "unit": "Value as a share of target (%)",
        "format": "percent",
        "reference": 100,
    }
    return {
        "programme": [kpi_block(by_scope[None], "Programme KPIs", programme_chart)],
        "clusters": {
            c["pk"]: [kpi_block(by_scope[c["pk"]], f"KPIs of {c['name']}")] for c in ctx["clusters"]
        },
        "key_figures": [
            f"{met} of {plural(len(kpis), 'KPI')} "
            f"{'met its' if len(kpis) == 1 else 'met their'} target programme-wide in "
            f"{quarter_label(start)}."
        ],
    }


def evaluation_provider(ctx: dict) -> dict:
    """Issue 19: are the hubs working (the pooled effect, and each hub's for the programme)
    and where each cluster will end the year (with the back-test), the same figures as the
    hub evaluation pages, frozen with the report."""
    from pipeline.evaluation import hub_effects_now
    from pipeline.projection import projections_now

    effects = hub_effects_now(ctx["today"])["annual"]
    result = projections_now(ctx["today"])

    def effect_rows(sections):
        rows = []
        for s in sections:
            pooled, overall = s["pooled"], s.get("overall")
            rows.append(
                [
                    pooled["label"],
                    None if overall is None else num(overall["value"]),
                    None if overall is None else num(overall["low"]),
                    None if overall is None else num(overall["high"]),
                    pooled.get("refused") or pooled.get("meaning", ""),
                    pooled.get("rests_on", ""),
                ]
            )
        return rows

    effect_columns = [
        col("Outcome"),
        col("Estimate a year", "number"),
        col("95% interval from", "number"),
        col("95% interval to", "number"),
        col("What it means"),
        col("What it rests on"),
    ]
    no_figures = ["No published figures are loaded, so the hubs' effect cannot be estimated."]
    pooled = block(
        "hub-effect",
        "Are the hubs working? (all hubs pooled)",
        tables=[table("Hub LAs against LAs in no hub", effect_columns, effect_rows(effects))]
        if effects
        else [],
        text=[] if effects else no_figures,
    )
    hub_rows = [
        [h["name"], s["pooled"]["label"], num(h.get("value")), h.get("refused") or h.get("meaning")]
        for s in effects
        for h in s["hubs"]
    ]
    each_hub = block(
        "hub-effect-each",
        "Each hub against the LAs in no hub",
        tables=[
            table(
                "Each hub's estimate",
                [
                    col("Hub"),
                    col("Outcome"),
                    col("Estimate a year", "number"),
                    col("What it means"),
                ],
                hub_rows,
            )
        ]
        if hub_rows
        else [],
        text=[]
        if hub_rows
        else [no_figures[0] if not effects else "No hub has a go-live date yet."],
    )
    level = result["level"]
    columns = [
        col("Cluster"),
        col("Approvals so far this year", "int"),
        col(f"Projected by 31 March {result['fy_end']:%Y}", "int"),
        col(f"{level}% range from", "int"),
        col(f"{level}% range to", "int"),
        col("Target a year", "int"),
        col("Projected by the contract's end", "int"),
        col("Made 3 months ago: projected", "int"),
        col("3 months: happened", "int"),
    ]

    def row(r):
        y, c = r["year"], r["contract"]
        back = r["back_tests"][0]
        return [
            r["cluster"]["name"],
            y.so_far,
            round(y.total),
            y.so_far + y.low,
            y.so_far + y.high,
            r["target"],
            round(c.total),
            round(back["projected"].expected),
            back["happened"],
        ]

    rows = {r["cluster"]["pk"]: row(r) for r in result["clusters"]}
    caption = f"Approvals projected on {_date_text(result['today'])}"
    met = sum(
        1
        for r in result["clusters"]
        if r["target"] and r["year"].so_far + r["year"].low >= r["target"]
    )
    targets = sum(1 for r in result["clusters"] if r["target"])

    def projection_block(selected):
        return block(
            "projections",
            "Where will the year end?",
            tables=[table(caption, columns, selected)],
            text=[
                "The range is where the count will fall 9 times in 10 if the coming months are "
                "like the last ones; the projection made three months ago is set beside what "
                "happened, to show how far to trust it."
            ],
        )

    return {
        "programme": [pooled, each_hub, projection_block(list(rows.values()))],
        "clusters": {
            c["pk"]: [pooled, projection_block([rows[c["pk"]]] if c["pk"] in rows else [])]
            for c in ctx["clusters"]
        },
        "key_figures": [
            f"{met} of {plural(targets, 'cluster')} with an approvals target "
            f"{'is' if met == 1 else 'are'} likely to meet it this year."
        ]
        if targets
        else [],
    }


# -- assembly --------------------------------------------------------------------------

MONTHLY_PROVIDERS = [
    ("support", "Support delivered", timesheets_provider),
    ("confidence", "Delivery confidence", progress_provider),
    ("milestones", "Milestones", milestones_provider),
    ("pipeline", "Pipeline", pipeline_provider),
    ("risks", "Risks, issues and learning", insights_provider),
    ("harmonisation", "Harmonisation", harmonisation_provider),
]
QUARTERLY_PROVIDERS = [
    ("kpis", "KPIs", kpi_provider),
    ("evaluation", "Hub evaluation", evaluation_provider),
]

PROGRAMME_SECTION_TITLES = {
    "support": "Support and spend across the programme",
    "milestones": "Programme milestones",
    "risks": "Programme risks, issues and learning",
    "kpis": "Programme KPIs",
    "evaluation": "Hub evaluation",
}


def _assemble(ctx: dict, providers, progress: Callable | None) -> dict:
    programme_sections, cluster_blocks, key_figures, sources = [], defaultdict(list), [], []
    for i, (key, title, provider) in enumerate(providers):
        result = _run(provider, ctx)
        sources.append(
            {
                "key": key,
                "title": title,
                "available": result["available"],
                "reason": result.get("reason", ""),
            }
        )
        if not result["available"]:
            missing = block(key, title, available=False, reason=result["reason"])
            if key in PROGRAMME_SECTION_TITLES:
                programme_sections.append(
                    {
                        "key": f"programme-{key}",
                        "title": PROGRAMME_SECTION_TITLES[key],
                        "cluster": None,
                        "blocks": [missing],
                    }
                )
            for c in ctx["clusters"]:
                cluster_blocks[c["pk"]].append(dict(missing))
        else:
            if result.get("programme"):
                programme_sections.append(
                    {
                        "key": f"programme-{key}",
                        "title": PROGRAMME_SECTION_TITLES.get(key, title),
                        "cluster": None,
                        "blocks": result["programme"],
                    }
                )
            for pk, blocks in result.get("clusters", {}).items():
                cluster_blocks[pk].extend(blocks)
            key_figures.extend(result.get("key_figures", []))
        if progress:
            progress(10 + int(60 * (i + 1) / len(providers)), f"Gathered {title.lower()}")
    sections = programme_sections + [
        {
            "key": f"cluster-{c['slug']}",
            "title": c["name"],
            "cluster": c["slug"],
            "blocks": cluster_blocks[c["pk"]],
        }
        for c in ctx["clusters"]
    ]
    return {
        "kind": ctx["kind"],
        "period": {
            "start": _d(ctx["start"]),
            "end": _d(ctx["end"]),
            "label": f"{ctx['start']:%B %Y}"
            if ctx["kind"] == "monthly"
            else quarter_label(ctx["start"]),
        },
        "contract": {
            "name": ctx["contract"].name,
            "reference": ctx["contract"].reference,
            "hours_per_day": num(ctx["contract"].hours_per_day, 2),
            "planning_days_per_cluster_month": num(
                ctx["contract"].planning_days_per_cluster_month, 2
            ),
        },
        "clusters": [{"slug": c["slug"], "name": c["name"]} for c in ctx["clusters"]],
        "key_figures": key_figures,
        "sources": sources,
        "sections": sections,
    }


def gather_monthly(month: datetime.date, *, progress: Callable | None = None) -> dict:
    """The monthly progress report's data for ``month`` (any day in it)."""
    ctx = _context("monthly", month.replace(day=1))
    return _assemble(ctx, MONTHLY_PROVIDERS, progress)


def gather_quarterly(quarter: datetime.date, *, progress: Callable | None = None) -> dict:
    """The quarterly KPI report's data for the quarter holding ``quarter``."""
    ctx = _context("quarterly", quarter_start(quarter))
    return _assemble(ctx, QUARTERLY_PROVIDERS, progress)


def gather(kind: str, start: datetime.date, *, progress: Callable | None = None) -> dict:
    return (gather_quarterly if kind == "quarterly" else gather_monthly)(start, progress=progress)

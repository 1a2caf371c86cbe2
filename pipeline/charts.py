"""Funnel charts as PNG data URIs: matplotlib Figure (never pyplot), Agg, the Analysis
Function palette, the national baseline drawn on each. Each is drawn once per content
(core.charts.drawn): the public functions pick out what the drawing reads."""

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from core.charts import BLUE, ORANGE, PLUM, TEAL, drawn
from core.charts import figure_png_uri as _uri


def funnel_page_charts(scope, data: dict, bench: list[dict]) -> dict:
    """The funnel page's rates table and its two charts, from the funnel with its year
    earlier (``selectors.funnel_comparison``) and the benchmarks beside it: drawn once per
    content, by the page or ahead of it (``pipeline.tasks.keep_figures``)."""
    rates = [
        {
            "label": scope.label,
            "enquiry_to_application": data["enquiry_to_application"],
            "enquiry_to_approval": data["enquiry_to_approval"],
        },
        *[{"label": b["scope"], **b} for b in bench],
        {
            "label": "A year earlier",
            "enquiry_to_application": data["year_earlier"]["enquiry_to_application"],
            "enquiry_to_approval": data["year_earlier"]["enquiry_to_approval"],
        },
    ]
    return {
        "rates": rates,
        "funnel_chart": funnel_chart(data),
        "rates_chart": rates_chart(rates, data["baseline"]),
    }


def funnel_chart(data: dict) -> str:
    spec = {
        "period": data["period"],
        "enquiries": data["enquiries"],
        "baseline": data["baseline"],
        "stages": [
            {k: s.get(k) for k in ("code", "name", "count", "year_earlier")} for s in data["stages"]
        ],
    }
    return drawn("funnel", spec, _draw_funnel)


def rates_chart(rows: list[dict], baseline: dict) -> str:
    spec = {
        "rows": [
            {k: r[k] for k in ("label", "enquiry_to_application", "enquiry_to_approval")}
            for r in rows
        ],
        "baseline": baseline,
    }
    return drawn("rates", spec, lambda d: _draw_rates(d["rows"], d["baseline"]))


def cohort_chart(rows: list[dict], baseline: dict) -> str:
    spec = {
        "rows": [
            {
                "month": r["month"],
                "to_application": r["to_application"],
                "to_approval": r["to_approval"],
            }
            for r in rows
        ],
        "baseline": baseline,
    }
    return drawn("cohorts", spec, lambda d: _draw_cohorts(d["rows"], d["baseline"]))


# Text of every funnel chart: 12 points at the 96 dpi they are drawn at is 16 px, the
# body's smallest text, at the width they are shown (a half column, about 450 px).
TEXT = 12
HALF_COLUMN = 4.7  # inches at 96 dpi: about 450 px


def _short(name: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(name, width)) or name


def _plain(value, _position) -> str:
    """1, 10, 100, 1k, 10k: the log scale's ticks in words people read."""
    if value >= 1000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}"


def _draw_funnel(data: dict) -> str:
    """People entering each stage on a logarithmic scale, so that every stage shows (on a
    linear scale everything after the application was a sliver), each bar labelled with its
    count; the national baseline's expected applications and approvals for the same
    enquiries as labelled dashed marks; a year earlier as diamonds."""
    stages = data["stages"]
    figure = Figure(figsize=(HALF_COLUMN, 0.62 * len(stages) + 1.9))
    ax = figure.add_subplot()
    names = [_short(s["name"]) for s in stages][::-1]
    counts = [s["count"] or 0 for s in stages][::-1]
    rows = list(range(len(names)))
    ax.barh(rows, counts, color=BLUE, height=0.6, label=data["period"])
    ax.set_xscale("symlog", linthresh=1)
    top = max([*counts, 1])
    for row, count in zip(rows, counts, strict=True):
        if count >= 100:  # inside the bar, white on blue, clear of the marks at its end
            ax.text(1.2, row, f"{count:,}", va="center", ha="left", fontsize=TEXT, color="white")
        else:
            ax.text(count, row, f" {count:,}", va="center", ha="left", fontsize=TEXT)
    if any(s.get("year_earlier") is not None for s in stages):
        earlier = [s.get("year_earlier") or 0 for s in stages][::-1]
        ax.scatter(earlier, rows, color=ORANGE, marker="D", s=40, zorder=3, label="A year earlier")
    enquiries, base = data["enquiries"], data["baseline"]
    codes = [s["code"] for s in stages][::-1]
    for code, rate in (
        ("application", base["enquiry_to_application"]),
        ("approval", base["enquiry_to_approval"]),
    ):
        if code not in codes or not enquiries:
            continue
        row, expected = codes.index(code), enquiries * rate
        # a white edge keeps the mark visible on the bar as well as beside it
        ax.vlines(expected, row - 0.45, row + 0.45, colors="white", linewidth=6)
        ax.vlines(expected, row - 0.45, row + 0.45, colors=PLUM, linestyles="dashed", linewidth=3)
    ax.plot(
        [],
        [],
        color=PLUM,
        linestyle="dashed",
        linewidth=2.5,
        label=f"National baseline ({100 * base['enquiry_to_application']:.1f}% apply, "
        f"{100 * base['enquiry_to_approval']:.1f}% approved)",
    )
    ax.set_yticks(rows, names, fontsize=TEXT)
    ax.set_xlim(0, top * 3)
    ax.xaxis.set_major_formatter(FuncFormatter(_plain))
    ax.tick_params(axis="x", labelsize=TEXT)
    ax.set_xlabel("People entering the stage (log scale)", fontsize=TEXT)
    ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.16), fontsize=TEXT, frameon=False, ncol=1)
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)


def _draw_rates(rows: list[dict], baseline: dict) -> str:
    """Enquiry -> application and -> approval rates per area with the baseline lines."""
    figure = Figure(figsize=(HALF_COLUMN, 4.4))
    ax = figure.add_subplot()
    labels = [_short(r["label"], 14) for r in rows]
    x = range(len(rows))
    width = 0.38
    ax.bar(
        [i - width / 2 for i in x],
        [100 * (r["enquiry_to_application"] or 0) for r in rows],
        width,
        color=BLUE,
        label="Enquiry to application",
    )
    ax.bar(
        [i + width / 2 for i in x],
        [100 * (r["enquiry_to_approval"] or 0) for r in rows],
        width,
        color=TEAL,
        label="Enquiry to approval",
        hatch="//",
        edgecolor="white",
    )
    ax.axhline(
        100 * baseline["enquiry_to_application"],
        color=BLUE,
        linestyle="dashed",
        linewidth=2,
        label=f"Baseline to application ({100 * baseline['enquiry_to_application']:.1f}%)",
    )
    ax.axhline(
        100 * baseline["enquiry_to_approval"],
        color=ORANGE,
        linestyle="dotted",
        linewidth=2.5,
        label=f"Baseline to approval ({100 * baseline['enquiry_to_approval']:.1f}%)",
    )
    ax.set_xticks(list(x), labels, fontsize=TEXT)
    ax.tick_params(axis="y", labelsize=TEXT)
    ax.set_ylabel("% of enquiries", fontsize=TEXT)
    ax.legend(fontsize=TEXT, frameon=False, loc="upper left", bbox_to_anchor=(-0.02, -0.22))
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)


def _draw_cohorts(rows: list[dict], baseline: dict) -> str:
    """For each month's enquirers, the share that has applied and been approved so far."""
    figure = Figure(figsize=(9.4, 4.2))  # the full column: about 900 px
    ax = figure.add_subplot()
    months = [r["month"].strftime("%b %y") for r in rows]
    x = list(range(len(rows)))  # positions, labelled with the months (not categories)
    ax.plot(
        x,
        [100 * (r["to_application"] or 0) for r in rows],
        color=BLUE,
        marker="o",
        label="Applied by now",
    )
    ax.plot(
        x,
        [100 * (r["to_approval"] or 0) for r in rows],
        color=TEAL,
        marker="s",
        label="Approved by now",
    )
    ax.axhline(
        100 * baseline["enquiry_to_application"],
        color=BLUE,
        linestyle="dashed",
        linewidth=1.5,
        label=f"Baseline to application ({100 * baseline['enquiry_to_application']:.1f}%)",
    )
    ax.axhline(
        100 * baseline["enquiry_to_approval"],
        color=ORANGE,
        linestyle="dotted",
        linewidth=2.5,
        label=f"Baseline to approval ({100 * baseline['enquiry_to_approval']:.1f}%)",
    )
    ax.set_ylabel("% of the month's enquirers", fontsize=TEXT)
    step = max(1, len(x) // 12)  # at most about twelve month labels
    ax.set_xticks(x[::step], months[::step])
    ax.tick_params(axis="x", labelrotation=45, labelsize=TEXT)
    ax.tick_params(axis="y", labelsize=TEXT)
    ax.legend(fontsize=TEXT, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)


def event_study_chart(events: list[dict], label: str, unit: str = "year") -> str:
    """The effect by years (or months) since go-live with its 95% interval; before go-live,
    the check that hub LAs and the others moved alike (the period before is the reference)."""
    spec = {"events": events, "label": label, "unit": unit}
    return drawn("event-study", spec, _draw_event_study)


def _draw_event_study(spec: dict) -> str:
    events = spec["events"]
    figure = Figure(figsize=(6.2, 3.6))
    ax = figure.add_subplot()
    xs = [e["e"] for e in events]
    values = [e["value"] for e in events]
    lows = [e["value"] - e["low"] for e in events]
    highs = [e["high"] - e["value"] for e in events]
    colours = [ORANGE if x < 0 else BLUE for x in xs]
    for x, v, lo, hi, c in zip(xs, values, lows, highs, colours, strict=True):
        ax.errorbar([x], [v], yerr=[[lo], [hi]], fmt="o", color=c, capsize=4, markersize=6)
    ax.axhline(0, color="#0b0c0c", linewidth=1)
    ax.axvline(-0.5, color="#505a5f", linestyle="dashed", linewidth=1)
    unit = spec.get("unit", "year")
    step = max(1, len(xs) // 12)  # months: a tick every few, so the labels stay apart
    ax.set_xticks(xs[::step], [str(x) for x in xs[::step]])
    ax.tick_params(labelsize=TEXT)
    ax.set_xlabel(
        f"{unit.title()}s since go-live (-1: the {unit} before, the reference)", fontsize=TEXT
    )
    ax.set_ylabel(_short(spec["label"], 22), fontsize=TEXT)
    ax.plot([], [], "o", color=ORANGE, label="Before go-live (should be near 0)")
    ax.plot([], [], "o", color=BLUE, label="After go-live: the effect")
    ax.legend(loc="upper left", bbox_to_anchor=(-0.02, -0.25), fontsize=TEXT, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)

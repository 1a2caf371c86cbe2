"""Funnel charts as PNG data URIs: matplotlib Figure (never pyplot), Agg, the Analysis
Function palette, the national baseline drawn on each. Each is drawn once per content
(core.charts.drawn): the public functions pick out what the drawing reads."""

from matplotlib.figure import Figure

from core.charts import BLUE, ORANGE, PLUM, TEAL, drawn
from core.charts import figure_png_uri as _uri


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


def _draw_funnel(data: dict) -> str:
    """Entries per stage as bars, with the baseline's expected applications and approvals
    for the same number of enquiries as dashed markers."""
    figure = Figure(figsize=(7, 3.6))
    ax = figure.add_subplot()
    names = [s["name"] for s in data["stages"]][::-1]
    counts = [s["count"] for s in data["stages"]][::-1]
    ax.barh(names, counts, color=BLUE, label=data["period"])
    if any(s.get("year_earlier") is not None for s in data["stages"]):
        earlier = [s.get("year_earlier") or 0 for s in data["stages"]][::-1]
        ax.scatter(earlier, names, color=ORANGE, marker="D", zorder=3, label="A year earlier")
    enquiries = data["enquiries"]
    base = data["baseline"]
    for code, rate in (
        ("application", base["enquiry_to_application"]),
        ("approval", base["enquiry_to_approval"]),
    ):
        name = next(s["name"] for s in data["stages"] if s["code"] == code)
        y = names.index(name)
        ax.vlines(
            enquiries * rate, y - 0.45, y + 0.45, colors=PLUM, linestyles="dashed", linewidth=2
        )
    ax.plot(
        [], [], color=PLUM, linestyle="dashed", label="National baseline (6.0%, 2.9% of enquiries)"
    )
    ax.set_xlabel("People entering the stage")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)


def _draw_rates(rows: list[dict], baseline: dict) -> str:
    """Enquiry -> application and -> approval rates per area with the baseline lines."""
    figure = Figure(figsize=(7, 3.2))
    ax = figure.add_subplot()
    labels = [r["label"] for r in rows]
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
        linewidth=1.5,
        label="Baseline to application (6.0%)",
    )
    ax.axhline(
        100 * baseline["enquiry_to_approval"],
        color=ORANGE,
        linestyle="dotted",
        linewidth=2,
        label="Baseline to approval (2.9%)",
    )
    ax.set_xticks(list(x), labels, fontsize=8)
    ax.set_ylabel("% of enquiries")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)


def _draw_cohorts(rows: list[dict], baseline: dict) -> str:
    """For each month's enquirers, the share that has applied and been approved so far."""
    figure = Figure(figsize=(7, 3.2))
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
        linewidth=1,
        label="Baseline to application (6.0%)",
    )
    ax.axhline(
        100 * baseline["enquiry_to_approval"],
        color=ORANGE,
        linestyle="dotted",
        linewidth=2,
        label="Baseline to approval (2.9%)",
    )
    ax.set_ylabel("% of the month's enquirers")
    ax.set_xticks(x, months)
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)

"""Funnel charts as PNG data URIs: matplotlib Figure (never pyplot), Agg, the Analysis
Function palette, the national baseline drawn on each."""

import base64
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

BLUE, TEAL, PLUM, ORANGE = "#12436D", "#28A197", "#801650", "#F46A25"


def _uri(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def funnel_chart(data: dict) -> str:
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


def rates_chart(rows: list[dict], baseline: dict) -> str:
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


def cohort_chart(rows: list[dict], baseline: dict) -> str:
    """For each month's enquirers, the share that has applied and been approved so far."""
    figure = Figure(figsize=(7, 3.2))
    ax = figure.add_subplot()
    months = [r["month"].strftime("%b %y") for r in rows]
    ax.plot(
        months,
        [100 * (r["to_application"] or 0) for r in rows],
        color=BLUE,
        marker="o",
        label="Applied by now",
    )
    ax.plot(
        months,
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
    ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.spines[["top", "right"]].set_visible(False)
    return _uri(figure)

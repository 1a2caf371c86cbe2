"""The burn-up chart: matplotlib Figure (never pyplot) on Agg, as SVG with real text, in
the Analysis Function palette, with line styles and labels so colour is never the only
signal. The page puts the same numbers in a table under it."""

import datetime

from matplotlib.figure import Figure

from core.charts import BLUE, ORANGE, figure_svg, svg_data_uri

GREY = "#505a5f"


def burn_up_chart(cap: dict) -> str:
    """Cumulative cost month by month (solid), the forecast (dashed) and the cap (a labelled
    line), as an SVG data URI."""
    rows = cap["rows"]
    figure = Figure(figsize=(7.5, 3.6))
    ax = figure.add_subplot()
    months = [r["month"] for r in rows]
    x = list(range(len(rows)))
    actual = [
        (i, float(r["cumulative"]))
        for i, r in zip(x, rows, strict=True)
        if r["cumulative"] is not None
    ]
    forecast = [
        (i, float(r["forecast"])) for i, r in zip(x, rows, strict=True) if r["forecast"] is not None
    ]
    if actual:
        ax.plot(
            *zip(*actual, strict=True),
            color=BLUE,
            linewidth=2.5,
            marker="o",
            markersize=3,
            label="Approved cost to date",
        )
    if forecast:
        ax.plot(
            *zip(*forecast, strict=True),
            color=ORANGE,
            linewidth=2,
            linestyle="dashed",
            label="Forecast at the recent run rate",
        )
    cap_value = float(cap["cap"])
    ax.axhline(cap_value, color="#0b0c0c", linewidth=1.2, linestyle="dotted")
    ax.text(0, cap_value, f" Cap £{cap_value:,.0f}", va="bottom", fontsize=12)
    for share in (0.75, 0.9):
        ax.axhline(cap_value * share, color=GREY, linewidth=0.6, linestyle=(0, (1, 3)))
        ax.text(
            len(rows) - 1,
            cap_value * share,
            f"{share:.0%} ",
            va="bottom",
            ha="right",
            fontsize=12,
            color=GREY,
        )
    step = max(1, len(months) // 12)
    ax.set_xticks(
        x[::step], [_label(m) for m in months[::step]], fontsize=12, rotation=45, ha="right"
    )
    ax.yaxis.set_major_formatter(lambda v, _: f"£{v / 1000:,.0f}k")
    ax.set_ylabel("Cumulative cost (excl. VAT)", fontsize=12)
    ax.tick_params(axis="y", labelsize=12)
    ax.set_ylim(bottom=0, top=max([cap_value * 1.08] + [v for _, v in actual + forecast]))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", fontsize=12, frameon=False)
    return svg_data_uri(figure_svg(figure))


def _label(month: datetime.date) -> str:
    return f"{month:%b %y}"

"""Charts for reports as SVG text: matplotlib Figure (never pyplot) on Agg, the Analysis
Function palette, real text in the SVG, and an empty state when there is nothing to draw."""

from matplotlib.figure import Figure

from core.charts import PALETTE, drawn, figure_svg


def empty_chart(message: str = "No data for this period") -> str:
    figure = Figure(figsize=(6, 1.2))
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#505a5f")
    return figure_svg(figure)


def bar_chart(spec: dict) -> str:
    """Horizontal bars, one per row ``[label, value]``, with the reference drawn as a
    dashed line (labelled, so colour is never the only signal)."""
    rows = [r for r in spec.get("rows", []) if r[1] is not None]
    if spec.get("empty") or not rows or not any(r[1] for r in rows):
        return empty_chart()
    labels = [r[0] for r in rows][::-1]
    values = [r[1] for r in rows][::-1]
    figure = Figure(figsize=(6.5, 0.5 + 0.45 * len(rows)))
    ax = figure.add_subplot()
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(rows))][::-1]
    bars = ax.barh(labels, values, color=colours)
    ax.bar_label(bars, labels=[f"{v:g}" for v in values], padding=3, fontsize=12)
    reference = spec.get("reference")
    if reference is not None:
        ax.axvline(reference, color="#0b0c0c", linestyle="dashed", linewidth=1.2)
        ax.text(reference, len(rows) - 0.4, f" {reference:g}", fontsize=12, va="bottom")
    ax.set_xlabel(spec.get("unit", ""), fontsize=12)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="both", labelsize=12)
    return figure_svg(figure)


def render(spec: dict) -> str:
    """The SVG for a chart spec from gather (drawn once per content)."""
    return drawn("report-bar", spec, bar_chart)

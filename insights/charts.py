"""The heat map of open risks: a matplotlib Figure (never pyplot, which keeps global state
in a server) drawn as SVG with real text. Each cell shows its count and its band in words,
so colour is never the only signal; the page puts the same counts in a table beside it."""

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from core.charts import ORANGE, PLUM, TEAL, figure_svg

from .models import IMPACT, LIKELIHOOD

# Analysis Function palette: plum, orange and teal, each with the text colour that keeps
# at least 4.5:1 contrast on it.
BAND_COLOURS = {
    "High": (PLUM, "#FFFFFF"),
    "Medium": (ORANGE, "#0B0C0C"),
    "Low": (TEAL, "#0B0C0C"),
}


def _short(label: str) -> str:
    number, _, words = label.partition(": ")
    return f"{number}\n{words}"


def heat_map_svg(heat: dict) -> str:
    """The 5x5 grid (impact across, likelihood up) for the counts from
    ``insights.selectors.heat_map``."""
    figure = Figure(figsize=(7, 5.6))
    ax = figure.add_subplot()
    for row in heat["rows"]:
        for cell in row["cells"]:
            fill, text = BAND_COLOURS[cell.band]
            x, y = cell.impact - 1, cell.likelihood - 1
            ax.add_patch(
                Rectangle(
                    (x, y),
                    1,
                    1,
                    facecolor=fill,
                    alpha=1 if cell.count else 0.35,
                    edgecolor="#FFFFFF",
                    linewidth=3,
                )
            )
            ax.text(
                x + 0.5,
                y + 0.5,
                f"{cell.count}\n{cell.band.lower()}",
                ha="center",
                va="center",
                fontsize=12,
                fontweight="bold" if cell.count else "normal",
                color=text if cell.count else "#0B0C0C",
            )
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 5)
    ax.set_xticks([i + 0.5 for i in range(5)], [_short(label) for _, label in IMPACT], fontsize=12)
    ax.set_yticks(
        [i + 0.5 for i in range(5)], [_short(label) for _, label in LIKELIHOOD], fontsize=12
    )
    ax.set_xlabel("Impact", fontsize=12)
    ax.set_ylabel("Likelihood", fontsize=12)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return figure_svg(figure)

"""What every chart of the tracker shares: the Analysis Function palette, matplotlib
Figures (never pyplot) written as SVG with real text or as PNG, data URIs, and ``drawn``,
which draws a chart once per content.

``drawn`` keys a chart on a hash of its kind, the drawing code's version and the data it
is drawn from (sizes included), in the shared cache (``CACHE_URL``: Redis in production),
so an unchanged chart is never drawn again by any web process. A cache that cannot be
reached is skipped: the chart is drawn, never an error."""

import base64
import hashlib
import io
import json

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .cache import remembered

BLUE, TEAL, PLUM, ORANGE = "#12436D", "#28A197", "#801650", "#F46A25"
PALETTE = [BLUE, TEAL, PLUM, ORANGE]
# Change when any chart's drawing changes, so charts drawn before are not served again.
VERSION = 3
KEEP_FOR = 7 * 24 * 3600


def figure_svg(figure: Figure) -> str:
    """A Figure as SVG text with real text in it (shared by every chart of the tracker)."""
    FigureCanvasAgg(figure)
    out = io.StringIO()
    # fixed hash salt and no date: the same figures give the same SVG (a stable checksum)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "report"}):
        figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return out.getvalue()


def figure_png_uri(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def chart_key(kind: str, data) -> str:
    content = json.dumps([kind, VERSION, data], sort_keys=True, default=str)
    return f"chart:{kind}:{hashlib.sha256(content.encode()).hexdigest()}"


def drawn(kind: str, data, draw) -> str:
    """``draw(data)``, or the result of drawing the same kind of chart from equal data
    before. ``data`` must hold everything the drawing reads."""
    return remembered(chart_key(kind, data), lambda: draw(data), KEEP_FOR)

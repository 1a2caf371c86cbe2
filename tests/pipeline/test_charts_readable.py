"""Charts people can read (issue 18): drawn at the width they are shown so that their
12-point text is 16 px, the body's smallest; every stage of the funnel visible; the image's
text alternative states the chart's message with its figures."""

import base64
import io
import re

import pytest
from matplotlib.image import imread

from pipeline import charts
from tests.clock import FIXED_DAY
from tests.conftest import client_for


def width_of(uri: str) -> int:
    png = base64.b64decode(uri.split(",", 1)[1])
    return imread(io.BytesIO(png)).shape[1]


STAGES = [
    ("enquiry", "Initial enquiry", 38847),
    ("conversation", "Initial conversation or home visit", 12350),
    ("application", "Application", 2613),
    ("assessment_1", "Assessment stage 1 (checks)", 2335),
    ("assessment_2", "Assessment stage 2 (assessment)", 1802),
    ("panel", "Fostering panel", 1394),
    ("approval", "Approval", 3),
]


def data():
    return {
        "period": "Financial year 2025-26",
        "enquiries": 38847,
        "baseline": {"enquiry_to_application": 0.06, "enquiry_to_approval": 0.029},
        "stages": [{"code": c, "name": n, "count": k, "year_earlier": None} for c, n, k in STAGES],
    }


def test_the_funnel_is_drawn_no_wider_than_its_column_so_its_text_is_not_shrunk():
    # the two-thirds column is 640 px wide on a desk: an image wider would be scaled down
    assert width_of(charts.funnel_chart(data())) <= 640
    assert charts.TEXT == 12  # points at 96 dpi: 16 px


def test_every_stage_shows_even_three_approvals_of_38847_enquiries():
    from matplotlib.figure import Figure

    drawn = {}
    real = charts._uri

    def keep(figure: Figure):
        drawn["figure"] = figure
        return real(figure)

    charts._uri, saved = keep, charts._uri
    try:
        charts._draw_funnel(data())
    finally:
        charts._uri = saved
    ax = drawn["figure"].axes[0]
    bars = ax.patches[: len(STAGES)]
    widths = [
        ax.transData.transform((b.get_width(), 0))[0] - ax.transData.transform((0, 0))[0]
        for b in bars
    ]
    assert min(widths) > 0.2 * max(widths)  # on a linear scale 3 of 38,847 was invisible
    assert ax.get_xscale() == "symlog"


@pytest.mark.time_machine(FIXED_DAY)
def test_the_funnel_image_says_what_it_shows(users, db):
    body = client_for(users["pm"]).get("/pipeline/?scope=england&period=fy:2024-04").content
    alts = re.findall(r'<img src="data:image/png[^"]*" alt="([^"]+)"', body.decode())
    assert alts[0].startswith("Funnel for England, ")
    assert "applied and" in alts[0] and "national baseline of 6.0% and 2.9%" in alts[0]
    assert "against national baselines" in alts[1]

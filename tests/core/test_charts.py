"""Charts are drawn once per content (core.charts.drawn): the same funnel opened again, by
anyone, is not drawn again; different figures are; a cache outage only costs the drawing."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from core import cache as shared
from pipeline import charts
from tests.conftest import client_for


@pytest.fixture
def counted(monkeypatch):
    cache.clear()
    calls = []
    draw = charts._draw_funnel

    def counting(data):
        calls.append(data)
        return draw(data)

    monkeypatch.setattr(charts, "_draw_funnel", counting)
    return calls


def funnel_data(count=10):
    return {
        "period": "May 2024",
        "enquiries": count,
        "baseline": {"enquiry_to_application": 0.06, "enquiry_to_approval": 0.029},
        "stages": [
            {"code": "enquiry", "name": "Initial enquiry", "count": count, "year_earlier": 4},
            {"code": "application", "name": "Application", "count": 2, "year_earlier": None},
            {"code": "approval", "name": "Approval", "count": 1, "year_earlier": None},
        ],
    }


def test_the_same_chart_is_drawn_once_and_different_figures_are_drawn_again(counted):
    first = charts.funnel_chart(funnel_data())
    again = charts.funnel_chart({**funnel_data(), "ignored": "not part of the drawing"})
    assert first == again and first.startswith("data:image/png;base64,")
    assert len(counted) == 1

    other = charts.funnel_chart(funnel_data(count=11))
    assert other != first and len(counted) == 2


def test_the_funnel_page_opened_twice_draws_its_chart_once(counted, pm, db):
    client = client_for(pm)
    assert client.get(reverse("pipeline:funnel")).status_code == 200
    assert client_for(pm).get(reverse("pipeline:funnel")).status_code == 200
    assert len(counted) == 1


def test_a_cache_that_cannot_be_reached_only_costs_the_drawing(counted, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(shared.cache, "get", down)
    monkeypatch.setattr(shared.cache, "set", down)
    assert charts.funnel_chart(funnel_data()).startswith("data:image/png")
    assert charts.funnel_chart(funnel_data()).startswith("data:image/png")
    assert len(counted) == 2

"""Published figures for councils outside the programme (issue 19, item 1): loaded from CSV
by a programme manager with validation, history and source; suppressed values, former codes
and abolished councils each have their documented treatment; never counted into a funnel."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.example_profiles import EXAMPLES_DIR
from pipeline.models import PublishedFigure, PublishedLoad
from pipeline.services.published import load_published
from tests.clock import FIXED_DAY
from tests.conftest import client_for

pytestmark = pytest.mark.time_machine(FIXED_DAY)
HEADER = "la_code,year_ending,initial_enquiries,applications,approvals\n"


def load(user, text, source="Ofsted, Fostering in England"):
    return load_published(
        upload=SimpleUploadedFile("figures.csv", text.encode()), source=source, user=user
    )


def test_the_synthetic_example_loads_with_its_treatments(users, reference):
    data = (EXAMPLES_DIR / "published_figures_synthetic.csv").read_bytes()
    result = load_published(
        upload=SimpleUploadedFile("example.csv", data), source="Synthetic", user=users["pm"]
    )
    assert (result.rows, result.added, result.changed) == (10, 10, 0)
    assert any("Cumbria" in note and "left out" in note for note in result.notes)
    warrington = PublishedFigure.objects.get(
        local_authority__name="Warrington", year_ending=datetime.date(2024, 3, 31)
    )
    assert warrington.approvals is None and warrington.suppressed == ["approvals"]
    barking = PublishedFigure.objects.get(local_authority__name="Barking and Dagenham")
    assert barking.initial_enquiries is None and barking.applications == 14


@pytest.mark.parametrize(
    "row, message",
    [
        ("E08000037,,310,24,11", "Line 2, year_ending: '' is not a year ending 31 March"),
        ("E08000037,2023-25,310,24,11", "'2023-25' is not a year ending 31 March"),
        ("E99999999,2024,310,24,11", "Line 2, la_code: 'E99999999' is not an English LA's code"),
        ("E08000037,2024,-3,24,11", "Line 2, initial_enquiries: '-3' is not a whole number"),
        ("E08000037,2024,3.5,24,11", "'3.5' is not a whole number"),
    ],
)
def test_a_wrong_line_refuses_the_whole_file_naming_it(users, reference, row, message):
    good = "E08000024,2024,300,20,10\n"
    with pytest.raises(ValidationError) as refused:
        load(users["pm"], HEADER + row + "\n" + good)
    assert any(message in m for m in refused.value.message_dict["file"]), refused.value
    assert not PublishedFigure.objects.exists() and not PublishedLoad.objects.exists()


def test_the_same_la_and_year_twice_is_refused(users, reference):
    text = HEADER + "E08000037,2024,310,24,11\n390,2023-24,300,20,10\n"
    with pytest.raises(ValidationError) as refused:
        load(users["pm"], text)
    assert (
        "Line 3: Gateshead for the year ending 31 March 2024 is already on line 2."
        in (refused.value.message_dict["file"])
    )


def test_a_former_code_is_read_as_the_council_of_today(users, reference):
    result = load(users["pm"], HEADER + "E08000020,2012,410,30,15\n")
    figure = PublishedFigure.objects.get()
    assert figure.local_authority.name == "Gateshead"
    assert result.notes == ["Line 2: former code E08000020 read as Gateshead."]


def test_a_reload_replaces_a_year_and_keeps_its_history_and_source(users, reference):
    load(users["pm"], HEADER + "E08000037,2024,310,24,11\n", source="First release")
    again = load(users["pm"], HEADER + "E08000037,2024,312,24,11\n", source="Revised")
    assert (again.added, again.changed) == (0, 1)
    figure = PublishedFigure.objects.get()
    assert figure.initial_enquiries == 312 and figure.load.source == "Revised"
    assert list(
        figure.history.order_by("history_date").values_list("initial_enquiries", flat=True)
    ) == [310, 312]
    assert figure.history.latest().history_user == users["pm"]


def test_only_a_programme_manager_loads_and_every_role_reads(users, reference):
    file = {
        "source": "x",
        "file": SimpleUploadedFile("f.csv", (HEADER + "390,2024,1,1,1\n").encode()),
    }
    for role in ("lead", "dfe", "consultant"):
        client = client_for(users[role])
        assert client.get("/pipeline/published/").status_code == 200
        assert client.post("/pipeline/published/", file).status_code == 403
    pm = client_for(users["pm"])
    response = pm.post(
        "/pipeline/published/",
        {
            "source": "Ofsted",
            "file": SimpleUploadedFile("f.csv", (HEADER + "390,2024,1,x,1\n").encode()),
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Loaded 1 rows from f.csv: 1 new, 0 changed." in body and "suppressed" in body
    csv = pm.get("/pipeline/published/?format=csv").content.decode("utf-8-sig")
    assert "Gateshead,E08000037,2024-03-31,1,,1,applications,Ofsted" in csv


def test_a_refused_file_shows_every_line_beside_the_file_field(users, reference):
    pm = client_for(users["pm"])
    text = HEADER + "E99999999,2024,1,1,1\nE08000037,,1,1,1\n"
    response = pm.post(
        "/pipeline/published/",
        {"source": "Ofsted", "file": SimpleUploadedFile("f.csv", text.encode())},
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Line 2, la_code" in body and "Line 3, year_ending" in body


def test_published_figures_never_reach_a_funnel(users, north_east):
    from pipeline import selectors
    from pipeline.scope import make_period, scope_from_key

    load(users["pm"], HEADER + "E08000037,2025,5000,400,200\n")
    scope = scope_from_key("england")
    funnel = selectors.funnel(scope, make_period("fy", datetime.date(2024, 4, 1)))
    assert funnel["enquiries"] == 0

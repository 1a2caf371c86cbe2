"""The reminders pages: everyone reads what was sent to them, a programme manager every
reminder; another person's reminder is not found; sortable, filterable, paginated, CSV."""

import csv
import datetime
import io
import re
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from engagement.models import Reminder, ReminderKind
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.snapshot import demo_snapshot

pytestmark = pytest.mark.dates

ROLES = ["pm", "consultant", "lead", "dfe"]
LIST = reverse("engagement:reminder_list")


def sent(recipient, *, kind=ReminderKind.ACTION_DUE, occasion=None, days_ago=1, subject=None):
    n = Reminder.objects.count()
    return Reminder.objects.create(
        kind=kind,
        recipient=recipient,
        occasion=occasion or f"action:{n}:2026-11-{n % 28 + 1:02d}",
        subject=subject or f"Reminder {n} for {recipient.email}",
        body=f"Dear {recipient.first_name},\n\nSee http://127.0.0.1:8000/ for reminder {n}.\n",
        sent_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.fixture
def log(users):
    """One reminder to each of the pm, the consultant and the lead."""
    return {
        "pm": sent(users["pm"], kind=ReminderKind.DIGEST, subject="Digest for the week"),
        "consultant": sent(
            users["consultant"], kind=ReminderKind.NO_TIME, subject="Missing time reminder"
        ),
        "lead": sent(
            users["lead"], kind=ReminderKind.LATE_RETURN, subject="Sunderland return late"
        ),
    }


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


# -- who sees which reminders -------------------------------------------------------------


@pytest.mark.parametrize(
    "role, subjects",
    [
        ("pm", {"Digest for the week", "Missing time reminder", "Sunderland return late"}),
        ("consultant", {"Missing time reminder"}),
        ("lead", {"Sunderland return late"}),
        ("dfe", set()),
    ],
)
def test_each_role_reads_the_reminders_sent_to_them_and_a_programme_manager_every_one(
    users, log, role, subjects
):
    client = client_for(users[role])
    page = client.get(LIST)
    assert page.status_code == 200
    shown = {
        s
        for s in ("Digest for the week", "Missing time reminder", "Sunderland return late")
        if s in page.text
    }
    assert shown == subjects
    if not subjects:
        assert "No reminders match." in page.text

    rows = csv_rows(client.get(LIST, {"format": "csv"}))
    assert {r["Subject"] for r in rows} == subjects
    header = client.get(LIST, {"format": "csv"}).content.decode().lstrip("\ufeff").splitlines()[0]
    assert header == "Sent,Reminder,To,Subject,Occasion"


@pytest.mark.parametrize("role", ROLES)
def test_a_reminder_shows_the_email_as_sent_to_its_recipient_and_is_not_found_for_others(
    users, log, role
):
    client = client_for(users[role])
    for owner, reminder in log.items():
        page = client.get(reverse("engagement:reminder_detail", args=[reminder.pk]))
        if owner == role or role == "pm":
            assert page.status_code == 200
            assert reminder.subject in page.text
            assert f"Dear {users[owner].first_name}," in page.text
            assert users[owner].email in page.text
        else:
            assert page.status_code == 404


def test_the_detail_page_shows_the_body_with_its_links(users, log):
    reminder = log["lead"]
    page = client_for(users["lead"]).get(reverse("engagement:reminder_detail", args=[reminder.pk]))
    assert '<a href="http://127.0.0.1:8000/"' in page.text
    assert "Monthly return late" in page.text
    assert reminder.occasion in page.text


def test_a_programme_manager_filters_by_kind_and_recipient(users, log):
    client = client_for(users["pm"])
    by_kind = csv_rows(client.get(LIST, {"kind": ReminderKind.NO_TIME, "format": "csv"}))
    assert [r["Subject"] for r in by_kind] == ["Missing time reminder"]
    by_person = csv_rows(client.get(LIST, {"recipient": users["lead"].pk, "format": "csv"}))
    assert [r["To"] for r in by_person] == [users["lead"].email]
    assert 'name="recipient"' in client.get(LIST).text


def test_others_filter_by_kind_only_and_cannot_reach_another_persons_reminders(users, log):
    client = client_for(users["lead"])
    page = client.get(LIST)
    assert 'name="kind"' in page.text and 'name="recipient"' not in page.text
    rows = csv_rows(client.get(LIST, {"recipient": users["pm"].pk, "format": "csv"}))
    assert [r["Subject"] for r in rows] == ["Sunderland return late"]


def test_the_list_sorts_by_sent_newest_first_and_by_any_column(users):
    older = sent(users["pm"], days_ago=3, subject="Older")
    newer = sent(users["pm"], days_ago=1, subject="Newer")
    client = client_for(users["pm"])
    rows = csv_rows(client.get(LIST, {"format": "csv"}))
    assert [r["Subject"] for r in rows] == [newer.subject, older.subject]
    rows = csv_rows(client.get(LIST, {"format": "csv", "sort": "sent_at"}))
    assert [r["Subject"] for r in rows] == [older.subject, newer.subject]
    page = client.get(LIST, {"sort": "subject"})
    assert page.text.index("Newer") < page.text.index("Older")


def test_the_list_paginates(users):
    for _ in range(30):
        sent(users["consultant"])
    page = client_for(users["consultant"]).get(LIST)
    assert len(re.findall(r'href="/engagement/reminders/\d+/"', page.text)) == 25
    assert "?page=2" in page.text


def test_signed_out_visitors_are_sent_to_sign_in(db):
    from django.test import Client

    response = Client().get(LIST)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_reminders_page_is_in_everyones_engagement_navigation(users):
    for role in ROLES:
        page = client_for(users[role]).get(LIST)
        assert 'href="/engagement/reminders/"' in page.text


# -- the home page ------------------------------------------------------------------------------


def test_the_home_page_lists_reminders_sent_in_the_last_seven_days(users):
    sent(users["lead"], subject="Sunderland return late", days_ago=2)
    sent(users["lead"], subject="An old one", days_ago=9)
    sent(users["pm"], subject="Not for the lead", days_ago=1)
    page = client_for(users["lead"]).get(reverse("core:home"))
    assert "Reminders sent to you in the last 7 days" in page.text
    assert "Sunderland return late" in page.text
    assert "An old one" not in page.text and "Not for the lead" not in page.text

    quiet = client_for(users["dfe"]).get(reverse("core:home"))
    assert "Reminders sent to you" not in quiet.text


# -- query budget -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["pm", "consultant"])
def test_the_list_and_the_detail_read_a_fixed_number_of_queries(users, role):
    person = users[role]
    client = client_for(person)
    first = sent(person)
    detail = reverse("engagement:reminder_detail", args=[first.pk])
    few = (_queries(client, LIST), _queries(client, LIST + "?format=csv"), _queries(client, detail))
    others = [UserFactory(role=Role.CONSULTANT) for _ in range(5)]
    for i in range(40):
        sent(person if i % 2 else others[i % 5])
    many = (
        _queries(client, LIST),
        _queries(client, LIST + "?format=csv"),
        _queries(client, detail),
    )
    assert few == many


# -- the demo -----------------------------------------------------------------------------------


def test_the_demo_has_reminders_for_leads_and_staff_without_money_or_figures(db):
    demo_snapshot.seed()
    reminders = Reminder.objects.all()
    kinds = set(reminders.values_list("kind", flat=True))
    assert {ReminderKind.RAID_REVIEW, ReminderKind.DIGEST} <= kinds
    if timezone.localdate().day > 10:
        # the demo leaves last month's returns of a few LAs out, late from the 11th
        assert ReminderKind.LATE_RETURN in kinds
    for reminder in reminders:
        assert "£" not in reminder.subject + reminder.body
    digest = Reminder.objects.filter(kind=ReminderKind.DIGEST).first()
    pm = client_for(digest.recipient)
    assert escape(digest.subject) in pm.get(LIST).text
    assert pm.get(reverse("engagement:reminder_detail", args=[digest.pk])).status_code == 200
    lead = client_for(User.objects.get(email="lead.northeast@example.org"))
    assert lead.get(reverse("engagement:reminder_detail", args=[digest.pk])).status_code == 404


def test_the_page_says_whose_reminders_it_lists(users):
    assert "Every e-mail the tracker sent" in client_for(users["pm"]).get(LIST).text
    assert "The e-mails the tracker sent you" in client_for(users["lead"]).get(LIST).text

"""Sign-in a government programme would accept (issue 16): a limit per address beside the
lock per account, the client's address read from a proxy's header only where configured,
sessions that end after 30 minutes idle and 12 hours in all, and every sign-in, failure and
sign-out in an audit log a programme manager can read and download."""

import csv
import datetime
import io

import pytest
import time_machine
from django.test import Client

from accounts.models import AuthEvent, AuthEventKind
from tests.accounts.second_factor import enrol
from tests.clock import LONDON
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

LOGIN = "/account/sign-in/"
NINE = datetime.datetime(2026, 11, 18, 9, 0, tzinfo=LONDON)


@pytest.fixture
def people(db):
    return [UserFactory(email=f"person{i}@example.org") for i in range(4)]


def attempt(client, email, password="wrong", **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


# -- a limit per address, beside the lock per account ----------------------------------


def test_one_address_guessing_many_accounts_is_refused_while_another_address_signs_in(
    people, settings
):
    settings.SIGN_IN_ADDRESS_LIMIT = 3
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for person in people[:3]:  # one failure each: no account reaches its own lock
        assert attempt(guesser, person.email).status_code == 200
    refused = attempt(guesser, people[3].email, PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts to sign in from this network" in refused.content.decode()
    assert "_auth_user_id" not in guesser.session
    # someone else, elsewhere, is not affected
    assert attempt(Client(REMOTE_ADDR="198.51.100.7"), people[3].email, PASSWORD).status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEventKind.ADDRESS_LIMITED).count() == 1


def test_behind_a_configured_proxy_each_client_counts_for_itself(people, settings):
    settings.SIGN_IN_ADDRESS_LIMIT = 2
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    one = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    for person in people[:2]:
        attempt(one, person.email)
    assert attempt(one, people[2].email, PASSWORD).status_code == 429
    # another person behind the same proxy signs in: the proxy is not one address for all
    other = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert attempt(other, people[2].email, PASSWORD).status_code == 302
    # a client cannot choose its address by writing the header: only the proxy's hop counts
    forged = Client(**proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert attempt(forged, people[3].email, PASSWORD).status_code == 429
    assert AuthEvent.objects.filter(address="203.0.113.9").exists()


def test_without_a_configured_proxy_the_header_is_ignored(people, settings):
    settings.SIGN_IN_ADDRESS_LIMIT = 2
    for i, person in enumerate(people[:2]):
        attempt(
            Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"), person.email
        )
    other_claim = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert attempt(other_claim, people[2].email, PASSWORD).status_code == 429


# -- sessions that end ------------------------------------------------------------------


def signed_in(person) -> Client:
    """Signed in through both steps."""
    client = Client()
    assert attempt(client, person.email, PASSWORD).status_code == 302
    enrol(client, person)
    return client


def test_thirty_minutes_without_a_request_signs_a_person_out_and_says_why(people):
    with time_machine.travel(NINE, tick=False) as clock:
        client = signed_in(people[0])
        clock.move_to(NINE + datetime.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity keeps the session
        clock.move_to(NINE + datetime.timedelta(minutes=29 + 31))
        response = client.get("/clusters/")
        assert response.status_code == 302
        assert response.url == f"{LOGIN}?ended=idle&next=%2Fclusters%2F"
        page = client.get(response.url).content.decode()
        assert "you had done nothing for 30 minutes" in page
        assert client.get("/").status_code == 302  # the session is gone, not just hidden
    kinds = list(AuthEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        AuthEventKind.SIGNED_IN,
        AuthEventKind.SECOND_FACTOR_ENROLLED,
        AuthEventKind.TIMED_OUT,
    ]


def test_a_busy_session_still_ends_twelve_hours_after_signing_in(people, settings):
    settings.IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel(NINE, tick=False) as clock:
        client = signed_in(people[0])
        for minutes in range(20, 12 * 60, 20):  # a request every 20 minutes all day
            clock.move_to(NINE + datetime.timedelta(minutes=minutes))
            assert client.get("/").status_code == 200, minutes
        clock.move_to(NINE + datetime.timedelta(hours=12, minutes=1))
        response = client.get("/")
        assert response.url.startswith(f"{LOGIN}?ended=limit")
    assert AuthEvent.objects.filter(kind=AuthEventKind.EXPIRED).count() == 1


def test_the_idle_timeout_is_configurable(people, settings):
    settings.IDLE_TIMEOUT_MINUTES = 5
    with time_machine.travel(NINE, tick=False) as clock:
        client = signed_in(people[0])
        clock.move_to(NINE + datetime.timedelta(minutes=6))
        assert client.get("/").url.startswith(f"{LOGIN}?ended=idle")


# -- the audit log ----------------------------------------------------------------------


def test_sign_ins_failures_and_sign_outs_are_logged_without_the_password(people):
    client = Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Firefox/140")
    attempt(client, " Person0@Example.org ", "hunter2-wrong")
    attempt(client, "nobody@example.org", "hunter2-wrong")
    attempt(client, people[0].email, PASSWORD)
    client.post("/account/sign-out/")
    events = list(AuthEvent.objects.order_by("pk"))
    assert [(e.kind, e.email, e.user_id) for e in events] == [
        (AuthEventKind.FAILED, "person0@example.org", None),
        (AuthEventKind.FAILED, "nobody@example.org", None),
        (AuthEventKind.SIGNED_IN, people[0].email, people[0].pk),
        (AuthEventKind.SIGNED_OUT, people[0].email, people[0].pk),
    ]
    assert {e.address for e in events} == {"198.51.100.7"}
    assert events[0].user_agent == "Firefox/140"
    assert not any("hunter2" in str(vars(e)) for e in events)


def test_five_failures_log_the_lock_as_well(people):
    client = Client()
    for _ in range(5):
        attempt(client, people[0].email)
    assert AuthEvent.objects.filter(kind=AuthEventKind.LOCKED_OUT).count() == 1


def test_a_programme_manager_reads_and_downloads_the_sign_in_log_for_a_period(users, people):
    with time_machine.travel(NINE - datetime.timedelta(days=3), tick=False):
        attempt(Client(), people[0].email, PASSWORD)
    with time_machine.travel(NINE, tick=False):
        attempt(Client(), people[1].email)
    pm = client_for(users["pm"])
    page = pm.get("/account/sign-ins/", {"date_from": "2026-11-18"}).content.decode()
    assert "person1@example.org" in page and "person0@example.org" not in page
    rows = list(
        csv.reader(
            io.StringIO(
                pm.get(
                    "/account/sign-ins/", {"format": "csv", "date_to": "2026-11-16"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0][:3] == ["When", "What happened", "Account"]
    assert [r[3] for r in rows[1:]] == ["person0@example.org"]
    assert rows[1][1] == "Signed in"
    for role in ("lead", "consultant", "dfe"):
        assert client_for(users[role]).get("/account/sign-ins/").status_code == 403, role


# -- password reset by e-mail -----------------------------------------------------------


def test_a_person_resets_a_forgotten_password_by_e_mail(people, mailoutbox, settings):
    settings.SITE_URL = "https://tracker.example.org"
    client = Client()  # served as "testserver": the link follows SITE_URL, not the Host header
    sign_in_page = client.get(LOGIN).content.decode()
    assert 'href="/account/password/reset/"' in sign_in_page
    response = client.post("/account/password/reset/", {"email": " Person0@Example.org "})
    assert response.url == "/account/password/reset/sent/"
    (mail,) = mailoutbox
    assert mail.to == [people[0].email]
    link = next(line for line in mail.body.splitlines() if line.startswith("https://"))
    assert link.startswith("https://tracker.example.org/account/password/reset/")
    assert "testserver" not in mail.body
    path = link.removeprefix("https://tracker.example.org")
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "a-much-longer-new-pass-7"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.url == "/account/password/reset/done/"
    assert attempt(Client(), people[0].email, new).status_code == 302
    # the link is spent
    again = client.get(path, follow=True).content.decode()
    assert "This link cannot be used" in again


def test_asking_for_an_unknown_address_says_the_same_and_sends_nothing(db, mailoutbox):
    response = Client().post("/account/password/reset/", {"email": "nobody@example.org"})
    assert response.url == "/account/password/reset/sent/"
    assert mailoutbox == []


def test_a_leavers_account_gets_no_reset_link(people, mailoutbox):
    people[0].is_active = False
    people[0].save()
    Client().post("/account/password/reset/", {"email": people[0].email})
    assert mailoutbox == []

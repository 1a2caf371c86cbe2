"""The second factor (issue 16): everyone who signs in sees pipeline data, so everyone gives
a code from an authenticator app after the password, enrolling at their first sign-in, with
ten single-use recovery codes; the demo users of ``make run`` are spared while DEMO_MODE is
on, and no one is in production."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import seed as seed_demo_users
from accounts.models import AuthEvent, AuthEventKind, Role
from tests.accounts.second_factor import code_for, enrol
from tests.factories import PASSWORD, UserFactory

LOGIN = "/account/sign-in/"


@pytest.fixture
def person(db):
    return UserFactory(email="person@example.org", role=Role.PROGRAMME_MANAGER)


def password_step(client, email, password=PASSWORD):
    response = client.post(LOGIN, {"username": email, "password": password})
    assert response.status_code == 302, response
    return response


def test_the_first_sign_in_sets_up_the_app_and_shows_ten_recovery_codes(person):
    client = Client()
    password_step(client, person.email)
    # nothing of the service before the second step: every page leads to it
    for page in ("/", "/pipeline/", "/reports/", "/account/password/"):
        response = client.get(page)
        assert response.url.startswith("/account/two-factor/set-up/?next="), page
    setup = client.get("/account/two-factor/set-up/?next=/pipeline/").content.decode()
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    assert "<svg" in setup and "otpauth" not in setup  # the QR code, not the raw address
    typed_key = setup.split('id="secret">')[1].split("<")[0].replace(" ", "")
    import base64

    assert base64.b32decode(typed_key + "=" * (-len(typed_key) % 8)) == device.bin_key
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = client.post("/account/two-factor/set-up/", {"code": "000000", "next": "/pipeline/"})
        assert "That code is not right" in wrong.content.decode()
        assert 'href="#id_code"' in wrong.content.decode()
        # a wrong code makes the next wait a moment (django-otp doubles it each time)
        device.refresh_from_db()
        too_soon = client.post("/account/two-factor/set-up/", {"code": code_for(device)})
        assert "wait 1 second, then enter the 6 digits" in too_soon.content.decode()
        clock.shift(2)
        kept = client.post(
            "/account/two-factor/set-up/", {"code": code_for(device), "next": "/pipeline/"}
        )
    codes = kept.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert kept["Cache-Control"] == "no-store"
    assert 'href="/pipeline/"' in kept.content.decode()
    assert client.get("/pipeline/").status_code == 200
    kinds = list(AuthEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        AuthEventKind.SIGNED_IN,
        AuthEventKind.SECOND_FACTOR_FAILED,
        AuthEventKind.SECOND_FACTOR_FAILED,
        AuthEventKind.SECOND_FACTOR_ENROLLED,
    ]


def test_later_sign_ins_ask_for_the_apps_code_and_a_code_is_not_accepted_twice(person):
    first = Client()
    password_step(first, person.email)
    enrol(first, person)
    device = TOTPDevice.objects.get(user=person, confirmed=True)
    client = Client()
    password_step(client, person.email)
    assert client.get("/clusters/").url == "/account/two-factor/?next=%2Fclusters%2F"
    assert client.get("/account/two-factor/set-up/").url.startswith("/account/two-factor/")
    code = code_for(device, later=1)
    response = client.post("/account/two-factor/", {"code": code, "next": "/clusters/"})
    assert response.url == "/clusters/"
    assert client.get("/clusters/").status_code == 200
    # the same code again, in another sign-in, is refused: it has been used
    again = Client()
    password_step(again, person.email)
    refused = again.post("/account/two-factor/", {"code": code})
    assert refused.status_code == 200 and "That code is not right" in refused.content.decode()


def test_a_recovery_code_signs_in_once(person):
    first = Client()
    password_step(first, person.email)
    codes = enrol(first, person)
    client = Client()
    password_step(client, person.email)
    response = client.post("/account/two-factor/", {"code": codes[0].upper()}, follow=True)
    assert "You used a recovery code; 9 left" in response.content.decode()
    assert AuthEvent.objects.filter(kind=AuthEventKind.RECOVERY_CODE_USED).count() == 1
    again = Client()
    password_step(again, person.email)
    assert (
        "That code is not right"
        in again.post("/account/two-factor/", {"code": codes[0]}).content.decode()
    )


def test_an_off_site_next_is_not_followed(person):
    client = Client()
    password_step(client, person.email)
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    response = client.post(
        "/account/two-factor/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_demo_users_skip_it_while_demo_mode_is_on_and_need_it_when_off(db, settings):
    from clusters.services import load_reference_data
    from programme.demo import seed as seed_programme

    load_reference_data()
    seed_programme()
    from clusters.demo import seed as seed_clusters

    seed_clusters()
    seed_demo_users()
    client = Client()
    password_step(client, "pm@example.org", "fostering-demo")
    assert client.get("/").status_code == 200
    settings.DEMO_MODE = False
    client = Client()
    password_step(client, "pm@example.org", "fostering-demo")
    assert client.get("/").url.startswith("/account/two-factor/set-up/")


def test_api_tokens_are_not_asked_for_a_second_factor(db, pm):
    from api.services import issue_token

    _, secret = issue_token(name="DfE analysts", kind="dfe", days=30, by=pm)
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200

import pytest
from django.urls import reverse

from tests.accounts.second_factor import enrol
from tests.factories import PASSWORD, UserFactory

LOGIN = "/account/sign-in/"


@pytest.fixture
def person(db):
    return UserFactory(email="person@example.org")


def test_a_person_signs_in_with_their_email_and_password(client, person):
    response = client.post(LOGIN, {"username": "Person@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    # then the second step: the first time, setting up the authenticator app
    assert client.get("/").url == "/account/two-factor/set-up/?next=%2F"
    enrol(client, person)
    assert client.get("/").status_code == 200


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client, person):
    wrong_password = client.post(LOGIN, {"username": "person@example.org", "password": "nope"})
    unknown_email = client.post(LOGIN, {"username": "nobody@example.org", "password": "nope"})
    message = "Enter a correct e-mail address and password"
    assert message in wrong_password.content.decode()
    assert message in unknown_email.content.decode()
    # the error summary is shown and what was typed is kept
    assert "There is a problem" in wrong_password.content.decode()
    assert 'value="person@example.org"' in wrong_password.content.decode()


def test_a_missing_field_is_named_in_the_error(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    body = response.content.decode()
    assert 'href="#id_username"' in body and 'href="#id_password"' in body
    assert "govuk-input--error" in body


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, person):
    for _ in range(5):
        client.post(LOGIN, {"username": "person@example.org", "password": "wrong"})
    response = client.post(LOGIN, {"username": "person@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_page_but_sign_in_needs_a_signed_in_user(client, db):
    for url in ["/", "/clusters/", "/authorities/", "/account/password/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(LOGIN)
    assert client.get(LOGIN).status_code == 200


def test_sign_out_ends_the_session(client, person):
    client.post(LOGIN, {"username": "person@example.org", "password": PASSWORD})
    client.post("/account/sign-out/")
    assert client.get("/").status_code == 302


def test_a_person_changes_their_password(client, person):
    client.post(LOGIN, {"username": "person@example.org", "password": PASSWORD})
    enrol(client, person)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-long-pass-9",
            "new_password2": "Another-long-pass-9",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Another-long-pass-9")


def test_a_mismatched_new_password_is_refused_on_its_field(client, person):
    client.post(LOGIN, {"username": "person@example.org", "password": PASSWORD})
    enrol(client, person)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-long-pass-9",
            "new_password2": "different-pass-99",
        },
    )
    assert response.status_code == 200
    assert 'href="#id_new_password2"' in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_lockout_holds_for_the_account_from_any_address_and_any_spelling(person):
    from django.test import Client

    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for spelling in ("person@example.org", "Person@example.org", " PERSON@EXAMPLE.ORG ") * 2:
        guesser.post(LOGIN, {"username": spelling, "password": "wrong"})

    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    response = elsewhere.post(LOGIN, {"username": "person@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in elsewhere.session


def test_five_typos_for_one_account_lock_no_one_else_on_the_same_address(person):
    from django.test import Client

    UserFactory(email="colleague@example.org")
    office = Client(REMOTE_ADDR="192.0.2.1")  # a council's proxy: one address for everyone
    for _ in range(5):
        office.post(LOGIN, {"username": "person@example.org", "password": "wrong"})

    response = office.post(LOGIN, {"username": "colleague@example.org", "password": PASSWORD})
    assert response.status_code == 302

"""People managed in the service (issue 16): a programme manager invites a person with a
role and cluster, sees vetting and training with its expiry, changes them (the history keeps
old and new values), deactivates a leaver (signed out at once, their issued API tokens
revoked) and resets a lost second factor. No other role may."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from api.models import ApiToken
from api.services import issue_token
from tests.accounts.second_factor import enrol
from tests.clock import FIXED_DAY
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory, authorities

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FIXED_DAY)]
TODAY = FIXED_DAY.date()


def test_a_programme_manager_invites_a_lead_who_chooses_a_password_and_signs_in(
    users, north_east, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tracker.example.org"
    pm = client_for(users["pm"])
    form = {
        "email": "New.Lead@Gateshead.gov.uk",
        "first_name": "Nia",
        "last_name": "Okafor",
        "role": Role.CLUSTER_LEAD,
        "organisation": "Gateshead Council",
        "bpss_date": "",
        "data_protection_training_date": "",
    }
    missing = pm.post("/account/people/invite/", form).content.decode()
    assert "Choose the cluster a cluster lead works for." in missing
    assert 'href="#id_cluster"' in missing
    with django_capture_on_commit_callbacks(execute=True):
        response = pm.post("/account/people/invite/", {**form, "cluster": north_east.pk})
    person = User.objects.get(email="new.lead@gateshead.gov.uk")
    assert response.url == f"/account/people/{person.pk}/"
    assert not person.has_usable_password()
    (mail,) = mailoutbox
    link = next(line for line in mail.body.splitlines() if line.startswith("https://"))
    client = Client()
    page = client.get(link.removeprefix("https://tracker.example.org"), follow=True)
    new = "a-long-new-password-42"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert (
        client.post("/account/sign-in/", {"username": person.email, "password": new}).status_code
        == 302
    )
    enrol(client, person)
    assert "North East" in client.get("/").content.decode()
    again = pm.post("/account/people/invite/", {**form, "cluster": north_east.pk})
    assert "new.lead@gateshead.gov.uk already has an account." in again.content.decode()


def test_the_list_shows_training_expiry_and_downloads(users):
    UserFactory(
        email="lapsed@example.org",
        role=Role.CONSULTANT,
        data_protection_training_date=TODAY - datetime.timedelta(days=400),
    )
    UserFactory(
        email="soon@example.org",
        role=Role.CONSULTANT,
        data_protection_training_date=TODAY - datetime.timedelta(days=350),
    )
    pm = client_for(users["pm"])
    page = pm.get("/account/people/").content.decode()
    assert "Expired" in page and "Expires in 15 days" in page
    rows = list(
        csv.DictReader(
            io.StringIO(pm.get("/account/people/?format=csv").content.decode("utf-8-sig"))
        )
    )
    by_email = {r["E-mail address"]: r for r in rows}
    assert (
        by_email["soon@example.org"]["Data-protection training"]
        == (TODAY + datetime.timedelta(days=15)).isoformat()
    )


def test_a_change_of_role_is_kept_with_old_and_new_values(users, north_east):
    person = UserFactory(email="moving@example.org", role=Role.CONSULTANT)
    pm = client_for(users["pm"])
    form = {
        "email": person.email,
        "first_name": "Sam",
        "last_name": "Moving",
        "role": Role.PROGRAMME_MANAGER,
        "cluster": "",
        "organisation": "Delivery partner",
        "grade": "",
        "bpss_date": "2024-01-10",
        "data_protection_training_date": "2026-09-01",
    }
    assert pm.post(f"/account/people/{person.pk}/change/", form).status_code == 302
    detail = pm.get(f"/account/people/{person.pk}/").content.decode()
    assert "Consultant → Programme manager" in detail
    assert "1 September 2026" in detail


def test_a_leaver_is_signed_out_at_once_and_their_tokens_are_revoked(users, north_east):
    leaver = UserFactory(email="leaver@example.org", role=Role.PROGRAMME_MANAGER)
    token, secret = issue_token(
        name="Gateshead feed",
        kind="la",
        local_authority=authorities("Gateshead")[0],
        days=30,
        by=leaver,
    )
    browser = client_for(leaver)
    assert browser.get("/").status_code == 200
    pm = client_for(users["pm"])
    confirm = pm.get(f"/account/people/{leaver.pk}/deactivate/").content.decode()
    assert "Gateshead feed" in confirm and "revoked" in confirm
    done = pm.post(f"/account/people/{leaver.pk}/deactivate/", follow=True).content.decode()
    assert "1 signed-in session ended" in done and "Gateshead feed" in done
    assert browser.get("/").status_code == 302  # signed out, not just refused later
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert (
        Client()
        .post("/account/sign-in/", {"username": leaver.email, "password": PASSWORD})
        .status_code
        == 200
    )
    # a programme manager cannot lock themselves out
    own = pm.post(f"/account/people/{users['pm'].pk}/deactivate/", follow=True)
    assert "You cannot deactivate your own account." in own.content.decode()


def test_a_lost_phone_is_reset_and_the_person_sets_up_a_new_app(users):
    person = UserFactory(email="lost.phone@example.org", role=Role.CONSULTANT)
    signed_in = client_for(person)
    pm = client_for(users["pm"])
    pm.post(f"/account/people/{person.pk}/reset-second-factor/")
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert signed_in.get("/").status_code == 302
    client = Client()
    client.post("/account/sign-in/", {"username": person.email, "password": PASSWORD})
    assert client.get("/").url.startswith("/account/two-factor/set-up/")


@pytest.mark.parametrize("role", ["lead", "consultant", "dfe"])
def test_only_a_programme_manager_manages_people(users, role):
    client = client_for(users[role])
    target = users["consultant"].pk
    for url in (
        "/account/people/",
        "/account/people/invite/",
        f"/account/people/{target}/",
        f"/account/people/{target}/change/",
        f"/account/people/{target}/deactivate/",
        f"/account/people/{target}/reset-second-factor/",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    assert User.objects.get(pk=target).is_active

"""Issue 17's "how we will check it", in a browser on the demo: a programme manager builds a
profile from a sample export shaped like none of the shipped examples, choosing every column,
the date format and each code from lists; a cluster lead imports two LAs' files and the
counts match the files. Every page visited is checked with axe."""

import pytest
from playwright.sync_api import expect

from pipeline.example_profiles import EXAMPLES_DIR
from tests.browser.conftest import assert_accessible, signed_in
from tests.pipeline.test_profile_wizard import SAMPLE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_profile_from_a_sample_then_a_lead_imports_two_las(browser, live_server, demo):
    from pipeline.models import ImportProfile, PipelineRecord

    context, page = signed_in(browser, live_server, "pm@example.org")
    page.goto(f"{live_server.url}/pipeline/profiles/")
    assert_accessible(page)
    page.get_by_role("link", name="Create a profile").click()
    assert_accessible(page)
    page.get_by_label("Sample export").set_input_files(
        {"name": "gateshead-export.csv", "mimeType": "text/csv", "buffer": SAMPLE}
    )
    page.get_by_role("button", name="Read the sample").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map the sample's columns")
    assert_accessible(page)
    # the date format is chosen, never typed: the one that reads the sample is offered
    expect(page.get_by_label("dd.mm.yyyy, for example 21.12.2024")).to_be_checked()
    expect(page.get_by_label("Initial enquiry date")).to_have_value("ENQUIRY DATE")
    page.get_by_role("button", name="Save and map the codes").click()
    # nothing chosen for the reference and no council: said beside each field
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the column that holds the LA reference"
    )
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Gateshead case system")
    page.get_by_label("Whose system is this?").select_option(label="Gateshead")
    for label, heading in [
        ("LA reference", "Vorgang"),
        ("Application date", "Antrag"),
        ("Source channel", "Quelle"),
        ("Outcome", "Status"),
        ("Exit reason", "Grund"),
        ("Exit (closure) date", "Closed"),
        ("Full name", "Name"),
        ("Date of birth", "Geburtsdatum"),
    ]:
        page.get_by_label(label, exact=True).select_option(heading)
    page.get_by_role("button", name="Save and map the codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map the codes")
    assert_accessible(page)
    for code, entry in [
        ("RAD", "Event"),
        ("WEB", "LA website"),
        ("OFFEN", "In progress"),
        ("ZU", "Left the process"),
        ("PERS", "Withdrew - personal circumstances"),
    ]:
        page.get_by_label(code).select_option(label=entry)
    page.get_by_role("button", name="Save and finish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Import profile 'Gateshead case system' saved"
    )
    assert_accessible(page)
    context.close()
    profile = ImportProfile.objects.get(name="Gateshead case system")
    assert profile.channel_codes == {"RAD": "event", "WEB": "la-website"}

    context, page = signed_in(browser, live_server, "lead.northeast@example.org")
    before = PipelineRecord.objects.filter(local_authority__name="Gateshead").count()
    page.goto(f"{live_server.url}/pipeline/imports/new/")
    assert_accessible(page)
    page.get_by_label("Import profile").select_option(
        label="Gateshead case system (Gateshead's system)"
    )
    page.get_by_label("Export file").set_input_files(
        {"name": "gateshead-export.csv", "mimeType": "text/csv", "buffer": SAMPLE}
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#summary")).to_contain_text("40 new, 0 changed", timeout=30_000)
    expect(page.get_by_text("Gateshead (40 rows)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Commit this import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Committed: 40 new")
    assert_accessible(page)
    assert PipelineRecord.objects.filter(local_authority__name="Gateshead").count() == before + 40

    page.goto(f"{live_server.url}/pipeline/imports/new/")
    page.get_by_label("Import profile").select_option(
        label="CareFirst-style CSV (semicolons, Windows-1252, dd/mm/yyyy)"
    )
    page.get_by_label("Export file").set_input_files(str(EXAMPLES_DIR / "carefirst_sunderland.csv"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text("Sunderland (40 rows)")).to_be_visible(timeout=30_000)
    assert_accessible(page)
    page.get_by_role("link", name="All imports").click()
    expect(page.locator("table")).to_contain_text("Gateshead (40)")
    expect(page.locator("table")).to_contain_text("Sunderland (40)")
    assert_accessible(page)
    context.close()

"""Two import profiles for differently shaped case-management exports, shipped with
example files in pipeline/examples/ (made up: no real system's format is implied)."""

import copy
from pathlib import Path

from .models import FileType, ImportProfile

EXAMPLES_DIR = Path(__file__).parent / "examples"

CAREFIRST = {
    "name": "CareFirst-style CSV (semicolons, Windows-1252, dd/mm/yyyy)",
    "description": "One LA's export from a Windows system: semicolon-separated, Windows-1252, "
    "UK dates, with names, date of birth and postcode (hashed on the way in).",
    "file_type": FileType.CSV,
    "encoding": "cp1252",
    "delimiter": ";",
    "date_format": "%d/%m/%Y",
    "column_map": {
        "la": "LA Code",
        "la_reference": "Case Ref",
        "first_name": "Forename",
        "last_name": "Surname",
        "date_of_birth": "DOB",
        "postcode": "Postcode",
        "enquiry_date": "Enquiry Date",
        "conversation_date": "Initial Visit",
        "application_date": "Application Received",
        "assessment_1_date": "Stage 1 Start",
        "assessment_2_date": "Stage 2 Start",
        "panel_date": "Panel Date",
        "approval_date": "Approval Date",
        "source": "Source",
        "outcome": "Status",
        "exit_stage": "Exit Stage",
        "exit_reason": "Exit Reason",
        "exit_date": "Exit Date",
    },
    "stage_codes": {
        "ENQ": "enquiry",
        "IV": "conversation",
        "APP": "application",
        "S1": "assessment_1",
        "S2": "assessment_2",
        "PAN": "panel",
    },
    "reason_codes": {
        "W1": "withdrew-personal",
        "W2": "withdrew-other-service",
        "NS": "not-suitable",
        "NC": "no-contact",
        "HS": "housing",
        "FN": "financial",
        "OT": "other",
    },
    "channel_codes": {
        "CAMP": "regional-campaign",
        "HUBW": "hub-website",
        "HUBP": "hub-phone",
        "LAW": "la-website",
        "WOM": "word-of-mouth",
        "EVT": "event",
        "REF": "referral",
    },
    "outcome_codes": {"OPEN": "open", "APPR": "approved", "CLSD": "exited"},
}

MOSAIC = {
    "name": "Mosaic-style XLSX (ISO dates, numeric codes)",
    "description": "A cluster-wide workbook: first sheet, one row per person, LA by GSS code, "
    "ISO dates, numeric route and step codes, a full name column.",
    "file_type": FileType.XLSX,
    "encoding": "utf-8",
    "delimiter": "",
    "date_format": "%Y-%m-%d",
    "column_map": {
        "la": "authority_gss",
        "la_reference": "person_id",
        "name": "full_name",
        "date_of_birth": "date_of_birth",
        "postcode": "post_code",
        "enquiry_date": "first_contact",
        "conversation_date": "home_visit",
        "application_date": "application",
        "assessment_1_date": "assessment_s1",
        "assessment_2_date": "assessment_s2",
        "panel_date": "panel",
        "approval_date": "approved",
        "source": "referral_route",
        "outcome": "current_status",
        "exit_stage": "closed_at_step",
        "exit_reason": "closure_reason",
    },
    "stage_codes": {
        "10": "enquiry",
        "20": "conversation",
        "30": "application",
        "40": "assessment_1",
        "50": "assessment_2",
        "60": "panel",
    },
    "reason_codes": {
        "PERS": "withdrew-personal",
        "OTHERIFA": "withdrew-other-service",
        "UNSUIT": "not-suitable",
        "NOCONTACT": "no-contact",
        "SPACE": "housing",
        "MONEY": "financial",
        "OTHER": "other",
    },
    "channel_codes": {
        "1": "regional-campaign",
        "2": "hub-website",
        "3": "hub-phone",
        "4": "la-website",
        "5": "word-of-mouth",
        "6": "event",
        "7": "referral",
    },
    "outcome_codes": {"Active": "open", "Approved": "approved", "Closed": "exited"},
}

PROFILES = [CAREFIRST, MOSAIC]


def load() -> list[ImportProfile]:
    """Create the example profiles if missing (idempotent)."""
    return [
        ImportProfile.objects.get_or_create(name=spec["name"], defaults=copy.deepcopy(spec))[0]
        for spec in PROFILES
    ]

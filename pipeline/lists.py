"""The starting lists of stages, exit reasons and source channels (programme managers
maintain them afterwards)."""

STAGES = [
    ("enquiry", "Initial enquiry"),
    ("conversation", "Initial conversation or home visit"),
    ("application", "Application"),
    ("assessment_1", "Assessment stage 1 (checks)"),
    ("assessment_2", "Assessment stage 2 (assessment)"),
    ("panel", "Fostering panel"),
    ("approval", "Approval"),
]
EXIT_REASONS = [
    ("withdrew-personal", "Withdrew - personal circumstances"),
    ("withdrew-other-service", "Withdrew - went to another fostering service"),
    ("not-suitable", "Not suitable"),
    ("no-contact", "No contact after enquiry"),
    ("housing", "Housing or space"),
    ("financial", "Financial"),
    ("other", "Other"),
]
SOURCE_CHANNELS = [
    ("regional-campaign", "Regional campaign"),
    ("hub-website", "Hub website"),
    ("hub-phone", "Hub phone line"),
    ("la-website", "LA website"),
    ("word-of-mouth", "Word of mouth"),
    ("event", "Event"),
    ("referral", "Referral"),
]


def load(apps=None) -> None:
    """Create any missing list entries (idempotent; existing names and order are kept)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    for model_name, items in (
        ("Stage", STAGES),
        ("ExitReason", EXIT_REASONS),
        ("SourceChannel", SOURCE_CHANNELS),
    ):
        model = apps.get_model("pipeline", model_name)
        for order, (code, name) in enumerate(items, start=1):
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order})

"""The second factor (issue 16): a code from an authenticator app (TOTP, django-otp), or one
of ten single-use recovery codes, after the password.

Everyone who signs in sees pipeline data, so everyone needs it, enrolling at their first
sign-in. With ``DEMO_MODE`` on, the demo users of ``make run`` sign in without it (the
banner says so); in production ``DEMO_MODE`` is off and no one does.
"""

import base64

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP = "Authenticator app"
RECOVERY = "Recovery codes"
RECOVERY_CODES = 10


def demo_emails() -> set[str]:
    import datetime

    from .demo import demo_users

    return {spec["email"] for spec in demo_users(datetime.date(2026, 1, 1))}


def required(user) -> bool:
    """Whether this person must give a second factor to use the service."""
    if not user.is_authenticated:
        return False
    return not (settings.DEMO_MODE and user.email in demo_emails())


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, name=APP, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The not yet confirmed authenticator for the person's enrolment (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, name=APP, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP, confirmed=False)


def secret_for_people(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment address as a QR code, an inline SVG (no script, no style)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", omitsize=False
    )


@transaction.atomic
def confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with a code from it; the recovery codes (shown once)
    on success, None if the code is wrong."""
    if not device.verify_is_allowed()[0] or not device.verify_token(code.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user, name=APP, confirmed=True).exclude(
        pk=device.pk
    ).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(device.user)
    otp_login(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODES):
        token = StaticToken.random_token()
        static.token_set.create(token=token)
        codes.append(token)
    return codes


def verify(request, user, code: str) -> str | None:
    """Check a code from the app, or a recovery code (spent once used); on success the
    session counts as verified and this says which it was."""
    code = code.replace(" ", "").strip()
    device = app_device(user)
    if device and device.verify_is_allowed()[0] and device.verify_token(code):
        otp_login(request, device)
        return APP
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if static and static.verify_is_allowed()[0] and static.verify_token(code.lower()):
        otp_login(request, static)
        return RECOVERY
    return None


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def wait_seconds(user) -> int:
    """How long the person must wait after wrong codes before the app's next one is tried
    (django-otp doubles the wait after each wrong code); 0 if they need not."""
    import math

    from django.utils import timezone

    device = app_device(user) or TOTPDevice.objects.filter(user=user, name=APP).first()
    if device is None:
        return 0
    allowed, details = device.verify_is_allowed()
    if allowed or not details or not details.get("locked_until"):
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))

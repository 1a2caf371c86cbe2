"""Helpers for tests that sign in through both steps, as a person does."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    """What the person's authenticator app shows now (or ``later`` steps from now)."""
    value = totp(
        device.bin_key, step=device.step, t0=device.t0 - later * device.step, digits=device.digits
    )
    return f"{value:0{device.digits}d}"


def enrol(client, user) -> list[str]:
    """Set up the app as a person would after their first sign-in; the recovery codes."""
    page = client.get("/account/two-factor/set-up/")
    assert page.status_code == 200, page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = page.content.decode()
    response = client.post("/account/two-factor/set-up/", {"code": code_for(device)})
    assert response.status_code == 200 and "Keep your recovery codes" in response.content.decode()
    assert shown  # the page showed the key and the QR code
    return response.context["codes"]

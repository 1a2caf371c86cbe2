"""The benchmarks' programme manager, and a test client signed in as a person after both
sign-in steps (password and the authenticator app), for the benchmarks that open pages."""

import datetime

from django.test import Client


def bench_manager():
    """The programme manager the benchmarks act as (created once, vetting and training
    current so the data gate lets them through)."""
    from accounts.models import Role, User

    user, _ = User.objects.get_or_create(
        email="bench-pm@example.org",
        defaults={
            "role": Role.PROGRAMME_MANAGER,
            "bpss_date": datetime.date.today(),
            "data_protection_training_date": datetime.date.today(),
        },
    )
    return user


def signed_in(user) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import mfa

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa.required(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name=mfa.APP, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client

"""Sign-ins, failed attempts and sign-outs into the audit log (AuthEvent)."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from core.net import client_address

from .lockout import account_of
from .models import AuthEvent, AuthEventKind


def record(kind: str, request, *, user=None, email: str = "") -> AuthEvent:
    meta = request.META if request is not None else {}
    return AuthEvent.objects.create(
        at=timezone.now(),
        kind=kind,
        user=user if user is not None and user.pk else None,
        email=(email or (user.email if user is not None else ""))[:254],
        address=client_address(request)[:45] if request is not None else "",
        user_agent=meta.get("HTTP_USER_AGENT", "")[:255],
    )


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session["signed_in_at"] = request.session["seen_at"] = time.time()
    record(AuthEventKind.SIGNED_IN, request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def _signed_out(sender, request, user, **kwargs):
    # the session limits say why, when it was not the person's own choice
    kind = getattr(request, "sign_out_reason", None) or AuthEventKind.SIGNED_OUT
    record(kind, request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.failed")
def _failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    from .throttle import note_failure

    note_failure(request)
    record(AuthEventKind.FAILED, request, email=account_of(request, credentials))


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record(AuthEventKind.LOCKED_OUT, request, email=username or "")

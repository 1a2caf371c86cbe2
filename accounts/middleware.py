"""Sessions that end by themselves: after ``IDLE_TIMEOUT_MINUTES`` without a request, and
``SESSION_MAX_HOURS`` after signing in however busy the person is. The sign-in page then
says why (``?ended=idle`` or ``?ended=limit``) and brings them back where they were.

The moment of the last request is written to the session at most once a minute, not on
every request, so a busy page does not write its session row each time."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import AuthEventKind

SEEN = "seen_at"
SIGNED_IN = "signed_in_at"
WRITE_EVERY = 60


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            ended = self._ended(session, time.time())
            if ended:
                request.sign_out_reason = (
                    AuthEventKind.TIMED_OUT if ended == "idle" else AuthEventKind.EXPIRED
                )
                logout(request)
                query = {"ended": ended}
                if request.method == "GET":
                    query["next"] = request.get_full_path()
                return redirect(f"{reverse('accounts:login')}?{urlencode(query)}")
        return self.get_response(request)

    @staticmethod
    def _ended(session, now: float) -> str | None:
        started = session.get(SIGNED_IN)
        seen = session.get(SEEN)
        if started is None:  # a session from before the limits: they start now
            session[SIGNED_IN] = started = now
        if seen is not None and now - seen > settings.IDLE_TIMEOUT_MINUTES * 60:
            return "idle"
        if now - started > settings.SESSION_MAX_HOURS * 3600:
            return "limit"
        if seen is None or now - seen > WRITE_EVERY:
            session[SEEN] = now
        return None


class SecondFactorMiddleware:
    """Signed in with a password but not yet with the second factor: every page but the
    second step itself and signing out leads to it (enrolment the first time). Tokens of
    the API carry no session and are not concerned."""

    OPEN = ("accounts:two_factor", "accounts:two_factor_setup", "accounts:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import mfa

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and mfa.required(user)
            and not request.path.startswith(("/static/", "/health/"))
            and request.path not in {reverse(name) for name in self.OPEN}
        ):
            step = "accounts:two_factor" if mfa.app_device(user) else "accounts:two_factor_setup"
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(f"{reverse(step)}{'?' + query if query else ''}")
        return self.get_response(request)

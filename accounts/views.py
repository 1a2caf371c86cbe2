from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from core.views import FilteredTableView

from . import mfa
from .filters import AuthEventFilter
from .forms import CodeForm, EmailAuthenticationForm, EmailPasswordResetForm
from .lockout import account_of
from .models import AuthEvent, AuthEventKind
from .permissions import is_programme_manager
from .signals import record
from .tables import AuthEventTable
from .throttle import address_limited

ENDED = {
    "idle": "You were signed out because you had done nothing for {minutes} minutes. "
    "Sign in again to carry on.",
    "limit": "You were signed out because you had been signed in for {hours} hours. "
    "Sign in again to carry on.",
}


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # too many failures from this address, for any accounts: refused before a password
        # is even checked (the account's own lock is django-axes's)
        if address_limited(request):
            record(AuthEventKind.ADDRESS_LIMITED, request, email=account_of(request, None))
            return render(
                request,
                "accounts/address_limited.html",
                {"minutes": settings.SIGN_IN_ADDRESS_WINDOW_MINUTES},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ended = ENDED.get(self.request.GET.get("ended", ""))
        if ended:
            context["ended"] = ended.format(
                minutes=settings.IDLE_TIMEOUT_MINUTES, hours=settings.SESSION_MAX_HOURS
            )
        return context


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


class SignInLogView(FilteredTableView):
    """The audit log of sign-ins, failed attempts and sign-outs, for programme managers,
    by period, with a CSV download of what the filter shows."""

    table_class = AuthEventTable
    filterset_class = AuthEventFilter
    page_title = "Sign-in log"
    export_name = "sign-in-log"
    template_name = "accounts/sign_in_log.html"

    def dispatch(self, request, *args, **kwargs):
        if not is_programme_manager(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return AuthEvent.objects.select_related("user")


# Password reset by e-mail -----------------------------------------------------------
# Django's own views and tokens (a link valid for PASSWORD_RESET_TIMEOUT, spent once the
# password changes); the page after asking never says whether the address has an account.


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = EmailPasswordResetForm

    def get_extra_email_context(self):
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        # the link in the e-mail starts with the service's own address, never the Host
        # header of the request that asked (which a stranger controls)
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# The second factor ------------------------------------------------------------------


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


def _wrong_code(user, what_to_do: str) -> str:
    wait = mfa.wait_seconds(user)
    if wait:
        return (
            f"That code is not right. After a wrong code the next is checked only after a "
            f"pause: wait {wait} second{'s' if wait != 1 else ''}, then {what_to_do[0].lower()}"
            f"{what_to_do[1:]}"
        )
    return f"That code is not right. {what_to_do}"


def two_factor_setup(request):
    """Enrol an authenticator app: scan the code (or type the key), give a code from the
    app, keep the recovery codes. Someone already verified in this session may enrol a new
    app (a lost phone); otherwise only the first time."""
    user = request.user
    if mfa.app_device(user) and not user.is_verified():
        return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': _next(request)})}")
    device = mfa.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm(request, device, form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _wrong_code(user, "Enter the 6 digits the app shows now."))
            record(AuthEventKind.SECOND_FACTOR_FAILED, request, user=user)
        else:
            record(AuthEventKind.SECOND_FACTOR_ENROLLED, request, user=user)
            response = render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": mfa.qr_svg(device),
            "secret": mfa.secret_for_people(device),
            "next": _next(request),
        },
    )


def two_factor(request):
    """The second step of signing in: a code from the app or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if mfa.app_device(user) is None:
        return redirect(
            f"{reverse('accounts:two_factor_setup')}?{urlencode({'next': _next(request)})}"
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        used = mfa.verify(request, user, form.cleaned_data["code"])
        if used is None:
            form.add_error(
                "code",
                _wrong_code(
                    user, "Enter the 6 digits the app shows now, or one of your recovery codes."
                ),
            )
            record(AuthEventKind.SECOND_FACTOR_FAILED, request, user=user)
        else:
            kind = (
                AuthEventKind.RECOVERY_CODE_USED
                if used == mfa.RECOVERY
                else AuthEventKind.SECOND_FACTOR_VERIFIED
            )
            record(kind, request, user=user)
            if used == mfa.RECOVERY:
                left = mfa.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. If your phone is lost, set up "
                    "the app again on a new one from your account page.",
                )
            return redirect(_next(request))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next(request)})

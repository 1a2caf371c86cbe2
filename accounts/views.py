from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from core.history import history_rows
from core.views import FilteredTableView, form_view

from . import mfa, services
from .decorators import predicate_required
from .filters import AuthEventFilter, PersonFilter
from .forms import CodeForm, EmailAuthenticationForm, EmailPasswordResetForm, PersonForm
from .lockout import account_of
from .models import AuthEvent, AuthEventKind, User
from .permissions import is_programme_manager
from .signals import record
from .tables import AuthEventTable, PersonTable, training_expires
from .throttle import address_limited

manager_only = predicate_required(is_programme_manager)

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


@method_decorator(manager_only, name="dispatch")
class SignInLogView(FilteredTableView):
    """The audit log of sign-ins, failed attempts and sign-outs, for programme managers,
    by period, with a CSV download of what the filter shows."""

    table_class = AuthEventTable
    filterset_class = AuthEventFilter
    page_title = "Sign-in log"
    export_name = "sign-in-log"
    template_name = "accounts/sign_in_log.html"

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


# People -----------------------------------------------------------------------------


@method_decorator(manager_only, name="dispatch")
class PeopleListView(FilteredTableView):
    """Everyone with an account (not API tokens' service accounts): role, cluster, vetting
    and training with its expiry, whether they may still sign in."""

    table_class = PersonTable
    filterset_class = PersonFilter
    page_title = "People"
    export_name = "people"
    template_name = "accounts/people.html"

    def get_queryset(self):
        return User.objects.filter(api_token__isnull=True).select_related("cluster")


def _person(pk):
    return get_object_or_404(User.objects.filter(api_token__isnull=True), pk=pk)


@manager_only
def person_invite(request):
    form = PersonForm(request.POST or None)
    return form_view(
        request,
        form=form,
        title="Invite a person",
        on_valid=lambda f: services.invite_person(by=request.user, **f.cleaned_data),
        success_url=lambda person: reverse("accounts:person_detail", args=[person.pk]),
        success_message="Invitation sent: the link in it lets them choose a password.",
        cancel_url=reverse("accounts:people"),
    )


@manager_only
def person_edit(request, pk):
    person = _person(pk)
    form = PersonForm(request.POST or None, instance=User.objects.get(pk=pk))
    return form_view(
        request,
        form=form,
        title=f"Change {person}",
        on_valid=lambda f: services.update_person(
            person=person, by=request.user, **{k: f.cleaned_data[k] for k in services.FIELDS}
        ),
        success_url=reverse("accounts:person_detail", args=[person.pk]),
        success_message="Saved.",
    )


@manager_only
def person_detail(request, pk):
    person = _person(pk)
    history = history_rows(person)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "training_expires": training_expires(person),
            "problems": person.data_access_problems(),
            "has_app": mfa.app_device(person) is not None,
            "history": history,
            "sign_ins": AuthEvent.objects.filter(user=person)[:10],
        },
    )


@manager_only
def person_deactivate(request, pk):
    person = _person(pk)
    from api.models import ApiToken

    tokens = ApiToken.objects.filter(created_by=person, revoked_at__isnull=True)
    if request.method == "POST":
        try:
            ended = services.deactivate_person(person=person, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            revoked = (
                f" Revoked the API tokens they issued: {', '.join(ended['tokens'])}."
                if ended["tokens"]
                else ""
            )
            messages.success(
                request,
                f"{person} can no longer sign in; {ended['sessions']} signed-in "
                f"session{'s' if ended['sessions'] != 1 else ''} ended.{revoked}",
            )
        return redirect("accounts:person_detail", pk=person.pk)
    return render(
        request,
        "accounts/person_confirm.html",
        {
            "person": person,
            "title": f"Deactivate {person}?",
            "consequences": [
                "They can no longer sign in, and every browser signed in as them is signed "
                "out now.",
                *[
                    f"The API token “{t.name}” they issued is revoked: issue a new one "
                    "if it is still needed."
                    for t in tokens
                ],
                "Their history and everything they recorded stay.",
            ],
            "button": "Deactivate",
        },
    )


@manager_only
def person_reset_factor(request, pk):
    person = _person(pk)
    if request.method == "POST":
        services.reset_second_factor(person=person, by=request.user)
        record(AuthEventKind.SECOND_FACTOR_RESET, request, user=person)
        messages.success(
            request, f"{person} will set up an authenticator app again at their next sign-in."
        )
        return redirect("accounts:person_detail", pk=person.pk)
    return render(
        request,
        "accounts/person_confirm.html",
        {
            "person": person,
            "title": f"Reset {person}'s second factor?",
            "consequences": [
                "Their authenticator app and recovery codes stop working, and they are "
                "signed out now.",
                "At their next sign-in they set up an app again. Do this only when you "
                "know it is them asking (a lost or replaced phone).",
            ],
            "button": "Reset the second factor",
        },
    )

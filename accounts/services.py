"""People managed in the service (issue 16): a programme manager invites a person with a
role (and cluster), keeps their vetting and training dates, and deactivates a leaver, whose
sessions end and whose issued API tokens are revoked at once. Every change is kept in the
person's history (who, when, old and new values)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Role, User

FIELDS = [
    "email",
    "first_name",
    "last_name",
    "role",
    "cluster",
    "organisation",
    "grade",
    "bpss_date",
    "data_protection_training_date",
]


def _check(person: User) -> None:
    errors = {}
    if person.role == Role.CLUSTER_LEAD and person.cluster_id is None:
        errors["cluster"] = "Choose the cluster a cluster lead works for."
    if person.role != Role.CLUSTER_LEAD and person.cluster_id is not None:
        errors["cluster"] = "Only a cluster lead works for one cluster: leave it empty."
    if person.role not in (Role.PROGRAMME_MANAGER, Role.CONSULTANT) and person.grade_id:
        errors["grade"] = "Only the delivery partner's staff have a grade: leave it empty."
    if errors:
        raise ValidationError(errors)


def set_password_link(person: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def invite_person(*, by, **fields) -> User:
    """Add a person, who chooses their password from a link sent to them (valid for
    ``PASSWORD_RESET_TIMEOUT``) and sets up their second factor at their first sign-in."""
    email = fields.pop("email").strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"{email} already has an account."})
    person = User(email=email, **fields)
    person.set_unusable_password()
    _check(person)
    person.full_clean(exclude=["password"])
    person._history_user = by
    person.save()
    link = set_password_link(person)
    transaction.on_commit(
        lambda: send_mail(
            "You have been invited to the fostering programme tracker",
            f"{by} has given you an account on the fostering programme tracker as "
            f"{person.get_role_display()}.\n\nTo choose your password, open this link "
            f"(it works once):\n\n{link}\n\nWhen you first sign in you will also set up an "
            "authenticator app on your phone.\n",
            None,
            [person.email],
        )
    )
    return person


@transaction.atomic
def update_person(*, person: User, by, **fields) -> User:
    locked = User.objects.select_for_update().get(pk=person.pk)
    for name, value in fields.items():
        setattr(locked, name, value.strip().lower() if name == "email" else value)
    _check(locked)
    locked.full_clean(exclude=["password"])
    locked._history_user = by
    locked.save()
    return locked


def end_sessions(person: User) -> int:
    """Delete every session signed in as the person (the session store is read whole: one
    row per signed-in browser)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def deactivate_person(*, person: User, by) -> dict:
    """A leaver: they can no longer sign in, every browser signed in as them is signed out,
    and the API tokens they issued are revoked. Their history stays."""
    from api.models import ApiToken
    from api.services import revoke_token

    if person.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    locked = User.objects.select_for_update().get(pk=person.pk)
    if not locked.is_active:
        raise ValidationError(f"{locked} is already deactivated.")
    locked.is_active = False
    locked._history_user = by
    locked.save(update_fields=["is_active"])
    tokens = list(ApiToken.objects.filter(created_by=locked, revoked_at__isnull=True))
    for token in tokens:
        revoke_token(token=token, by=by)
    return {"sessions": end_sessions(locked), "tokens": [t.name for t in tokens]}


@transaction.atomic
def reset_second_factor(*, person: User, by) -> None:
    """A lost phone: the person's authenticator and recovery codes are removed, their
    sessions end, and they set up a new app at their next sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    end_sessions(person)

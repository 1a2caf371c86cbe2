"""Demo users for every role. Only ever created in demo mode."""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from clusters.models import Cluster
from programme.models import Grade

from .models import Role, User

DEMO_PASSWORD = "fostering-demo"  # noqa: S105 - demo mode only, refused otherwise


def demo_users(today: datetime.date) -> list[dict]:
    vetted = today - datetime.timedelta(days=700)
    trained = today - datetime.timedelta(days=90)
    lapsed = today - datetime.timedelta(days=420)
    dp = {"organisation": "Delivery partner", "bpss_date": vetted}
    return [
        {
            "email": "pm@example.org",
            "first_name": "Priya",
            "last_name": "Mistry",
            "role": Role.PROGRAMME_MANAGER,
            "grade": "Director",
            "is_staff": True,
            "is_superuser": True,
            "data_protection_training_date": trained,
            **dp,
        },
        {
            "email": "consultant@example.org",
            "first_name": "Callum",
            "last_name": "Okafor",
            "role": Role.CONSULTANT,
            "grade": "Senior consultant",
            "data_protection_training_date": trained,
            **dp,
        },
        {
            "email": "principal@example.org",
            "first_name": "Hannah",
            "last_name": "Lowe",
            "role": Role.CONSULTANT,
            "grade": "Principal consultant",
            "data_protection_training_date": trained,
            **dp,
        },
        {
            "email": "analyst@example.org",
            "first_name": "Sam",
            "last_name": "Begum",
            "role": Role.CONSULTANT,
            "grade": "Analyst",
            "data_protection_training_date": trained,
            **dp,
        },
        {
            "email": "lapsed@example.org",
            "first_name": "Tom",
            "last_name": "Reilly",
            "role": Role.CONSULTANT,
            "grade": "Consultant",
            "data_protection_training_date": lapsed,
            **dp,
        },
        {
            "email": "lead.northeast@example.org",
            "first_name": "Joanne",
            "last_name": "Bell",
            "role": Role.CLUSTER_LEAD,
            "cluster": "north-east",
            "organisation": "Sunderland",
        },
        {
            "email": "lead.foster4@example.org",
            "first_name": "Gareth",
            "last_name": "Price",
            "role": Role.CLUSTER_LEAD,
            "cluster": "foster4",
            "organisation": "Warrington",
        },
        {
            "email": "lead.eastmidlands@example.org",
            "first_name": "Aisha",
            "last_name": "Khan",
            "role": Role.CLUSTER_LEAD,
            "cluster": "east-midlands",
            "organisation": "Derby",
        },
        {
            "email": "dfe@example.org",
            "first_name": "Robert",
            "last_name": "Allen",
            "role": Role.DFE_READER,
            "organisation": "Department for Education",
        },
    ]


def seed() -> list[User]:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Demo users are created only with DEMO_MODE on.")
    users = []
    for spec in demo_users(timezone.localdate()):
        spec = dict(spec)
        email = spec.pop("email")
        if "grade" in spec:
            spec["grade"] = Grade.objects.get(name=spec["grade"])
        if "cluster" in spec:
            spec["cluster"] = Cluster.objects.get(slug=spec["cluster"])
        user, created = User.objects.get_or_create(email=email, defaults=spec)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    return users

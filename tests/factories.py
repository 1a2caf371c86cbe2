"""Factories for test data. Reference data (regions, LAs) comes from the real files."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Role, User
from clusters.models import Cluster, LocalAuthority, Stage, Wave
from clusters.services import add_member

PASSWORD = "a-Strong-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.CONSULTANT
    bpss_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    data_protection_training_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=30)
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cluster {n}")
    slug = factory.Sequence(lambda n: f"cluster-{n}")
    wave = Wave.WAVE_2
    stage = Stage.FUNDED

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        """``members=[la, ...]`` adds the LAs from 1 October 2023."""
        for la in extracted or []:
            add_member(cluster=obj, local_authority=la, joined_on=datetime.date(2023, 10, 1))


def authorities(*names: str) -> list[LocalAuthority]:
    by_name = {la.name: la for la in LocalAuthority.objects.filter(name__in=names)}
    return [by_name[n] for n in names]

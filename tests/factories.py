"""factory_boy factories. School-owned rows are created with the scope guard lifted."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from logistics.models import Membership, Role, School


class ScopedFactory(factory.django.DjangoModelFactory):
    """Creates school-owned rows outside a request, where the scope guard would refuse."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"school{n}")
    name = factory.Sequence(lambda n: f"第{n}小学")
    complaint_phone = "0750-7654321"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("demo12345")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))

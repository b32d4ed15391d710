"""District-scale staff for `make bench`: a member school's staff list, bulk inserted."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from logistics.bench import BENCH_PREFIX
from logistics.models import Membership, Role
from logistics.registry import BenchPage, registry
from logistics.staff.capabilities import MANAGE

PER_SCHOOL = 80  # a rural middle school's teachers and workers

registry.bench_page(
    BenchPage("staff list", lambda school: reverse("staff:list", args=[school.code]), MANAGE)
)


@registry.bench_seeder
def seed_staff(schools, years: int, rng: random.Random) -> None:
    roles = list(Role.objects.filter(reaches_members=False))
    unusable = make_password(None)
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(
                username=f"{BENCH_PREFIX}_{school.code}_{i}",
                first_name=f"教工{i}",
                password=unusable,
            )
            for school in schools
            for i in range(PER_SCHOOL)
        ],
        batch_size=5000,
    )
    memberships = Membership.objects.bulk_create(
        [
            Membership(user=user, school=school)
            for school, start in zip(schools, range(0, len(users), PER_SCHOOL), strict=True)
            for user in users[start : start + PER_SCHOOL]
        ],
        batch_size=5000,
    )
    Membership.roles.through.objects.bulk_create(
        [
            Membership.roles.through(membership=m, role=role)
            for m in memberships
            for role in rng.sample(roles, 2)
        ],
        batch_size=5000,
    )

"""factory_boy factories shared by the test modules."""

from __future__ import annotations

from typing import Any

import factory

from hocvuso.accounts.models import LearnerProfile, Role, RoleAssignment, User
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune, Province

PASSWORD = "hoc-vu-so-2026"


def commune(code: int) -> Commune:
    return Commune.objects.select_related("province").get(code=code)


def province(code: int) -> Province:
    return Province.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"09{n:08d}")
    phone = factory.LazyAttribute(lambda o: o.username)
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password(PASSWORD)


class LearnerProfileFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = LearnerProfile

    user = factory.SubFactory(UserFactory)
    birth_year = 1970
    target_group = factory.LazyFunction(lambda: TargetGroup.objects.get(slug="adults"))
    commune = factory.LazyFunction(lambda: commune(30178))


def learner_in(commune_code: int, **kwargs: Any) -> User:
    profile = LearnerProfileFactory(commune=commune(commune_code), **kwargs)
    RoleAssignment.objects.create(
        user=profile.user, role=Role.LEARNER, commune=profile.commune
    )
    return profile.user  # type: ignore[no-any-return]


def user_with_role(
    role: str, *, commune_code: int | None = None, province_code: int | None = None
) -> User:
    user: User = UserFactory()
    RoleAssignment.objects.create(
        user=user,
        role=role,
        commune=commune(commune_code) if commune_code else None,
        province=province(province_code) if province_code else None,
    )
    return user

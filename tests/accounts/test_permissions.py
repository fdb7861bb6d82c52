"""Scoped permissions: who sees whose data."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from tests.factories import UserFactory, learner_in, user_with_role

from hocvuso.accounts.models import LearnerProfile, Role, User
from hocvuso.accounts.permissions import scope_queryset
from hocvuso.accounts.selectors import learner_list

MY_AN_HUNG = 30178  # Đồng Tháp (82)
AN_BINH = 29954  # Đồng Tháp (82)
HOAN_KIEM = 70  # Hà Nội (1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def learners() -> dict[str, User]:
    return {
        "my_an_hung": learner_in(MY_AN_HUNG),
        "an_binh": learner_in(AN_BINH),
        "hoan_kiem": learner_in(HOAN_KIEM),
    }


def visible(viewer: User | AnonymousUser) -> set[str]:
    return {str(p.user_id) for p in learner_list(viewer=viewer)}


def ids(*users: User) -> set[str]:
    return {str(u.pk) for u in users}


def test_commune_officer_sees_only_their_commune(learners: dict[str, User]) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    assert visible(officer) == ids(learners["my_an_hung"])
    assert not scope_queryset(officer, User.objects.filter(pk=learners["an_binh"].pk))


def test_province_officer_sees_their_province_only(learners: dict[str, User]) -> None:
    officer = user_with_role(Role.PROVINCE_OFFICER, province_code=82)
    assert visible(officer) == ids(learners["my_an_hung"], learners["an_binh"])


def test_national_admin_sees_everyone(learners: dict[str, User]) -> None:
    admin = user_with_role(Role.NATIONAL_ADMIN)
    assert ids(*learners.values()) <= visible(admin)


def test_learner_sees_only_themselves(learners: dict[str, User]) -> None:
    me = learners["an_binh"]
    assert visible(me) == ids(me)
    assert set(scope_queryset(me, User.objects.all())) == {me}


def test_helper_sees_only_people_they_registered(learners: dict[str, User]) -> None:
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=MY_AN_HUNG)
    assisted = learner_in(MY_AN_HUNG, user=UserFactory(registered_by=helper))
    assert visible(helper) == ids(assisted)


def test_anonymous_and_inactive_see_nothing(learners: dict[str, User]) -> None:
    assert visible(AnonymousUser()) == set()
    officer = user_with_role(Role.NATIONAL_ADMIN)
    officer.is_active = False
    assert visible(officer) == set()


def test_officer_with_two_communes_sees_both(learners: dict[str, User]) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    from tests.factories import commune

    from hocvuso.accounts.models import RoleAssignment

    RoleAssignment.objects.create(
        user=officer, role=Role.COMMUNE_OFFICER, commune=commune(HOAN_KIEM)
    )
    assert visible(officer) == ids(learners["my_an_hung"], learners["hoan_kiem"])


def test_unscoped_model_is_refused() -> None:
    from hocvuso.geo.models import Province

    with pytest.raises(TypeError):
        scope_queryset(UserFactory(), Province.objects.all())


def test_scoped_list_uses_a_fixed_number_of_queries(
    learners: dict[str, User], django_assert_num_queries: object
) -> None:
    officer = user_with_role(Role.PROVINCE_OFFICER, province_code=82)
    with django_assert_num_queries(2):  # type: ignore[operator]
        rows = list(learner_list(viewer=officer))
        [(r.user.full_name, r.commune.province.name, r.target_group) for r in rows]
    assert len(rows) == 2


def test_learner_profile_scope_fields_are_valid(learners: dict[str, User]) -> None:
    officer = user_with_role(Role.COMMUNITY_HELPER, commune_code=AN_BINH)
    assert not scope_queryset(officer, LearnerProfile.objects.all()).exclude(
        user=officer
    )

"""Shared set-up for the assisted-learner tests: a helper and their learner."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from tests.factories import learner_in, user_with_role

from hocvuso.accounts.guidance import guidance_grant
from hocvuso.accounts.models import GuidanceGrant, Role, User

MY_AN_HUNG = 30178  # Đồng Tháp
AN_BINH = 29954  # Đồng Tháp, another commune


@dataclass
class Pair:
    helper: User
    learner: User
    grant: GuidanceGrant


def helped_learner(
    commune_code: int = MY_AN_HUNG, *, birth_year: int | None = 1958
) -> Pair:
    """Return a helper of the commune and a learner they registered and guide."""
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=commune_code)
    learner = learner_in(
        commune_code,
        user__registered_by=helper,
        user__full_name="Nguyễn Văn A",
        birth_year=birth_year,
    )
    grant = guidance_grant(
        actor=helper, helper=helper, learner=learner, consent_given=True
    )
    return Pair(helper, learner, grant)


def guiding_client(pair: Pair) -> Client:
    """Return a client signed in as the helper, guiding the learner."""
    client = Client()
    client.force_login(pair.helper)
    response = client.post(f"/accounts/assisted/{pair.learner.pk}/guide/")
    assert response.status_code == 302, response.content
    return client

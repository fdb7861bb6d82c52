"""Demo data: learners with supervised, confirmed passes and their certificates.

For trying the certificate pages on an empty install (after ``hocvuso
init``). Every random choice comes from one ``random.Random(seed)``, so a
seed gives the same names, sittings and answers each time (certificate codes
stay random: they are secrets). Accounts are made through the registration
service (phone numbers 0399 0000 xx, the password printed once); a demo
supervisor opens one supervised sitting; half the learners are at identity
level 2, the others have their ID card checked by the supervisor.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from django.db import transaction

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.services import RegistrationData, account_register
from hocvuso.assessment.models import Blueprint
from hocvuso.assessment.services import answer_submit, session_start, session_state
from hocvuso.assessment.supervision import sitting_id_card_check, supervision_open
from hocvuso.core.services import audit_record
from hocvuso.credentials.models import Certificate
from hocvuso.credentials.services import result_confirm_auto
from hocvuso.geo.models import Commune

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng"]
MIDDLE = ["Thị", "Văn", "Minh", "Thanh", "Ngọc", "Đức", "Hữu", "Thu"]
GIVEN = ["Ánh", "Bình", "Cường", "Dũng", "Hạnh", "Hương", "Lan", "Phúc", "Tâm", "Yến"]
DEMO_COMMUNE = 30178  # Xã Mỹ An Hưng, Đồng Tháp
PHONE_PREFIX = "03990000"


class DemoUnavailable(Exception):
    """The install is not ready for demo data (no pack or no units)."""


@dataclass(frozen=True)
class DemoResult:
    password: str
    learners: list[User]
    certificates: list[Certificate]


def _register(
    name: str, phone: str, password: str, commune: Commune, group: object
) -> User:
    existing = User.objects.filter(phone=phone).first()
    if existing is not None:
        return existing
    return account_register(
        actor=None,
        data=RegistrationData(
            full_name=name,
            identifier=phone,
            password=password,
            birth_year=1975,
            target_group=group,  # type: ignore[arg-type]
            commune=commune,
        ),
        consent_given=True,
    )


def demo_generate(*, count: int = 5, seed: int = 1, password: str) -> DemoResult:
    """Create ``count`` demo learners with confirmed passes (idempotent per phone)."""
    rng = random.Random(seed)
    blueprint = (
        Blueprint.objects.select_related("target_group")
        .filter(target_group__slug="adults")
        .first()
        or Blueprint.objects.select_related("target_group").first()
    )
    commune = (
        Commune.objects.filter(code=DEMO_COMMUNE).first() or Commune.objects.first()
    )
    if blueprint is None or commune is None:
        raise DemoUnavailable("no assessment or no communes: run `hocvuso init` first")
    group = blueprint.target_group
    with transaction.atomic():
        officer = _register(
            "Cán bộ xã (demo)", f"{PHONE_PREFIX}00", password, commune, group
        )
        if not RoleAssignment.objects.filter(
            user=officer, role=Role.COMMUNE_OFFICER
        ).exists():
            role = RoleAssignment.objects.create(
                user=officer, role=Role.COMMUNE_OFFICER, commune=commune
            )
            audit_record(actor=None, action="demo.role_assign", obj=role)
    sup = supervision_open(
        actor=officer, place="Nhà văn hóa (demo)", rng=random.Random(rng.random())
    )
    learners: list[User] = []
    certificates: list[Certificate] = []
    for k in range(1, count + 1):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        learner = _register(name, f"{PHONE_PREFIX}{k:02d}", password, commune, group)
        learners.append(learner)
        done = Certificate.objects.filter(confirmation__result__user=learner).first()
        if done is not None or learner.results.exists():
            if done is not None:
                certificates.append(done)
            continue  # made by an earlier run: nothing twice
        if k % 2 == 0 and learner.identity_level < 2:
            learner.identity_level = 2
            learner.save(update_fields=["identity_level"])
        session = session_start(
            actor=learner,
            blueprint=blueprint,
            supervision_code=sup.code,
            seed=rng.randrange(2**31),
        )
        state = session_state(actor=learner, session_id=session.pk)
        while not state.finished and state.item is not None:
            state = answer_submit(
                actor=learner,
                session_id=session.pk,
                item_id=str(state.item.pk),
                option=state.item.key,
                attempt_id=uuid.UUID(int=rng.getrandbits(128)),
            )
        if learner.identity_level < 2:
            sitting_id_card_check(actor=officer, session_id=str(session.pk))
        if state.result is None:
            continue
        confirmation = result_confirm_auto(result_id=str(state.result.pk))
        certificate = (
            confirmation.certificates.order_by("issued_at").first()
            if confirmation
            else None
        )
        if certificate is not None:
            certificates.append(certificate)
    return DemoResult(password=password, learners=learners, certificates=certificates)

"""A supervised pass, ready to be confirmed: the assessment bank plus helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import override
from tests.assessment.conftest import adults, bank  # noqa: F401 (fixtures)
from tests.assessment.helpers import answer
from tests.credentials.outbox_support import ReceiverProc
from tests.factories import learner_in, user_with_role

from hocvuso.accounts.models import User
from hocvuso.assessment.models import Blueprint, Result, SupervisionSession
from hocvuso.assessment.services import session_start, session_state
from hocvuso.assessment.supervision import supervision_open
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.credentials.keys import issuer_keys
from hocvuso.credentials.outbox.jws import jwks_of

COMMUNE = 30178
OTHER_COMMUNE = 29954  # An Bình, the same province (Đồng Tháp, 82)
PROVINCE = 82
HANOI_COMMUNE = 70


@dataclass
class Sitting:
    learner: User
    supervisor: User
    sup: SupervisionSession
    result: Result


def sit(
    blueprint: Blueprint,
    capture: Any,
    *,
    right: bool = True,
    supervised: bool = True,
    identity_level: int = 0,
    name: str = "Nguyễn Thị Ánh",
    supervisor: User | None = None,
    language: str = "vi",
) -> Sitting:
    """Take a whole sitting (all answers right by default) and run the tasks."""
    supervisor = supervisor or user_with_role("commune_officer", commune_code=COMMUNE)
    sup = supervision_open(actor=supervisor, place="Nhà văn hóa thôn 3")
    learner = learner_in(COMMUNE)
    learner.full_name = name
    learner.identity_level = identity_level
    learner.language = language
    learner.save()
    with capture(execute=True):
        session = session_start(
            actor=learner,
            blueprint=blueprint,
            supervision_code=sup.code if supervised else "",
        )
        state = session_state(actor=learner, session_id=session.pk)
        while not state.finished:
            state = answer(learner, session, right)
    tasks_run_pending()
    result = Result.objects.get(session=session)
    return Sitting(learner, supervisor, sup, result)


@pytest.fixture
def sitting_factory(adults: Blueprint, django_capture_on_commit_callbacks: Any) -> Any:  # noqa: F811
    def make(**kwargs: Any) -> Sitting:
        return sit(adults, django_capture_on_commit_callbacks, **kwargs)

    return make


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Messages in Vietnamese whatever language an earlier test left active."""
    with override("vi"):
        yield


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks_of(issuer_keys())))
    return path


@pytest.fixture
def receiver(tmp_path: Path, jwks_file: Path) -> Iterator[Callable[..., ReceiverProc]]:
    """Return a function that starts a reference receiver with options."""
    started: list[ReceiverProc] = []

    def start(*options: str) -> ReceiverProc:
        proc = ReceiverProc(tmp_path, jwks_file, *options)
        started.append(proc)
        return proc.start()

    yield start
    for proc in started:
        proc.stop()

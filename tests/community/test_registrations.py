"""Registration: places, waiting list, promotion, helpers, closed events."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from tests.community.conftest import HOME, OTHER, event_data
from tests.factories import learner_in, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.community.event_errors import EventClosed, EventNotAllowed
from hocvuso.community.events import event_cancel, event_update
from hocvuso.community.models import Event, EventRegistration, RegistrationStatus
from hocvuso.community.registrations import registration_cancel, registration_create

pytestmark = pytest.mark.django_db


def _statuses(event: Event) -> dict[str, str]:
    return {
        str(r.user_id): r.status for r in EventRegistration.objects.filter(event=event)
    }


def test_full_event_queues_then_promotes_the_first_waiting(
    event: Event, learners: list[User], clock: time_machine.Coordinates
) -> None:
    a, b, c, d = learners
    assert registration_create(actor=a, event_id=event.pk).status == "registered"
    assert registration_create(actor=b, event_id=event.pk).status == "registered"
    clock.shift(1)
    assert registration_create(actor=c, event_id=event.pk).status == "waiting"
    clock.shift(1)
    assert registration_create(actor=d, event_id=event.pk).status == "waiting"
    registration_cancel(actor=a, event_id=event.pk)
    s = _statuses(event)
    assert s[str(a.pk)] == RegistrationStatus.CANCELLED
    assert s[str(c.pk)] == RegistrationStatus.REGISTERED  # first in the queue
    assert s[str(d.pk)] == RegistrationStatus.WAITING
    assert EventRegistration.objects.get(event=event, user=c).promoted_at is not None


def test_registering_and_cancelling_are_idempotent(
    event: Event, learners: list[User]
) -> None:
    a = learners[0]
    first = registration_create(actor=a, event_id=event.pk)
    again = registration_create(actor=a, event_id=event.pk)
    assert first.pk == again.pk
    assert EventRegistration.objects.filter(event=event).count() == 1
    registration_cancel(actor=a, event_id=event.pk)
    registration_cancel(actor=a, event_id=event.pk)
    back = registration_create(actor=a, event_id=event.pk)
    assert back.pk == first.pk and back.status == RegistrationStatus.REGISTERED


def test_more_places_move_people_off_the_waiting_list(
    event: Event, officer: User, learners: list[User]
) -> None:
    for learner in learners:
        registration_create(actor=learner, event_id=event.pk)
    event_update(actor=officer, event=event, data=event_data(capacity=3))
    assert list(_statuses(event).values()).count("registered") == 3


def test_cancelled_and_past_events_refuse_registration(
    event: Event, officer: User, learners: list[User], clock: time_machine.Coordinates
) -> None:
    clock.shift(timedelta(hours=3))  # the event is over
    with pytest.raises(EventClosed, match="đã kết thúc"):
        registration_create(actor=learners[0], event_id=event.pk)
    clock.shift(timedelta(hours=-3))
    event_cancel(actor=officer, event=event, notice="Mất điện")
    with pytest.raises(EventClosed, match="đã bị hủy"):
        registration_create(actor=learners[0], event_id=event.pk)
    assert not EventRegistration.objects.exists()


def test_a_helper_registers_only_people_they_assist(
    event: Event, learners: list[User]
) -> None:
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=HOME)
    assisted = learner_in(HOME, user__registered_by=helper)
    reg = registration_create(actor=helper, event_id=event.pk, person=assisted)
    assert reg.user_id == assisted.pk and reg.registered_by_id == helper.pk
    with pytest.raises(EventNotAllowed):
        registration_create(actor=helper, event_id=event.pk, person=learners[0])
    far_helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=OTHER)
    theirs = learner_in(OTHER, user__registered_by=far_helper)
    with pytest.raises(EventNotAllowed):  # helper of another commune
        registration_create(actor=far_helper, event_id=event.pk, person=theirs)
    assert EventRegistration.objects.count() == 1


def test_cancel_page_notice_is_shown_on_my_registrations(
    client: object, event: Event, officer: User, learners: list[User]
) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    registration_create(actor=learners[0], event_id=event.pk)
    event_cancel(actor=officer, event=event, notice="Mưa bão, dời sang thứ Bảy.")
    client.force_login(learners[0])
    page = client.get("/community/events/mine/").content.decode()
    assert "Mưa bão, dời sang thứ Bảy." in page

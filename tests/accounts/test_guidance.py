"""Guidance grants and guided sessions: who may act for an assisted learner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from tests.accounts.assisted import (
    AN_BINH,
    MY_AN_HUNG,
    guiding_client,
    helped_learner,
)
from tests.accounts.helpers import registration_form
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import write_pack

from hocvuso.accounts.errors import PermissionDeniedError
from hocvuso.accounts.guidance import (
    GUIDANCE_CONSENT_VERSION,
    guidance_end,
    guidance_grant,
)
from hocvuso.accounts.models import GuidanceGrant, Role, RoleAssignment, User
from hocvuso.accounts.selectors import assisted_learners
from hocvuso.core.models import AuditLog
from hocvuso.learning.models import LessonProgress
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db
LESSON = "/learn/safety/safety-lesson-1/"


@pytest.fixture
def pack(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    pack_import(source=PackSource.open(write_pack(tmp_path / "p")), actor=None)


def test_registering_helper_gets_a_grant_with_the_persons_consent(
    client: Client,
) -> None:
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=MY_AN_HUNG)
    client.force_login(helper)
    form = registration_form(guidance_consent="on")
    assert client.post("/accounts/assist/", form).status_code == 302
    learner = User.objects.get(phone="0987654321")
    grant = GuidanceGrant.objects.get(learner=learner)
    assert grant.helper == helper and grant.active
    assert grant.consent_version == GUIDANCE_CONSENT_VERSION
    assert grant.consent_recorded_by == helper
    assert AuditLog.objects.filter(
        action="guidance.grant", object_id=str(learner.pk), actor_id=helper.pk
    ).exists()
    # Without the guidance consent the person is registered, nobody guides them.
    client.post("/accounts/assist/", registration_form(identifier="0987654322"))
    other = User.objects.get(phone="0987654322")
    assert not GuidanceGrant.objects.filter(learner=other).exists()


def test_only_helpers_of_the_learners_commune_may_be_granted() -> None:
    pair = helped_learner()
    stranger = user_with_role(Role.COMMUNITY_HELPER, commune_code=AN_BINH)
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    with pytest.raises(PermissionDeniedError):
        guidance_grant(
            actor=officer, helper=stranger, learner=pair.learner, consent_given=True
        )
    # A helper cannot hand the person to a colleague; an officer can, with consent.
    colleague = user_with_role(Role.COMMUNITY_HELPER, commune_code=MY_AN_HUNG)
    with pytest.raises(PermissionDeniedError):
        guidance_grant(
            actor=pair.helper,
            helper=colleague,
            learner=pair.learner,
            consent_given=True,
        )
    with pytest.raises(PermissionDeniedError):
        guidance_grant(
            actor=officer, helper=colleague, learner=pair.learner, consent_given=False
        )
    grant = guidance_grant(
        actor=officer, helper=colleague, learner=pair.learner, consent_given=True
    )
    again = guidance_grant(
        actor=officer, helper=colleague, learner=pair.learner, consent_given=True
    )
    assert grant.pk == again.pk and grant.granted_by == officer
    # An officer of another commune cannot grant either.
    other_officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=AN_BINH)
    with pytest.raises(PermissionDeniedError):
        guidance_grant(
            actor=other_officer,
            helper=colleague,
            learner=pair.learner,
            consent_given=True,
        )


def test_helper_of_another_commune_cannot_see_or_guide_the_learner() -> None:
    pair = helped_learner()
    stranger = user_with_role(Role.COMMUNITY_HELPER, commune_code=AN_BINH)
    assert not assisted_learners(viewer=stranger).filter(pk=pair.learner.pk).exists()
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/accounts/assisted/{pair.learner.pk}/").status_code == 404
    response = client.post(f"/accounts/assisted/{pair.learner.pk}/guide/")
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action="guide.start").exists()


def test_my_assisted_learners_list_searches_and_pages(client: Client) -> None:
    pair = helped_learner()
    for n in range(22):
        other = learner_in(MY_AN_HUNG, user__full_name=f"Trần Thị {n:02d}")
        other.registered_by = pair.helper
        other.save()
        guidance_grant(
            actor=pair.helper, helper=pair.helper, learner=other, consent_given=True
        )
    learner_in(MY_AN_HUNG, user__full_name="Trần Thị Không")  # nobody guides
    client.force_login(pair.helper)
    first = client.get("/accounts/assisted/").content.decode()
    assert "Người tôi hỗ trợ" in first and "Trang 1 / 2" in first
    found = client.get("/accounts/assisted/", {"q": "văn a"}).content.decode()
    assert "Nguyễn Văn A" in found and "Trần Thị" not in found
    second = client.get("/accounts/assisted/", {"page": 2}).content.decode()
    assert "Không" not in first + second
    # A commune officer oversees every assisted person of the commune.
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    assert assisted_learners(viewer=officer).count() == 23


def test_guided_lesson_saves_progress_for_the_learner_and_audits_it(
    pack: None,
) -> None:
    pair = helped_learner()
    client = guiding_client(pair)
    page = client.get(LESSON).content.decode()
    assert "Đang hướng dẫn: Nguyễn Văn A" in page
    event = page.split('name="event_id" value="')[1].split('"')[0]
    client.post(f"{LESSON}done/", {"event_id": event})
    progress = LessonProgress.objects.get(lesson__slug="safety-lesson-1")
    assert progress.user == pair.learner and progress.completed_at is not None
    assert not LessonProgress.objects.filter(user=pair.helper).exists()
    written = AuditLog.objects.filter(action="progress.assisted")
    assert written.exists() and {a.actor_id for a in written} == {pair.helper.pk}
    assert AuditLog.objects.filter(
        action="guide.start", actor_id=pair.helper.pk, object_id=str(pair.learner.pk)
    ).exists()
    # "Kết thúc" ends it: the pages are the helper's own again.
    client.post("/accounts/guide/end/")
    page = client.get(LESSON).content.decode()
    assert "Đang hướng dẫn" not in page
    assert LessonProgress.objects.filter(user=pair.helper).exists()
    ended = AuditLog.objects.get(action="guide.end")
    assert ended.after is not None and ended.after["reason"] == "ended"


def test_guided_session_ends_on_sign_out_and_after_idle_time(
    pack: None, settings: Any
) -> None:
    pair = helped_learner()
    client = guiding_client(pair)
    client.post("/accounts/logout/")
    ended = AuditLog.objects.get(action="guide.end")
    assert ended.after is not None and ended.after["reason"] == "signed_out"

    settings.HOCVUSO_GUIDE_IDLE_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = guiding_client(pair)
        clock.shift(timedelta(minutes=29))
        assert "Đang hướng dẫn" in client.get(LESSON).content.decode()
        clock.shift(timedelta(minutes=29))  # idle 29 minutes again: still on
        assert "Đang hướng dẫn" in client.get(LESSON).content.decode()
        clock.shift(timedelta(minutes=31))
        page = client.get(LESSON).content.decode()
    assert "Đang hướng dẫn:" not in page and "Hướng dẫn đã kết thúc" in page
    ends = AuditLog.objects.filter(action="guide.end").order_by("created_at")
    assert [a.after["reason"] for a in ends if a.after] == ["signed_out", "timeout"]
    # After the timeout the lesson page is the helper's own again.
    assert LessonProgress.objects.filter(user=pair.helper).exists()


def test_ending_a_grant_stops_the_guided_session_at_once(pack: None) -> None:
    pair = helped_learner()
    client = guiding_client(pair)
    other_officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=AN_BINH)
    with pytest.raises(PermissionDeniedError):
        guidance_end(actor=other_officer, grant=pair.grant, reason="revoked_officer")
    # The person ends the help from their own profile.
    own = Client()
    own.force_login(pair.learner)
    assert "Nguyễn" in own.get("/accounts/me/").content.decode()
    own.post(f"/accounts/guidance/{pair.grant.pk}/end/")
    pair.grant.refresh_from_db()
    assert pair.grant.end_reason == GuidanceGrant.EndReason.REVOKED_LEARNER
    assert "Đang hướng dẫn" not in client.get(LESSON).content.decode()
    assert not LessonProgress.objects.filter(user=pair.learner).exists()
    # The registering helper cannot give themselves the access back.
    with pytest.raises(PermissionDeniedError):
        guidance_grant(
            actor=pair.helper,
            helper=pair.helper,
            learner=pair.learner,
            consent_given=True,
        )


def test_helper_who_leaves_the_commune_loses_the_grant(pack: None) -> None:
    pair = helped_learner()
    client = guiding_client(pair)
    RoleAssignment.objects.filter(user=pair.helper).delete()
    assert "Đang hướng dẫn" not in client.get(LESSON).content.decode()
    pair.grant.refresh_from_db()
    assert pair.grant.end_reason == GuidanceGrant.EndReason.HELPER_LEFT


def test_officer_grants_and_ends_help_from_the_learner_page(client: Client) -> None:
    pair = helped_learner()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    colleague = user_with_role(Role.COMMUNITY_HELPER, commune_code=MY_AN_HUNG)
    client.force_login(officer)
    url = f"/accounts/assisted/{pair.learner.pk}/"
    assert "Cho phép" in client.get(url).content.decode()
    client.post(f"{url}grant/", {"helper": colleague.phone, "consent": "on"})
    grant = GuidanceGrant.objects.get(helper=colleague)
    assert grant.granted_by == officer
    client.post(f"/accounts/guidance/{grant.pk}/end/")
    grant.refresh_from_db()
    assert grant.end_reason == GuidanceGrant.EndReason.REVOKED_OFFICER
    # Without the consent box nothing is granted.
    client.post(f"{url}grant/", {"helper": colleague.phone})
    assert GuidanceGrant.objects.filter(helper=colleague).count() == 1

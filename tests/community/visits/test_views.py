"""The pages: officers run teams, volunteers join and log visits without JS."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image
from tests.community.visits.conftest import COMMUNE_A, World, join, visit_data
from tests.factories import UserFactory

from hocvuso.community.models import Invitation, MemberRole, Team, TeamMember, Visit
from hocvuso.community.services import card_save, invitation_create
from hocvuso.community.visits import visit_record


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_officer_creates_a_team_and_an_invitation_that_a_volunteer_accepts(
    world: World,
) -> None:
    officer = signed_in(world.officer_a)
    response = officer.post(
        f"/community/c/{COMMUNE_A}/teams/new/",
        {"name": "Tổ thanh niên ấp 2", "kind": "youth_union", "description": ""},
    )
    team = Team.objects.get(name="Tổ thanh niên ấp 2")
    assert response.status_code == 302
    assert response["Location"] == f"/community/t/{team.pk}/"
    assert "Tổ thanh niên ấp 2" in officer.get(f"/community/c/{COMMUNE_A}/teams/").text
    response = officer.post(
        f"/community/t/{team.pk}/invite/",
        {"role": "ambassador", "max_uses": 5, "days": 7},
    )
    invitation = Invitation.objects.get(team=team)
    page = officer.get(response["Location"])
    assert invitation.code in page.text
    assert "data:image/svg+xml" in page.text

    # Not signed in: sign in first, then come back.
    anonymous = Client().get(f"/community/join/{invitation.code}/")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]

    newcomer = UserFactory()
    client = signed_in(newcomer)
    assert (
        "Tổ thanh niên ấp 2" in client.get(f"/community/join/{invitation.code}/").text
    )
    response = client.post(
        f"/community/join/{invitation.code}/", {"code": invitation.code}
    )
    assert response.status_code == 302
    member = TeamMember.objects.get(team=team, user=newcomer)
    assert member.role == MemberRole.AMBASSADOR
    wrong = client.post("/community/join/", {"code": "ZZZZ2222"})
    assert "Mã mời không đúng" in wrong.text


def test_the_ambassadors_card_shows_on_the_public_page_without_contact(
    world: World,
) -> None:
    ambassador = UserFactory(full_name="Nguyễn Thị Lan", phone="0987654321")
    member = join(
        ambassador, world.team, by=world.officer_a, role=MemberRole.AMBASSADOR
    )
    client = signed_in(ambassador)
    response = client.post(
        f"/community/m/{member.pk}/card/",
        {
            "display_name": "Chị Lan",
            "helps_with": ["vneid_installed", "payment"],
            "where_when": "Tối thứ Ba, nhà văn hóa ấp 3",
            "published": "on",
        },
    )
    assert response.status_code == 302
    page = Client().get(f"/community/c/{COMMUNE_A}/").text
    assert "Chị Lan" in page
    assert "Cài ứng dụng VNeID" in page
    assert "Tối thứ Ba" in page
    assert "Nguyễn Thị Lan" not in page
    assert "0987654321" not in page
    card_save(
        actor=ambassador,
        member=member,
        display_name="Chị Lan",
        helps_with=[],
        contact="Zalo 0987 654 321",
    )
    assert "Zalo 0987 654 321" in Client().get(f"/community/c/{COMMUNE_A}/").text


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def test_the_visit_form_works_without_javascript(world: World, media: Path) -> None:
    client = signed_in(world.volunteer)
    page = client.get("/community/visits/new/")
    assert page.status_code == 200
    visit_id = page.context["form"].initial["id"]
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 1000), "white").save(buffer, format="JPEG")
    due = timezone.localdate() + timedelta(days=2)
    body = {
        "id": str(visit_id),
        "team": str(world.team.pk),
        "hamlet": "Ấp Tân Hòa",
        "people_helped": "4",
        "activities": ["vneid_installed", "ehealth_book"],
        "followup_what": "Hướng dẫn tích hợp bằng lái",
        "followup_due": due.isoformat(),
        "note": "",
        "photo": SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg"),
    }
    response = client.post("/community/visits/new/", body)
    assert response.status_code == 302, response.content
    visit = Visit.objects.get(pk=visit_id)
    assert visit.people_helped == 4
    assert visit.photo.name.endswith(".jpg")
    # The same form sent twice (a double tap) stores one visit.
    body["photo"] = SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg")
    client.post("/community/visits/new/", body)
    assert Visit.objects.count() == 1
    # The hamlet is now suggested; the follow-up is on the volunteer's page.
    assert '<option value="Ấp Tân Hòa">' in client.get("/community/visits/new/").text
    home = client.get("/community/").text
    assert "Hướng dẫn tích hợp bằng lái" in home
    client.post(f"/community/v/{visit.pk}/done/", {"next": "/community/"})
    visit.refresh_from_db()
    assert visit.followup_done_at is not None


def test_the_visit_form_shows_errors_in_vietnamese(world: World, media: Path) -> None:
    client = signed_in(world.volunteer)
    body = {
        "id": "8f7d3c52-5f4e-4c1b-9a51-3f4c8c1d2e01",
        "team": str(world.team.pk),
        "hamlet": "Ấp 1",
        "people_helped": "0",
        "followup_what": "Gọi lại",
        "followup_due": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "photo": SimpleUploadedFile("a.jpg", b"no image", "image/jpeg"),
    }
    response = client.post("/community/visits/new/", body)
    assert response.status_code == 200
    assert "Số người được giúp từ 1 đến 50." in response.text
    assert "không phải ảnh đọc được" in response.text
    body["people_helped"] = "2"
    body.pop("photo")
    response = client.post("/community/visits/new/", body)
    assert "Ngày làm tiếp đã qua" in response.text
    assert Visit.objects.count() == 0


def test_another_communes_officer_gets_404_or_403_everywhere(world: World) -> None:
    visit = visit_record(
        actor=world.volunteer,
        data=visit_data(
            world.team,
            followup_what="x",
            followup_due=timezone.localdate() + timedelta(days=1),
        ),
    ).visit
    invitation = invitation_create(actor=world.officer_a, team=world.team)
    team = world.team
    client = signed_in(world.officer_c)
    gets = [
        f"/community/c/{COMMUNE_A}/teams/",
        f"/community/c/{COMMUNE_A}/teams/new/",
        f"/community/t/{team.pk}/",
        f"/community/t/{team.pk}/edit/",
        f"/community/t/{team.pk}/invite/",
        f"/community/i/{invitation.pk}/",
        f"/community/m/{world.member.pk}/card/",
    ]
    for url in gets:
        assert client.get(url).status_code in (403, 404), url
    posts = [
        f"/community/c/{COMMUNE_A}/teams/new/",
        f"/community/t/{team.pk}/edit/",
        f"/community/t/{team.pk}/archive/",
        f"/community/t/{team.pk}/invite/",
        f"/community/i/{invitation.pk}/revoke/",
        f"/community/m/{world.member.pk}/leave/",
        f"/community/m/{world.member.pk}/card/",
        f"/community/v/{visit.pk}/done/",
    ]
    for url in posts:
        response = client.post(
            url, {"name": "X", "kind": "other", "max_uses": 1, "days": 1}
        )
        assert response.status_code in (403, 404), url
    team.refresh_from_db()
    world.member.refresh_from_db()
    visit.refresh_from_db()
    invitation.refresh_from_db()
    assert team.name == "Tổ công nghệ số ấp 1" and team.archived_at is None
    assert world.member.left_at is None
    assert visit.followup_done_at is None
    assert invitation.revoked_at is None
    assert Invitation.objects.filter(team=team).count() == 2  # fixture's + this one


def test_the_province_officer_reads_but_does_not_change(world: World) -> None:
    client = signed_in(world.province_officer)
    assert client.get(f"/community/c/{COMMUNE_A}/teams/").status_code == 200
    assert client.get(f"/community/t/{world.team.pk}/").status_code == 200
    assert client.get(f"/community/t/{world.team.pk}/edit/").status_code == 403
    assert client.post(f"/community/t/{world.team.pk}/archive/").status_code == 403
    # Another province's commune is not theirs.
    assert client.get(f"/community/t/{world.other_team.pk}/").status_code == 404


def test_a_volunteer_sees_their_team_but_not_another(world: World) -> None:
    client = signed_in(world.volunteer)
    assert client.get(f"/community/t/{world.team.pk}/").status_code == 200
    assert client.get(f"/community/t/{world.other_team.pk}/").status_code == 404
    assert client.get(f"/community/c/{COMMUNE_A}/teams/").status_code == 404
    assert client.get(f"/community/t/{world.team.pk}/edit/").status_code == 403


def test_a_person_without_a_team_is_sent_to_join(db: object) -> None:
    client = signed_in(UserFactory())
    response = client.get("/community/visits/new/")
    assert response.status_code == 302
    assert response["Location"] == "/community/join/"

"""An officer creates a team and invites; a volunteer joins and logs visits
offline on a phone; they arrive exactly once when the network returns."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, UserFactory, user_with_role

from hocvuso.accounts.models import Role
from hocvuso.community.models import Team, TeamMember, Visit

pytestmark = pytest.mark.e2e

COMMUNE = 30178

# Put every visit on the phone back in the queue, as if no answer had come.
RESEND_ALL = """async () => {
  const db = await new Promise((ok) => {
    const r = indexedDB.open("hocvuso-visits", 1);
    r.onsuccess = () => ok(r.result);
  });
  const t = db.transaction("queue", "readwrite");
  const s = t.objectStore("queue");
  const all = await new Promise((ok) => {
    const r = s.getAll();
    r.onsuccess = () => ok(r.result);
  });
  for (const v of all) s.put({...v, state: "waiting", next_try: 0});
  await new Promise((ok) => { t.oncomplete = ok; });
}"""


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def log_visit(page: Page, hamlet: str, people: str, activity: str) -> None:
    page.get_by_label("Ấp, thôn hoặc tổ dân phố").fill(hamlet)
    page.get_by_label("Số người được giúp").fill(people)
    page.get_by_label(activity).check()
    page.get_by_role("button", name="Lưu lần đến hộ").click()


def test_team_invitation_and_offline_visits_arrive_once(
    browser: Browser, phone_page: Page, live_server: Any, reference_data: None
) -> None:
    base = live_server.url
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=COMMUNE)
    volunteer = UserFactory(full_name="Lê Văn Tình")

    # The officer, on a desktop, creates the team and an invitation.
    desk = browser.new_context(locale="vi-VN")
    office = desk.new_page()
    sign_in(office, base, officer.username)
    office.goto(f"{base}/community/c/{COMMUNE}/teams/")
    office.get_by_role("link", name="Tạo tổ").click()
    office.get_by_label("Tên tổ").fill("Tổ công nghệ số ấp Mỹ Hòa")
    office.get_by_role("button", name="Lưu").click()
    office.get_by_role("link", name="Mời người tham gia").click()
    office.get_by_role("button", name="Tạo lời mời").click()
    expect(office.get_by_role("img", name="Mã QR của lời mời")).to_be_visible()
    code = office.get_by_label("Mã mời").inner_text().strip()
    screenshot(office, "visits-invitation")
    desk.close()

    # The volunteer joins on their phone with the invitation's link.
    page = phone_page
    sign_in(page, base, volunteer.username)
    page.goto(f"{base}/community/join/{code}/")
    expect(page.get_by_text("Tổ công nghệ số ấp Mỹ Hòa").first).to_be_visible()
    page.get_by_role("button", name="Tham gia tổ").click()
    expect(
        page.get_by_role("heading", name="Tổ công nghệ số ấp Mỹ Hòa")
    ).to_be_visible()
    team = Team.objects.get(name="Tổ công nghệ số ấp Mỹ Hòa")
    assert TeamMember.objects.filter(team=team, user=volunteer).count() == 1

    page.get_by_role("link", name="Ghi lần đến hộ dân").first.click()
    expect(page.get_by_role("heading", name="Ghi lần đến hộ dân")).to_be_visible()
    screenshot(page, "visits-form")

    # The network drops: visits wait on the phone, visibly.
    page.context.set_offline(True)
    waiting = page.locator("#queue-list li[data-state=waiting]")
    log_visit(page, "Ấp Mỹ Hòa", "3", "Cài ứng dụng VNeID")
    # As a volunteer would, see the first one saved (and the form cleared)
    # before typing the next: typing earlier raced the form's reset.
    expect(waiting).to_have_count(1)
    expect(page.get_by_label("Ấp, thôn hoặc tổ dân phố")).to_have_value("")
    log_visit(page, "Ấp Mỹ Hòa", "2", "Cảnh giác lừa đảo trên mạng")
    expect(waiting).to_have_count(2)
    expect(page.get_by_text("Đang chờ mạng").first).to_be_visible()
    expect(page.get_by_text("Xóa dữ liệu hoặc lịch sử trình duyệt")).to_be_visible()
    screenshot(page, "visits-offline-waiting")
    assert Visit.objects.count() == 0

    # The network returns: both arrive, once.
    page.context.set_offline(False)
    expect(page.locator("#queue-list li[data-state=sent]")).to_have_count(
        2, timeout=15000
    )
    screenshot(page, "visits-sent")
    assert Visit.objects.filter(volunteer=volunteer).count() == 2
    assert sorted(Visit.objects.values_list("people_helped", flat=True)) == [2, 3]

    # Sending the same queue again (a lost answer) stores nothing new.
    page.evaluate(RESEND_ALL)
    page.reload()
    expect(page.locator("#queue-list li[data-state=sent]")).to_have_count(
        2, timeout=15000
    )
    assert Visit.objects.count() == 2


def test_visit_form_works_without_javascript(
    browser: Browser, live_server: Any, reference_data: None
) -> None:
    from tests.factories import commune

    from hocvuso.community.services import (
        invitation_accept,
        invitation_create,
        team_create,
    )

    base = live_server.url
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=COMMUNE)
    team = team_create(
        actor=officer, commune=commune(COMMUNE), name="Tổ 7", kind="other"
    )
    volunteer = UserFactory()
    invitation_accept(
        actor=volunteer, code=invitation_create(actor=officer, team=team).code
    )

    context = browser.new_context(
        java_script_enabled=False,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
    )
    page = context.new_page()
    sign_in(page, base, volunteer.username)
    page.goto(f"{base}/community/visits/new/")
    log_visit(page, "Tổ dân phố 4", "5", "Nộp dịch vụ công trực tuyến")
    expect(page.get_by_text("Đã lưu lần đến hộ. Cảm ơn bạn!")).to_be_visible()
    screenshot(page, "visits-nojs-saved")
    visit = Visit.objects.get(volunteer=volunteer)
    assert visit.people_helped == 5
    context.close()


def test_visit_and_commune_pages_pass_axe(
    browser: Browser, live_server: Any, reference_data: None, axe_script: str
) -> None:
    from tests.factories import commune

    from hocvuso.community.services import (
        card_save,
        invitation_accept,
        invitation_create,
        team_create,
    )

    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=COMMUNE)
    team = team_create(
        actor=officer, commune=commune(COMMUNE), name="Tổ 8", kind="other"
    )
    volunteer = UserFactory()
    invitation = invitation_create(actor=officer, team=team, role="ambassador")
    member = invitation_accept(actor=volunteer, code=invitation.code)
    card_save(
        actor=volunteer, member=member, display_name="Anh Tư", helps_with=["payment"]
    )
    # bypass_csp lets the test inject axe-core; the pages' own CSP stays strict.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, live_server.url, volunteer.username)
    for path in ["/community/visits/new/", f"/community/c/{COMMUNE}/", "/community/"]:
        page.goto(live_server.url + path)
        assert axe_violations(page, axe_script) == [], path
    screenshot(page, "visits-home")
    context.close()

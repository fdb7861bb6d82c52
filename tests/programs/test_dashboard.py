"""Dashboards: scoped by role, numbers from the figures, light and accessible."""

from __future__ import annotations

import gzip
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.factories import UserFactory, user_with_role
from tests.programs.dash_data import YEAR, World, approve, world

from hocvuso.accounts.models import Role
from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import child_units

pytestmark = pytest.mark.django_db

Q = {"year": YEAR, "month": 3}


def _url(unit: UnitRef) -> str:
    return reverse("programs:dashboard", kwargs={"unit": unit.slug})


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


@pytest.fixture
def w() -> World:
    return world()


def test_a_commune_officer_sees_only_their_commune(w: World) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=w.home.commune_code)
    c = _client(officer)
    assert c.get(_url(w.home), Q).status_code == 200
    assert c.get(_url(w.neighbour), Q).status_code == 403
    assert c.get(_url(w.province), Q).status_code == 403
    assert c.get(_url(UnitRef.nation()), Q).status_code == 403
    assert c.get("/programs/c999999/").status_code == 404
    home = c.get(reverse("programs:home"))
    assert home.status_code == 302 and home["Location"] == _url(w.home)


def test_a_province_officer_sees_their_province_and_its_communes_only(
    w: World,
) -> None:
    boss = user_with_role(Role.PROVINCE_OFFICER, province_code=w.province.province_code)
    c = _client(boss)
    assert c.get(_url(w.province), Q).status_code == 200
    assert c.get(_url(w.home), Q).status_code == 200
    assert c.get(_url(w.elsewhere), Q).status_code == 403
    assert (
        c.get(_url(UnitRef.province(w.elsewhere.province_code)), Q).status_code == 403
    )
    assert c.get(_url(UnitRef.nation()), Q).status_code == 403


def test_people_without_a_steering_role_are_refused(w: World) -> None:
    assert Client().get(_url(w.home)).status_code == 302  # to sign in
    learner = _client(UserFactory())
    assert learner.get(_url(w.home), Q).status_code == 403
    assert learner.get(reverse("programs:home")).status_code == 403


def test_province_dashboard_shows_progress_ranking_and_lagging(w: World) -> None:
    boss = user_with_role(Role.PROVINCE_OFFICER, province_code=w.province.province_code)
    page = _client(boss).get(_url(w.province), {**Q, "indicator": "reached"})
    html = page.content.decode()
    assert "Số liệu tính đến 00:05 ngày 01/07/2026" in html
    # Reached: 42 against a target of 200; the steady pace is 50 by March.
    assert re.search(r"<th scope=\"row\">Mọi người</th><td>42</td><td>200 <span", html)
    assert "Chậm tiến độ" in html
    assert "(tổng các xã 120)" in html  # the province's own target differs
    # Ranking: home (30) first, then the neighbour (12), every commune listed.
    ranking = html[html.index('class="ranking"') :]
    assert ranking.index(f"/programs/c{w.home.commune_code}/") < ranking.index(
        f"/programs/c{w.neighbour.commune_code}/"
    )
    assert ranking.count("<tr") == len(child_units(w.province)) + 1
    # The percentage without a farmers' population shows the count and says so.
    assert "cần có số dân làm mẫu số; chưa có cho: Nông dân" in html
    assert "<svg" in html and "<table" in html


def test_nation_sees_approved_figures_by_default(w: World) -> None:
    admin = user_with_role(Role.NATIONAL_ADMIN)
    approve(w.home, 1)
    c = _client(admin)
    html = c.get(_url(UnitRef.nation()), {**Q, "indicator": "reached"}).content.decode()
    assert "Chỉ tính số liệu đã được tỉnh phê duyệt" in html
    assert re.search(r"<th scope=\"row\">Mọi người</th><td>10</td>", html)
    approve(w.neighbour, 1)  # a new approval is counted at once (not cached)
    html = c.get(_url(UnitRef.nation()), {**Q, "indicator": "reached"}).content.decode()
    assert re.search(r"<th scope=\"row\">Mọi người</th><td>13</td>", html)
    html = c.get(
        _url(UnitRef.nation()), {**Q, "indicator": "reached", "basis": "all"}
    ).content.decode()
    assert re.search(r"<th scope=\"row\">Mọi người</th><td>63</td>", html)
    assert "Tạm tính" in html


def test_filters_by_group_and_period_and_htmx_partial(w: World) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=w.home.commune_code)
    c = _client(officer)
    html = c.get(
        _url(w.home), {"year": YEAR, "month": 1, "group": "youth"}
    ).content.decode()
    # Only the youth rows: confirmed youth had no row in January.
    assert "Mọi người</th>" not in html.split('id="dash-body"')[1]
    part = c.get(_url(w.home), {**Q, "indicator": "confirmed"}, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert "<html" not in body and "Số liệu tính đến" in body
    assert "HX-Request" in part["Vary"]
    bad = c.get(_url(w.home), {"year": "abc"})
    assert bad.status_code == 400
    assert "Hãy chọn" in bad.content.decode()


def test_subnav_and_site_menu_link_the_dashboard(w: World) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=w.home.commune_code)
    html = _client(officer).get(_url(w.home), Q).content.decode()
    assert 'class="subnav"' in html
    assert f'href="{_url(w.home)}" aria-current="page"' in html
    assert 'href="/programs/">Chỉ đạo</a>' in html
    learner_html = _client(UserFactory()).get("/").content.decode()
    assert 'href="/programs/"' not in learner_html


def test_query_count_is_pinned_and_page_is_light(w: World) -> None:
    admin = user_with_role(Role.NATIONAL_ADMIN)
    c = _client(admin)
    c.get(_url(w.home), Q)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        c.get(_url(w.home), Q)
    with CaptureQueriesContext(connection) as province:
        page = c.get(_url(w.province), Q)
    with CaptureQueriesContext(connection) as nation:
        c.get(_url(UnitRef.nation()), Q)
    with CaptureQueriesContext(connection) as again:
        c.get(_url(UnitRef.nation()), Q)
    counts = [len(q.captured_queries) for q in (small, province, nation, again)]
    # Session, user and roles (4), indicators and group names (2), then the
    # figures: the same number for 2 or 168 communes or 34 provinces. The
    # nation's approved-only sums are cached until a refresh or an approval
    # (the second visit reads the cache instead of the commune rows).
    assert counts == [19, 26, 47, 19]
    assert len(gzip.compress(page.content)) < 150_000


def test_a_dashboard_without_indicators_says_so() -> None:
    from hocvuso.programs.models import IndicatorSet

    IndicatorSet.objects.update(active=False)  # init seeds the movement's set
    admin = user_with_role(Role.NATIONAL_ADMIN)
    page = _client(admin).get(_url(UnitRef.nation()), Q)
    assert page.status_code == 200
    assert "Chưa có bộ chỉ số nào được dùng." in page.content.decode()


def test_subnav_skips_url_names_that_do_not_resolve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hocvuso.programs import nav

    monkeypatch.setattr(
        nav,
        "SUBNAV",
        [("programs:dashboard", "Bảng"), ("programs:not_there", "Không có")],
    )
    links = nav.subnav_links(UnitRef.nation(), "/programs/vn/")
    assert [(link.url, link.label, link.current) for link in links] == [
        ("/programs/vn/", "Bảng", True)
    ]

"""Public progress: aggregates only, small counts hidden, pages cacheable."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import user_with_role
from tests.programs.dash_data import YEAR, World, indicators, world, write_facts

from hocvuso.accounts.models import Role
from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import child_units
from hocvuso.programs.public import (
    _child_relations,
    public_province,
    public_table,
    public_top,
)

pytestmark = pytest.mark.django_db

Q = {"year": YEAR, "month": 3}


def _page(unit: UnitRef, client: Client | None = None, **extra: str) -> str:
    response = (client or Client()).get(
        reverse("progress:unit", kwargs={"unit": unit.slug}), {**Q, **extra}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_small_counts_are_hidden_and_so_is_one_more_to_protect_them() -> None:
    w = world()
    table = public_province(w.province, YEAR, 3)
    fig = table.figures
    # The neighbour's 2 passed is below 5: hidden, with its percentage.
    assert fig[(w.neighbour, "passed", "")].suppressed
    assert fig[(w.neighbour, "passed", "")].count is None
    assert fig[(w.neighbour, "passed", "")].value is None
    # Province 8 − home 6 − the zeros would give it back: one more is hidden.
    siblings = [u for u in child_units(w.province) if fig[(u, "passed", "")].suppressed]
    assert len(siblings) == 2
    assert fig[(w.home, "passed", "")].value == pytest.approx(10.0)
    # Home's 2 farmers (and the province's 2) are hidden; 30 reached is shown.
    assert fig[(w.home, "passed", "farmers")].suppressed
    assert fig[(w.province, "passed", "farmers")].suppressed
    assert fig[(w.home, "reached", "")].count == 30
    assert not fig[(w.neighbour, "reached", "")].suppressed  # 12


def test_no_relation_is_left_with_a_single_hidden_cell() -> None:
    """Random small counts over a province: no hidden cell can be derived."""
    reached, passed, confirmed = indicators()
    rng = random.Random(17)
    province = UnitRef.province(82)
    communes = child_units(province)
    rows: dict[tuple[UnitRef, int, str, str], float] = {}
    for c in communes:
        for code, groups in (("reached", [""]), ("confirmed", ["", "youth"])):
            for g in groups:
                rows[(c, 3, code, g)] = rng.choice([0, 1, 2, 3, 4, 5, 8, 20])
    write_facts(rows)
    inds = [reached, passed, confirmed]
    table = public_province(province, YEAR, 3, indicators=inds)
    counts = {k: v for (u, _m, i, g), v in rows.items() for k in [(u, i, g)]}
    for key, value in counts.items():
        if 0 < value < 5:
            assert table.figures[key].suppressed, key
    for margin, cells, _ in _child_relations(province, communes, inds):
        hidden = [c for c in [margin, *cells] if table.figures[c].suppressed]
        assert len(hidden) != 1, margin
    top = public_top(YEAR, 3, inds)
    for key, pub in top.figures.items():
        if key[0] == province:
            assert table.figures[key] == pub  # the same on the national page


def test_public_pages_are_cacheable_and_hold_no_session() -> None:
    w = world()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=w.home.commune_code)
    signed_in = Client()
    signed_in.force_login(officer)
    for client in (Client(), signed_in):
        for unit in (UnitRef.nation(), w.province, w.home):
            response = client.get(
                reverse("progress:unit", kwargs={"unit": unit.slug}), Q
            )
            assert response.status_code == 200
            assert not response.cookies, unit
            assert "Cookie" not in response.get("Vary", ""), unit
            cache = response["Cache-Control"]
            assert "public" in cache and "max-age=" in cache
            assert "csrfmiddlewaretoken" not in response.content.decode()
    assert Client().get(reverse("progress:index")).status_code == 200


def test_public_pages_show_aggregates_and_link_down() -> None:
    w = world()
    html = _page(w.province)
    assert "Tiến độ của" in html and "Số liệu tính đến" in html
    assert reverse("progress:unit", kwargs={"unit": w.home.slug}) in html
    assert "ẩn" in html  # a suppressed cell
    commune = _page(w.home)
    assert "10,0\u00a0%" in commune  # 6 of 60 people passed
    english = _page(w.home, lang="en")
    assert 'lang="en"' in english and "Progress of" in english
    bad = Client().get(
        reverse("progress:unit", kwargs={"unit": w.home.slug}), {"month": "13"}
    )
    assert bad.status_code == 400
    assert "tháng" in bad.content.decode()
    assert Client().get("/progress/c999999/").status_code == 404


def test_widget_may_be_framed_elsewhere_other_pages_not(w: World | None = None) -> None:
    w = world()
    widget = Client().get(
        reverse("progress:widget", kwargs={"unit": w.province.slug}), Q
    )
    assert widget.status_code == 200
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget
    page = Client().get(reverse("progress:unit", kwargs={"unit": w.province.slug}), Q)
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_public_table_for_a_commune_reads_its_province() -> None:
    w = world()
    table = public_table(w.home, YEAR, 3, list(indicators_or_active()))
    assert (w.home, "reached", "") in table.figures


def indicators_or_active() -> list:
    from hocvuso.programs.figures import indicators_active

    return indicators_active()


def test_the_threshold_is_a_setting(settings: object) -> None:
    w = world()
    assert (
        not public_province(w.province, YEAR, 3)
        .figures[(w.neighbour, "reached", "")]
        .suppressed
    )  # 12 people
    settings.HOCVUSO_PROGRESS_MIN_COUNT = 13  # type: ignore[attr-defined]
    table = public_province(w.province, YEAR, 3)
    assert table.figures[(w.neighbour, "reached", "")].suppressed
    assert not table.figures[(w.home, "reached", "")].suppressed  # 30

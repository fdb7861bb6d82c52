"""SVG pictures in packs are drawings: active content is refused and sandboxed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.learning.packfactory import lesson_path, write_pack

from hocvuso.packs.media import media_store, svg_problem
from hocvuso.packs.reader import pack_read
from hocvuso.packs.source import PackSource

SAFE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="5"/>'
    b'<use href="#g"/><style>rect{stroke:red}</style></svg>'
)


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "<script>",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "onload"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
            "<foreignobject>",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" '
            b'xmlns:x="http://www.w3.org/1999/xlink">'
            b'<a x:href="javascript:x()"/></svg>',
            "href",
        ),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DOCTYPE"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "//x/y.css";'
            b"</style></svg>",
            "load other files",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" '
            b'style="background:url(https://x/t.png)"/>',
            "url(",
        ),
        (b"<svg", "well-formed"),
    ],
)
def test_active_svg_content_is_refused(svg: bytes, reason: str) -> None:
    problem = svg_problem(svg)
    assert problem is not None and reason in problem


def test_a_plain_drawing_is_accepted() -> None:
    assert svg_problem(SAFE) is None


def test_the_default_packs_pictures_are_all_safe() -> None:
    import hocvuso

    root = Path(hocvuso.__file__).parent / "content" / "default"
    svgs = sorted(root.rglob("*.svg"))
    assert len(svgs) >= 20
    assert {p.name: svg_problem(p.read_bytes()) for p in svgs} == {
        p.name: None for p in svgs
    }


def test_a_pack_with_a_scripted_svg_reports_the_file(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p")
    (root / "courses/safety/media/evil.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    lesson = lesson_path(root)
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + "\n![Hình](../media/evil.svg)\n", encoding="utf-8")
    report = pack_read(PackSource.from_folder(root), database=False)
    assert [(i.file, i.message) for i in report.issues] == [
        ("courses/safety/media/evil.svg", "SVG must not contain <script>")
    ]


@pytest.mark.django_db
def test_svg_is_served_in_a_sandbox(
    client: Client, tmp_path: Path, settings: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    url = media_store("courses/x/media/a.svg", SAFE)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"

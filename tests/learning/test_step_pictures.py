"""Procedural lessons of the default pack show step pictures people can follow.

Every lesson that walks through a procedure on a phone (VNeID, public services,
payments, reporting scams, farmers' records) has at least one step picture,
each drawn by ``scripts/draw-steps`` from the course's ``media/steps.yaml``
(so the files match their text), small, safe to serve, lazy-loaded and
described in both languages.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.test import Client

from hocvuso.learning.models import Lesson
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "src/hocvuso/content/default"
COURSES = PACK / "courses"
IMAGE = re.compile(r"!\[([^\]]*)\]\(\.\./media/([^)]+\.svg)\)")
PROCEDURAL = {
    "vneid": ["02", "03", "04", "05", "06"],
    "public-services": ["02", "03", "04", "05"],
    "cashless-payments": ["01", "02", "03", "05"],
    "online-safety": ["03", "04", "06"],
    "farmers": ["01", "05"],
}
MAX_PICTURE = 30 * 1024
MAX_LESSON = 100 * 1024


def _lesson(course: str, number: str, english: bool = False) -> Path:
    suffix = ".en.md" if english else ".md"
    [path] = [
        p
        for p in (COURSES / course / "lessons").glob(f"{number}-*{suffix}")
        if english or not p.name.endswith(".en.md")
    ]
    return path


CASES = [(c, n) for c, ns in PROCEDURAL.items() for n in ns]


@pytest.mark.parametrize(("course", "number"), CASES)
def test_procedural_lesson_has_described_pictures_in_both_languages(
    course: str, number: str
) -> None:
    vi = IMAGE.findall(_lesson(course, number).read_text(encoding="utf-8"))
    en = IMAGE.findall(_lesson(course, number, english=True).read_text("utf-8"))
    assert vi, f"{course}/{number} has no step picture"
    assert [f for _, f in vi] == [f for _, f in en], "same pictures, same order"
    for alt_vi, _ in vi:
        assert len(alt_vi) > 20 and "Hình minh họa" in alt_vi
    for alt_en, _ in en:
        assert len(alt_en) > 20 and "Drawing" in alt_en
    for _, name in vi:
        assert (COURSES / course / "media" / name).is_file()


def test_lessons_stay_light_without_their_pictures() -> None:
    for path in COURSES.glob("*/lessons/*.md"):
        assert path.stat().st_size <= MAX_LESSON, path


def test_pictures_are_small_safe_svg_drawn_from_their_steps() -> None:
    pictures = list(COURSES.glob("*/media/*.svg"))
    assert len(pictures) >= 25
    for path in pictures:
        data = path.read_bytes()
        assert len(data) <= MAX_PICTURE, path
        root = ElementTree.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
        for element in root.iter():
            assert not element.tag.endswith(("script", "foreignObject", "image"))
            for name, value in element.attrib.items():
                assert not name.startswith("on"), (path, name)
                assert "href" not in name and "url(" not in value, (path, name)
    check = subprocess.run(
        [sys.executable, str(REPO / "scripts/draw-steps"), "--check", str(PACK)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.django_db
def test_lesson_page_shows_lazy_pictures_with_their_text(
    client: Client, tmp_path: Path, settings: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    pack_import(source=PackSource.open(PACK), actor=None)
    lesson = Lesson.objects.get(slug="vneid-activate-level1")
    page = client.get(f"/learn/{lesson.course.slug}/{lesson.slug}/")
    html = page.content.decode()
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 3
    for tag in images:
        assert 'loading="lazy"' in tag and 'alt="Hình minh họa' in tag
        src = tag.split('src="')[1].split('"')[0]
        picture = client.get(src)
        assert picture.status_code == 200
        assert picture["Content-Type"].startswith("image/svg+xml")

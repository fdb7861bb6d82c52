from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.factories import learner_in
from tests.learning.packfactory import write_pack

from hocvuso.learning.models import Lesson, LessonProgress
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pack(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    pack_import(
        source=PackSource.open(write_pack(tmp_path / "p", lessons=2)), actor=None
    )


def test_catalogue_course_and_lesson_open_without_sign_in(client: Client) -> None:
    body = client.get("/learn/").content.decode()
    assert "An toàn" in body and "2 bài học" in body
    assert "Bài 1" in client.get("/learn/safety/").content.decode()
    lesson = client.get("/learn/safety/safety-lesson-1/").content.decode()
    assert '<h2 id="phan-1">Phần 1</h2>' in lesson
    assert 'id="listen"' in lesson and "Nguồn" in lesson
    # Anonymous readers get the prompt to sign in (back to this lesson) instead
    # of the "finished" button; the menu's own sign-in link does not count.
    login_back = '/accounts/login/?next=/learn/safety/safety-lesson-1/">Đăng nhập</a>'
    assert login_back in lesson and "để lưu tiến độ học." in lesson
    assert 'name="event_id"' not in lesson


def test_catalogue_filters(client: Client) -> None:
    assert "An toàn" in client.get("/learn/?competence=4.2").content.decode()
    assert "Không có khóa học" in client.get("/learn/?competence=1.1").content.decode()
    assert "An toàn" in client.get("/learn/?group=farmers").content.decode()


def test_unknown_course_or_lesson_is_404(client: Client) -> None:
    assert client.get("/learn/nope/").status_code == 404
    assert client.get("/learn/safety/nope/").status_code == 404


def test_english_lesson(client: Client) -> None:
    client.cookies["django_language"] = "en"
    body = client.get("/learn/safety/safety-lesson-1/").content.decode()
    assert "Lesson 1" in body and '<h2 id="part-1">Part 1</h2>' in body


def test_self_check_shows_explanations(client: Client) -> None:
    url = "/learn/safety/safety-lesson-1/check/"
    body = client.post(url, {"q0": "0", "q1": "1"}).content.decode()
    assert "1 / 2 câu đúng" in body and "Vì C." in body
    bad = client.post(url, {"q0": "9"})
    assert bad.status_code == 400


def test_done_saves_progress_and_goes_to_next(client: Client) -> None:
    user = learner_in(30178)
    client.force_login(user)
    page = client.get("/learn/safety/safety-lesson-1/").content.decode()
    event = page.split('name="event_id" value="')[1].split('"')[0]
    response = client.post("/learn/safety/safety-lesson-1/done/", {"event_id": event})
    assert response["Location"] == "/learn/safety/safety-lesson-2/"
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu: bạn đã học xong bài" in page and "Bài tiếp theo" in page
    client.post("/learn/safety/safety-lesson-1/done/", {"event_id": event})
    progress = LessonProgress.objects.get(user=user, lesson__slug="safety-lesson-1")
    assert progress.completed_at is not None and progress.events.count() == 1
    mine = client.get("/learn/me/").content.decode()
    assert "1 / 2 bài đã học" in mine and "Bài 2" in mine


def test_done_requires_sign_in(client: Client) -> None:
    response = client.post("/learn/safety/safety-lesson-1/done/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_large_text_cookie(client: Client) -> None:
    response = client.post("/learn/text-size/", {"size": "large", "next": "/learn/"})
    assert response["Location"] == "/learn/"
    assert 'class="large-text"' in client.get("/learn/").content.decode()
    evil = client.post("/learn/text-size/", {"size": "large", "next": "https://evil"})
    assert evil["Location"] == "/"


def test_pack_media_is_served_with_long_cache(client: Client) -> None:
    html = Lesson.objects.get(slug="safety-lesson-1").html_vi
    src = html.split('src="')[1].split('"')[0]
    response = client.get(src)
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    assert client.get("/learn/media/nope.png").status_code == 404


def test_markdown_raw_html_is_not_rendered() -> None:
    from hocvuso.learning.rendering import render_markdown

    html, text = render_markdown(
        "# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))"
    )
    assert "<script>" not in html and 'href="javascript' not in html
    assert html.startswith('<h2 id="t">T</h2>') and "alert(1)" in text


def test_headings_get_stable_unique_anchors() -> None:
    from hocvuso.learning.rendering import heading_anchor, render_markdown

    html, _ = render_markdown(
        "## Bước 3: Kích hoạt **tài khoản**\n\nx\n\n## Bước 3: Kích hoạt tài khoản\n"
    )
    assert '<h2 id="buoc-3-kich-hoat-tai-khoan">' in html
    assert '<h2 id="buoc-3-kich-hoat-tai-khoan-2">' in html
    assert heading_anchor("Đăng ký", set()) == "dang-ky"
    assert heading_anchor("!!!", set()) == "muc"

"""A third language in a pack: validated, imported, shown, falling back to vi."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.test import Client
from tests.factories import PASSWORD, learner_in

from hocvuso.learning import language
from hocvuso.learning.models import Course, Lesson
from hocvuso.packs.services import pack_import, pack_validate
from hocvuso.packs.source import PackSource

PACK = Path(__file__).resolve().parent / "packs" / "three-languages"
LESSON = "/learn/tl-safety/tl-passwords/"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACK, tmp_path / "pack"))


def _messages(root: Path) -> list[str]:
    return [str(i) for i in pack_validate(source=PackSource.open(root)).issues]


@pytest.mark.django_db
def test_the_three_language_pack_is_valid_though_hmong_is_partial() -> None:
    report = pack_validate(source=PackSource.open(PACK), database=False)
    assert report.ok, report.issues
    assert report.pack is not None and report.pack.languages == ["vi", "en", "hmn"]


@pytest.mark.django_db
def test_unknown_or_repeated_language_codes_are_reported_with_their_line(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    meta = root / "pack.yaml"
    meta.write_text(
        meta.read_text().replace("[vi, en, hmn]", "[vi, en, tha, hmn, hmn]")
    )
    issues = _messages(root)
    assert any(
        i.startswith("pack.yaml:7: unknown language 'tha'") and "blt" in i
        for i in issues
    )
    assert "pack.yaml:7: 'hmn' is listed twice" in issues


@pytest.mark.django_db
def test_english_stays_complete_while_hmong_may_be_missing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "courses/safety/lessons/02-ma-otp.en.md").unlink()
    course = root / "courses/safety/course.yaml"
    course.write_text(course.read_text().replace("  en: Account safety\n", ""))
    issues = _messages(root)
    assert (
        "courses/safety/lessons/02-ma-otp.md:1: missing translation: 02-ma-otp.en.md"
        in issues
    )
    assert "courses/safety/course.yaml:3: missing translation: 'title.en'" in issues
    assert not any("hmn" in i for i in issues)


@pytest.mark.django_db
def test_a_partial_translation_with_a_self_check_must_match_the_vietnamese(
    tmp_path: Path,
) -> None:
    root = _copy(tmp_path)
    hmn = root / "courses/safety/lessons/01-mat-khau.hmn.md"
    hmn.write_text(
        hmn.read_text().replace(
            "---\n\n",
            "self_check:\n  - question: Twg?\n    options: [Ib, Ob]\n    answer: 0\n"
            "  - question: Puas yog?\n    options: [Yog, Tsis yog, Tej zaum]\n"
            "    answer: 2\n---\n\n",
            1,
        )
    )
    assert (
        "courses/safety/lessons/01-mat-khau.hmn.md:4: self_check[0] must have the same "
        "options and answer as the Vietnamese lesson" in _messages(root)
    )


@pytest.mark.django_db
def test_import_keeps_the_hmong_texts_and_only_those() -> None:
    pack_import(source=PackSource.open(PACK), actor=None)
    first = Lesson.objects.get(slug="tl-passwords")
    assert set(first.translations) == {"hmn"}
    hmn = first.translations["hmn"]
    assert hmn["title"] == "Lo lus zais uas muaj zog"
    assert "<h2" in hmn["html"] and "123456" in hmn["text"]
    assert "self_check" not in hmn and "summary" not in hmn  # not translated
    assert Lesson.objects.get(slug="tl-otp").translations == {}
    course = Course.objects.get(slug="tl-safety")
    assert course.translations == {"hmn": {"title": "Kev ceev faj rau koj tus account"}}
    assert course.province is None  # a national pack


@pytest.mark.django_db
def test_each_text_falls_back_to_vietnamese_where_hmong_is_missing() -> None:
    pack_import(source=PackSource.open(PACK), actor=None)
    first = Lesson.objects.get(slug="tl-passwords")
    second = Lesson.objects.get(slug="tl-otp")
    with language.content_language_use("hmn"):
        assert first.title == "Lo lus zais uas muaj zog"
        assert first.html_language == "hmn" and "tub sab" in first.html
        assert first.summary == "Cách đặt mật khẩu khó đoán mà vẫn nhớ được."
        assert first.self_check[0]["question"] == "Mật khẩu nào mạnh hơn?"
        assert first.self_check_language == "vi"
        assert (second.title, second.html_language) == ("Giữ bí mật mã OTP", "vi")
        assert first.course.summary.startswith("Đặt mật khẩu mạnh")
    with language.content_language_use(None):  # the interface's language (vi)
        assert first.title == "Mật khẩu mạnh"
    assert first.languages == ["vi", "en", "hmn"] and second.languages == ["vi", "en"]


@pytest.mark.django_db
def test_learner_chooses_hmong_and_the_interface_stays_vietnamese(
    client: Client,
) -> None:
    pack_import(source=PackSource.open(PACK), actor=None)
    page = client.get(LESSON).content.decode()
    assert '<h1 lang="vi">Mật khẩu mạnh</h1>' in page
    assert 'name="language" value="hmn" lang="hmn"' in page  # the switch
    response = client.post("/learn/language/", {"language": "hmn", "next": LESSON})
    assert response.status_code == 302 and response["Location"] == LESSON
    assert client.cookies[language.COOKIE].value == "hmn"
    page = client.get(LESSON).content.decode()
    assert '<h1 lang="hmn">Lo lus zais uas muaj zog</h1>' in page
    assert 'id="lesson-text" lang="hmn"' in page
    assert '<html lang="vi"' in page and "Tự kiểm tra" in page
    # The self-check has no Hmong: it is asked in Vietnamese, marked as such.
    assert '<fieldset lang="vi"><legend>1. Mật khẩu nào mạnh hơn?' in page
    # The second lesson has no Hmong at all: Vietnamese, with a note saying so.
    other = client.get("/learn/tl-safety/tl-otp/").content.decode()
    assert '<h1 lang="vi">Giữ bí mật mã OTP</h1>' in other
    assert "Hmoob (tiếng Mông)" in other and 'role="note"' in other
    # The catalogue shows the course's Hmong title; the summary falls back.
    catalogue = client.get("/learn/").content.decode()
    assert "Kev ceev faj rau koj tus account" in catalogue
    assert "Đặt mật khẩu mạnh và giữ bí mật mã OTP." in catalogue
    # Back to Vietnamese: the choice is cleared, the interface set to Vietnamese.
    client.post("/learn/language/", {"language": "vi", "next": LESSON})
    assert client.cookies[language.COOKIE].value == ""
    assert '<h1 lang="vi">Mật khẩu mạnh</h1>' in client.get(LESSON).content.decode()


@pytest.mark.django_db
def test_self_check_is_marked_in_the_chosen_language(client: Client) -> None:
    pack_import(source=PackSource.open(PACK), actor=None)
    user = learner_in(30178)
    client.login(username=user.username, password=PASSWORD)
    client.cookies[language.COOKIE] = "hmn"
    response = client.post(LESSON + "check/", {"q0": "1", "q1": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dài, nhiều loại ký tự" in page  # the Vietnamese explanation
    assert '<h1 lang="hmn">Lo lus zais uas muaj zog</h1>' in page


@pytest.mark.django_db
def test_an_unknown_language_is_refused_with_a_message(client: Client) -> None:
    response = client.post("/learn/language/", {"language": "xx"})
    assert response.status_code == 400
    assert language.COOKIE not in client.cookies
    assert response.content.decode() == "Ngôn ngữ này chưa có trên trang."
    away = client.post(
        "/learn/language/", {"language": "hmn", "next": "https://evil.example/"}
    )
    assert away.status_code == 302 and away["Location"] == "/"

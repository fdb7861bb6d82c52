"""The assistant's pages, API and command on the imported default pack."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from tests.factories import UserFactory, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.assistant.models import AnswerReport, ConversationTurn, QuestionLog
from hocvuso.assistant.selectors import conversation_for
from hocvuso.assistant.services import conversations_purge, question_ask
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db

LEVEL2 = "lam sao kich hoat tai khoan dinh danh muc 2"


def test_api_answers_level2_with_section_link(client: Client, imported: None) -> None:
    response = client.get("/api/assistant/ask", {"q": LEVEL2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "confident", "citations"}
    assert body["confident"] is True
    first = body["citations"][0]
    assert first["lesson"] == "vneid-level2"
    assert first["url"].startswith("/learn/vneid/vneid-level2/#")
    scores = [c["score"] for c in body["citations"]]
    assert scores == sorted(scores, reverse=True)
    # the anchor exists on the lesson page
    anchor = first["url"].split("#", 1)[1]
    assert f'id="{anchor}"' in client.get(first["url"].split("#")[0]).content.decode()


def test_api_says_it_does_not_know_the_gold_price(
    client: Client, imported: None
) -> None:
    body = client.get("/api/assistant/ask", {"q": "gia vang hom nay"}).json()
    assert body["confident"] is False and body["citations"]
    assert "không biết" in body["answer"].lower()


@pytest.mark.parametrize("q", ["", "x", "a" * 301])
def test_api_refuses_bad_questions_in_vietnamese(client: Client, q: str) -> None:
    response = client.get("/api/assistant/ask", {"q": q})
    assert response.status_code == 400
    assert "câu hỏi" in response.json()["detail"]


def test_page_without_javascript_posts_and_shows_answer(
    client: Client, imported: None
) -> None:
    page = client.get("/help/").content.decode()
    assert 'name="q"' in page and 'action="/help/"' in page
    body = client.post("/help/", {"q": LEVEL2}).content.decode()
    assert "Tài khoản mức 2" in body and "/learn/vneid/vneid-level2/#" in body
    assert "<blockquote><ol>" in body  # the section's steps, quoted
    assert 'data-listen="#answer-text"' in body  # can be read aloud
    assert 'value="wrong"' in body


def test_htmx_gets_only_the_answer(client: Client, imported: None) -> None:
    body = client.post("/help/", {"q": LEVEL2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and "vneid-level2" in body


def test_lesson_page_has_the_question_box(client: Client, imported: None) -> None:
    body = client.get("/learn/vneid/vneid-level2/").content.decode()
    assert 'action="/help/"' in body and 'name="q"' in body


def test_signed_in_conversation_is_kept_30_days_then_purged(
    client: Client, imported: None
) -> None:
    user: User = UserFactory()
    client.force_login(user)
    client.post("/help/", {"q": "ma otp la gi, so toi 0912345678"})
    turn = ConversationTurn.objects.get(user=user)
    assert "0912345678" not in turn.question and turn.citations
    assert list(conversation_for(user)) == [turn]
    later = timezone.now() + timedelta(days=31)
    assert list(conversation_for(user, now=later)) == []
    assert conversations_purge(now=timezone.now() + timedelta(days=29)) == 0
    assert conversations_purge(now=later) == 1
    assert not ConversationTurn.objects.exists()


def test_questions_are_logged_without_personal_numbers(
    client: Client, imported: None
) -> None:
    client.get("/api/assistant/ask", {"q": "cccd 001203004567 mất thì làm sao"})
    log = QuestionLog.objects.get()
    assert "001203004567" not in log.question and "[số]" in log.question
    assert not ConversationTurn.objects.exists()  # anonymous: no conversation


def test_report_reaches_editors_once(client: Client, imported: None) -> None:
    answer = question_ask(actor=None, question=LEVEL2)
    for _ in range(2):  # a double tap records one report
        response = client.post(
            "/help/report/", {"log": answer.log_id, "reason": "wrong"}
        )
        assert response.status_code == 200
    report = AnswerReport.objects.get()
    assert report.question == LEVEL2 and report.citations[0]["lesson"] == "vneid-level2"
    assert report.citations[0]["text"] and report.answer
    assert AuditLog.objects.filter(action="assistant.answer_report").count() == 1
    editor = user_with_role(Role.CONTENT_EDITOR)
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    page = client.get(f"/admin/assistant/answerreport/{report.pk}/change/")
    assert page.status_code == 200 and "vneid-level2" in page.content.decode()
    assert client.get("/admin/assistant/questionlog/").status_code == 200
    learner: User = UserFactory(is_staff=True)  # staff without the editor's role
    client.force_login(learner)
    assert client.get("/admin/assistant/answerreport/").status_code == 403


def test_report_of_unknown_answer_is_a_clear_404(client: Client) -> None:
    import uuid

    response = client.post(
        "/help/report/", {"log": str(uuid.uuid4()), "reason": "wrong"}
    )
    assert response.status_code == 404
    bad = client.post("/help/report/", {"log": "nope", "reason": "wrong"})
    assert bad.status_code == 400


def test_rate_limit_answers_429(client: Client, imported: None, settings: Any) -> None:
    settings.HOCVUSO_ASSISTANT_RATE = "2/m"
    codes = [
        client.get("/api/assistant/ask", {"q": "ma otp"}).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    page = client.post("/help/", {"q": "ma otp"})
    assert page.status_code == 429 and "chờ một phút" in page.content.decode()


def test_command_prints_the_json_contract(
    imported: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("assistant", "ask", LEVEL2, "--json")
    body = json.loads(capsys.readouterr().out)
    assert body["confident"] and body["citations"][0]["lesson"] == "vneid-level2"
    assert isinstance(body["citations"][0]["score"], float)
    call_command(
        "assistant", "ask", "how to make a strong password", "--lang", "en", "--json"
    )
    en = json.loads(capsys.readouterr().out)
    assert en["citations"][0]["lesson"] == "online-safety-strong-passwords"
    assert en["citations"][0]["title"].startswith("Strong passwords")


def test_command_rebuild(imported: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("assistant", "rebuild")
    assert "passages from" in capsys.readouterr().out

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from tests.factories import learner_in, user_with_role

from hocvuso.assessment.models import Item, Response, TestSession

pytestmark = pytest.mark.django_db


def test_take_a_test_without_javascript(client: Client, bank: Path) -> None:
    user = learner_in(30178)
    client.force_login(user)
    home = client.get("/assess/").content.decode()
    assert "Người dân" in home and "nhóm của bạn" in home
    response = client.post("/assess/start/adults/")
    url = response["Location"]
    for _ in range(20):
        page = client.get(url)
        if page.status_code == 302:
            break
        body = page.content.decode()
        assert "Câu" in body and 'type="radio"' in body
        attempt = body.split('name="attempt_id" value="')[1].split('"')[0]
        item_id = body.split('name="item_id" value="')[1].split('"')[0]
        key = Item.objects.get(pk=item_id).key
        form = {"attempt_id": attempt, "item_id": item_id, "option": key}
        assert client.post(url, form)["Location"] == url
        again = client.post(url, form)["Location"]  # double submit: harmless
        assert again == url or again.startswith("/assess/results/")
    result_url = page["Location"]
    body = client.get(result_url).content.decode()
    assert "Bạn đã đạt bậc yêu cầu" in body and "Theo từng miền" in body
    assert "Xem lại các câu đã trả lời" in body
    # All right: nothing to explain, and no question in service is shown.
    assert "Vì hai." not in body and "Câu 1-1-" not in body
    session = TestSession.objects.get(user=user)
    assert Response.objects.filter(session=session).count() == session.n_answered


def test_review_shows_concepts_and_only_keys_of_released_or_retired_items(
    client: Client, bank: Path
) -> None:
    """Per-competence feedback; a question and its key only once released."""
    from hocvuso.assessment.models import Result
    from hocvuso.assessment.selectors import result_review

    user = learner_in(30178)
    client.force_login(user)
    url = client.post("/assess/start/adults/")["Location"]
    for _ in range(20):
        page = client.get(url)
        if page.status_code == 302:
            break
        body = page.content.decode()
        attempt = body.split('name="attempt_id" value="')[1].split('"')[0]
        item_id = body.split('name="item_id" value="')[1].split('"')[0]
        form = {"attempt_id": attempt, "item_id": item_id, "option": "a"}  # wrong
        client.post(url, form)
    result = Result.objects.get(user=user)
    body = client.get(page["Location"]).content.decode()
    assert "Vì hai." in body  # the concept behind the missed questions
    assert "đúng" in body
    answered = Response.objects.filter(session=result.session).select_related("item")
    stems = [r.item.text("stem") for r in answered]
    assert not any(stem in body for stem in stems)
    review = result_review(result=result)
    assert sum(c["n"] for c in review["competences"]) == answered.count()
    assert review["questions"] == []
    first = answered.first()
    assert first is not None
    Item.objects.filter(pk=first.item_id).update(released=True)
    body = client.get(page["Location"]).content.decode()
    assert first.item.text("stem") in body and "Hai" in body


def test_missing_answer_shows_message(client: Client, bank: Path) -> None:
    client.force_login(learner_in(30178))
    url = client.post("/assess/start/adults/")["Location"]
    body = client.get(url).content.decode()
    attempt = body.split('name="attempt_id" value="')[1].split('"')[0]
    item_id = body.split('name="item_id" value="')[1].split('"')[0]
    response = client.post(url, {"attempt_id": attempt, "item_id": item_id})
    assert response.status_code == 400 and "Hãy chọn một đáp án" in (
        response.content.decode()
    )


def test_wrong_supervision_code_is_explained(client: Client, bank: Path) -> None:
    client.force_login(learner_in(30178))
    response = client.post(
        "/assess/start/adults/", {"supervision_code": "123456"}, follow=True
    )
    assert "Mã giám sát không đúng" in response.content.decode()
    assert not TestSession.objects.exists()


def test_incomplete_bank_is_explained_on_the_page(client: Client, bank: Path) -> None:
    Item.objects.update(is_current=False)
    client.force_login(learner_in(30178))
    response = client.post("/assess/start/adults/", follow=True)
    assert response.status_code == 200
    assert "ngân hàng câu hỏi chưa đủ" in response.content.decode()
    assert not TestSession.objects.exists()


def test_supervise_page_shows_code_and_qr(client: Client, bank: Path) -> None:
    client.force_login(user_with_role("commune_officer", commune_code=30178))
    form = client.get("/assess/supervise/").content.decode()
    assert '<button type="submit">Mở phiên thi</button>' in form  # not "Đang chờ"
    body = client.post(
        "/assess/supervise/", {"place": "UBND", "minutes": "60"}, follow=True
    )
    text = body.content.decode()
    assert 'src="data:image/svg+xml' in text and "?code=" in text


def test_pages_need_sign_in_and_unknown_ids_are_404(client: Client, bank: Path) -> None:
    assert client.get("/assess/").status_code == 302
    client.force_login(learner_in(30178))
    assert client.get("/assess/s/nope/").status_code == 404
    assert client.get("/assess/results/nope/").status_code == 404
    assert client.post("/assess/start/nope/").status_code == 404

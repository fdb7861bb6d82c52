"""The evaluation set on the default pack: the targets of issue #18.

Quality only (recall and abstention); speed is measured by
``make bench-assistant``, never asserted in tests.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hocvuso.assistant.index import AssistantIndex


def test_evaluation_set_is_large_and_varied(questions: list[dict[str, Any]]) -> None:
    kinds = Counter(q["kind"] for q in questions)
    assert len(questions) >= 100
    assert kinds["none"] >= 10 and kinds["en"] >= 5 and kinds["typo"] >= 2
    assert kinds["plain"] >= 20 and kinds["accents"] >= 20 and kinds["abbrev"] >= 5
    assert all(bool(q["lessons"]) == (q["kind"] != "none") for q in questions)


def test_labels_name_real_lessons(
    questions: list[dict[str, Any]], pack_index: AssistantIndex
) -> None:
    lessons = {p.lesson for ix in pack_index.langs.values() for p in ix.passages}
    assert {x for q in questions for x in q["lessons"]} <= lessons


def test_recall_at_3_and_abstention_meet_the_targets(
    questions: list[dict[str, Any]], pack_index: AssistantIndex
) -> None:
    answerable = [q for q in questions if q["lessons"]]
    unanswerable = [q for q in questions if not q["lessons"]]
    hits = 0
    for q in answerable:
        top3 = [h.passage.lesson for h in pack_index.search(q["q"]).hits[:3]]
        hits += any(x in top3 for x in q["lessons"])
    abstained = sum(not pack_index.search(q["q"]).confident for q in unanswerable)
    assert hits / len(answerable) >= 0.95
    assert abstained / len(unanswerable) >= 0.9


def test_done_when_questions(pack_index: AssistantIndex) -> None:
    level2 = pack_index.search("lam sao kich hoat tai khoan dinh danh muc 2")
    assert level2.confident and level2.hits[0].passage.lesson == "vneid-level2"
    gold = pack_index.search("gia vang hom nay")
    assert not gold.confident and gold.hits  # the closest lessons are still shown


def test_accents_are_a_stronger_signal_than_folded_words(
    pack_index: AssistantIndex,
) -> None:
    with_accents = pack_index.search("kích hoạt tài khoản mức 1").hits[0]
    without = pack_index.search("kich hoat tai khoan muc 1").hits[0]
    assert with_accents.passage.lesson == without.passage.lesson
    assert with_accents.score > without.score  # the accented field adds to it


def test_english_questions_find_english_passages(pack_index: AssistantIndex) -> None:
    result = pack_index.search("how do I connect my phone to wifi")
    assert result.lang == "en" and result.hits[0].passage.lang == "en"
    assert pack_index.search("ket noi wifi", lang="vi").hits[0].passage.lang == "vi"

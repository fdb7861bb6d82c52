"""The assistant's use cases: ask, report an answer, forget old conversations."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language

from hocvuso.assistant import llm
from hocvuso.assistant.answers import Answer, extractive_answer
from hocvuso.assistant.errors import AnswerNotFound, QuestionInvalid
from hocvuso.assistant.models import AnswerReport, ConversationTurn, QuestionLog
from hocvuso.assistant.scrub import scrub
from hocvuso.assistant.store import index_get
from hocvuso.core.services import audit_record

MAX_QUESTION = 300
LANGS = ("vi", "en")


def _clean(question: str) -> str:
    text = " ".join(question.split())
    if not 2 <= len(text) <= MAX_QUESTION:
        raise QuestionInvalid
    return text


def answer_question(question: str, *, lang: str = "", prefer: str = "") -> Answer:
    """Return the answer to ``question`` without writing anything (the CLI).

    ``lang`` limits the search to one language's lessons; ``prefer`` is the
    reader's language (the active one by default), used when neither is sure.
    """
    text = _clean(question)
    prefer = prefer or (get_language() or "vi")[:2]
    result = index_get().search(
        text,
        lang=lang if lang in LANGS else "",
        prefer=prefer if prefer in LANGS else "vi",
    )
    answer = extractive_answer(result)
    return llm.llm_answer(text, answer, llm.LLMConfig.from_settings())


@transaction.atomic
def question_ask(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    question: str,
    lang: str = "",
    now: datetime | None = None,
) -> Answer:
    """Answer ``question``, log it without personal data, keep the learner's turn.

    The log keeps the question with phone, ID numbers and e-mail addresses
    replaced, and no user; a signed-in learner's own conversation keeps the
    same scrubbed text and is deleted after ``HOCVUSO_ASSISTANT_KEEP_DAYS``.
    """
    now = now or timezone.now()
    answer = answer_question(question, lang=lang)
    clean = scrub(_clean(question))
    log = QuestionLog.objects.create(
        created_at=now,
        question=clean,
        lang=lang if lang in LANGS else "",
        confident=answer.confident,
        coverage=answer.coverage,
        mode=answer.mode,
        answer=answer.answer,
        citations=[
            {
                "lesson": c.lesson,
                "title": c.title,
                "heading": c.heading,
                "url": c.url,
                "text": c.quote,
            }
            for c in answer.citations
        ],
    )
    answer.log_id = str(log.pk)
    if actor is not None and actor.is_authenticated:
        ConversationTurn.objects.create(
            user_id=actor.pk,
            log=log,
            asked_at=now,
            question=clean,
            answer=answer.answer,
            confident=answer.confident,
            citations=[
                {
                    "lesson": c.lesson,
                    "title": c.title,
                    "heading": c.heading,
                    "url": c.url,
                }
                for c in answer.citations
            ],
        )
    return answer


def answer_report(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    log_id: str,
    reason: str,
) -> AnswerReport:
    """Record that an answer was wrong or did not help; a repeat returns the first.

    The report keeps the (scrubbed) question and the passages the answer cited,
    so that content editors see in the admin what to fix.
    """
    if reason not in AnswerReport.Reason.values:
        raise QuestionInvalid
    try:
        log = QuestionLog.objects.filter(pk=uuid.UUID(str(log_id))).first()
    except ValueError:
        log = None
    if log is None:
        raise AnswerNotFound
    existing = AnswerReport.objects.filter(log=log, reason=reason).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = AnswerReport.objects.create(
                log=log,
                reason=reason,
                question=log.question,
                answer=log.answer,
                citations=log.citations,
            )
            audit_record(
                actor=actor,
                action="assistant.answer_report",
                obj=report,
                after={"reason": reason},
            )
    except IntegrityError:  # the same report sent twice at once
        return AnswerReport.objects.get(log=log, reason=reason)
    return report


@transaction.atomic
def conversations_purge(*, now: datetime | None = None) -> int:
    """Delete learners' conversation turns older than the keep period; count them."""
    days = int(settings.HOCVUSO_ASSISTANT_KEEP_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = ConversationTurn.objects.filter(asked_at__lt=cutoff).delete()
    return deleted

"""The assistant's API: ``GET /api/assistant/ask?q=…`` (no sign-in needed)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from hocvuso.assistant.limits import ask_limit
from hocvuso.assistant.services import MAX_QUESTION, question_ask

router = Router()


class AskIn(Schema):
    q: str
    lang: str = ""


class CitationOut(Schema):
    lesson: str
    title: str
    url: str
    score: float


class AskOut(Schema):
    answer: str
    confident: bool
    citations: list[CitationOut]


@router.get("/ask", response=AskOut, summary="Ask the learning assistant")
def ask(request: HttpRequest, params: Query[AskIn]) -> dict[str, object]:
    """Answer from the lessons only, best citations first.

    ``confident`` false means "I don't know" (the citations are then the
    closest lessons).

    ``q``: the question (2 to %d letters); ``lang``: "vi" or "en" to search
    only that language's lessons (both by default). No sign-in needed.

    Example: `GET /api/assistant/ask?q=cach kich hoat vneid` → `{"answer": …,
    "confident": true, "citations": [{"lesson": …}]}`
    """
    ask_limit(request)
    answer = question_ask(actor=request.user, question=params.q, lang=params.lang)
    return answer.as_json()


ask.__doc__ = (ask.__doc__ or "").replace("%d", str(MAX_QUESTION))

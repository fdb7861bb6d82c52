"""From search hits to an answer: citations, the quoted steps, the abstention."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from hocvuso.assistant.index import Hit, Result

MAX_CITATIONS = 3
_MAX_QUOTE = 600


@dataclass(frozen=True)
class Citation:
    """One lesson section an answer points to."""

    lesson: str
    title: str
    heading: str
    url: str
    score: float
    quote: str

    def as_json(self) -> dict[str, object]:
        return {
            "lesson": self.lesson,
            "title": self.title,
            "url": self.url,
            "score": round(self.score, 3),
        }


@dataclass
class Answer:
    """What the assistant says: the text, whether it is sure, its sources."""

    answer: str
    confident: bool
    citations: list[Citation]
    mode: str = "extractive"  # "extractive", "llm" or "unknown"
    steps: list[str] = field(default_factory=list)
    coverage: float = 0.0
    log_id: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "confident": self.confident,
            "citations": [c.as_json() for c in self.citations],
        }


def citation_of(hit: Hit) -> Citation:
    """Return the citation of a hit: its lesson title and section link."""
    p = hit.passage
    url = reverse("learning:lesson", args=[p.course, p.lesson])
    if p.anchor:
        url = f"{url}#{p.anchor}"
    quote = p.text if len(p.text) <= _MAX_QUOTE else p.text[:_MAX_QUOTE] + "…"
    return Citation(p.lesson, p.title, p.heading, url, hit.score, quote)


def extractive_answer(result: Result) -> Answer:
    """Return the best passage's own words (its steps) or "I don't know"."""
    citations = [citation_of(h) for h in result.hits[:MAX_CITATIONS]]
    if not result.confident:
        return Answer(
            _(
                "I don't know: the lessons do not answer this question. "
                "Here are the closest lessons."
            ),
            False,
            citations,
            mode="unknown",
            coverage=result.coverage,
        )
    best = result.hits[0].passage
    where = best.title + (f" — {best.heading}" if best.heading else "")
    steps = list(best.steps)
    if steps:
        body = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
    else:
        body = citations[0].quote
    return Answer(
        _("From the lesson “%(where)s”:") % {"where": where} + "\n" + body,
        True,
        citations,
        steps=steps,
        coverage=result.coverage,
    )

"""Optional answers written by an OpenAI-compatible chat endpoint, guarded.

Configured by ``HOCVUSO_LLM_BASE_URL`` (e.g. ``http://127.0.0.1:8080/v1``),
``HOCVUSO_LLM_MODEL``, ``HOCVUSO_LLM_API_KEY`` and ``HOCVUSO_LLM_TIMEOUT``
(seconds). The model gets only the retrieved passages, numbered [1], [2]…, and
must cite them. :func:`guard` rejects an answer that cites nothing or cites a
number that was not given; then, as when the endpoint is slow, down or says
something unreadable, the extractive answer stands.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from hocvuso.assistant.answers import Answer, Citation

_CITE = re.compile(r"\[(\d{1,2})\]")
_MAX_ANSWER = 1500

SYSTEM_PROMPT = (
    "You help adults in Vietnam learn digital skills. Answer ONLY from the "
    "numbered passages given, in the language of the question, in at most five "
    "short sentences or steps. After each fact write the number of the passage "
    "it comes from, like [1]. If the passages do not answer the question, say "
    "that you do not know."
)


@dataclass(frozen=True)
class LLMConfig:
    """Where the chat endpoint is and how long to wait for it."""

    base_url: str
    model: str
    api_key: str
    timeout: float

    @classmethod
    def from_settings(cls) -> LLMConfig | None:
        base = str(settings.HOCVUSO_LLM_BASE_URL).rstrip("/")
        if not base:
            return None
        return cls(
            base,
            str(settings.HOCVUSO_LLM_MODEL),
            str(settings.HOCVUSO_LLM_API_KEY),
            float(settings.HOCVUSO_LLM_TIMEOUT),
        )


def _prompt(question: str, citations: list[Citation]) -> str:
    blocks = [
        f"[{i}] {c.title}" + (f" — {c.heading}" if c.heading else "") + f"\n{c.quote}"
        for i, c in enumerate(citations, 1)
    ]
    return "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"


def guard(text: str, n_passages: int) -> bool:
    """Return whether ``text`` cites at least one passage and only given ones."""
    cited = {int(m) for m in _CITE.findall(text)}
    return bool(cited) and all(1 <= c <= n_passages for c in cited)


def chat(config: LLMConfig, question: str, citations: list[Citation]) -> str | None:
    """Return the endpoint's answer, or None if it fails or is too slow."""
    body = json.dumps(
        {
            "model": config.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": _prompt(question, citations)},
            ],
        }
    ).encode()
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(
        f"{config.base_url}/chat/completions", data=body, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            data = json.loads(response.read(200_000))
        content = data["choices"][0]["message"]["content"]
    except (
        OSError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        urllib.error.URLError,
    ):
        return None
    return content.strip()[:_MAX_ANSWER] if isinstance(content, str) else None


def llm_answer(question: str, extractive: Answer, config: LLMConfig | None) -> Answer:
    """Return a guarded model answer, or ``extractive`` when there is none."""
    if config is None or not extractive.confident or not extractive.citations:
        return extractive
    text = chat(config, question, extractive.citations)
    if text is None or not guard(text, len(extractive.citations)):
        return extractive
    return Answer(
        text, True, extractive.citations, mode="llm", coverage=extractive.coverage
    )

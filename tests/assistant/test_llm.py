"""The optional model answer, against a local server speaking the same protocol.

The server is a real HTTP server on 127.0.0.1 that answers
``POST /v1/chat/completions`` as an OpenAI-compatible endpoint does; each test
says what it replies (or makes it hang until the client has given up).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from hocvuso.assistant.answers import Answer, Citation
from hocvuso.assistant.llm import LLMConfig, guard, llm_answer


@dataclass
class FakeEndpoint:
    reply: str = ""
    status: int = 200
    hang: threading.Event | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)


@pytest.fixture
def endpoint() -> Iterator[tuple[FakeEndpoint, str]]:
    state = FakeEndpoint()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(json.loads(self.rfile.read(length)))
            state.headers.append(self.headers.get("Authorization", ""))
            if state.hang is not None:
                state.hang.wait(10)
            body = json.dumps(
                {
                    "id": "x",
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": state.reply},
                            "finish_reason": "stop",
                        }
                    ],
                }
            ).encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (the timeout test)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        if state.hang is not None:
            state.hang.set()
        server.shutdown()
        server.server_close()


def _extractive() -> Answer:
    cites = [
        Citation(
            "vneid-level2", "Tài khoản mức 2", "Các bước", "/learn/a/#b", 9.0, "Q1"
        ),
        Citation("vneid-what-and-why", "VNeID là gì", "", "/learn/c/", 5.0, "Q2"),
    ]
    return Answer("Theo bài học…", True, cites, steps=["Đến công an"])


def _config(url: str, timeout: float = 5.0) -> LLMConfig:
    return LLMConfig(url, "local-model", "secret-key", timeout)


def test_grounded_answer_with_citations_is_used(
    endpoint: tuple[FakeEndpoint, str],
) -> None:
    state, url = endpoint
    state.reply = "Mang căn cước đến công an xã [1]. Mức 2 có thêm tiện ích [2]."
    answer = llm_answer("lam sao co muc 2", _extractive(), _config(url))
    assert answer.mode == "llm" and answer.answer.startswith("Mang căn cước")
    assert [c.lesson for c in answer.citations] == [
        "vneid-level2",
        "vneid-what-and-why",
    ]
    sent = state.requests[0]
    assert sent["model"] == "local-model" and state.headers[0] == "Bearer secret-key"
    prompt = sent["messages"][1]["content"]
    assert (
        "[1] Tài khoản mức 2 — Các bước\nQ1" in prompt and "[2] VNeID là gì" in prompt
    )


@pytest.mark.parametrize(
    "reply",
    [
        "Mang căn cước đến công an xã.",  # cites nothing
        "Mang căn cước đến công an [3].",  # cites a passage not retrieved
        "",  # says nothing
    ],
)
def test_guard_rejects_and_extractive_answer_stands(
    endpoint: tuple[FakeEndpoint, str], reply: str
) -> None:
    state, url = endpoint
    state.reply = reply
    extractive = _extractive()
    assert llm_answer("q", extractive, _config(url)) is extractive
    assert not guard(reply, 2)


def test_slow_endpoint_times_out_and_falls_back(
    endpoint: tuple[FakeEndpoint, str],
) -> None:
    state, url = endpoint
    state.hang = threading.Event()
    state.reply = "Too late [1]."
    extractive = _extractive()
    assert llm_answer("q", extractive, _config(url, timeout=0.2)) is extractive
    state.hang.set()


def test_endpoint_down_or_failing_falls_back(
    endpoint: tuple[FakeEndpoint, str],
) -> None:
    state, url = endpoint
    state.status = 500
    state.reply = "error [1]"
    extractive = _extractive()
    assert llm_answer("q", extractive, _config(url)) is extractive
    closed = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    assert llm_answer("q", extractive, _config(closed, timeout=0.5)) is extractive


def test_no_model_is_asked_when_the_assistant_does_not_know(
    endpoint: tuple[FakeEndpoint, str],
) -> None:
    state, url = endpoint
    unknown = Answer("Tôi không biết", False, [])
    assert llm_answer("gia vang", unknown, _config(url)) is unknown
    assert state.requests == []


@pytest.mark.django_db
def test_page_uses_the_configured_endpoint(
    endpoint: tuple[FakeEndpoint, str], client: Client, imported: None, settings: Any
) -> None:
    state, url = endpoint
    settings.HOCVUSO_LLM_BASE_URL = url
    settings.HOCVUSO_LLM_MODEL = "local-model"
    state.reply = "Đến công an cấp xã với thẻ căn cước gắn chip [1]."
    body = client.post(
        "/help/", {"q": "lam sao kich hoat tai khoan dinh danh muc 2"}
    ).content.decode()
    assert "Đến công an cấp xã" in body and "mô hình ngôn ngữ" in body
    api = client.get("/api/assistant/ask", {"q": "gia vang hom nay"}).json()
    assert api["confident"] is False and len(state.requests) == 1

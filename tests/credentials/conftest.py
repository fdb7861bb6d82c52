"""Fixtures of the outbox tests: the issuer's JWKS and reference receivers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.credentials.outbox_support import ReceiverProc

from hocvuso.credentials.keys import issuer_keys
from hocvuso.credentials.outbox.jws import jwks_of


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks_of(issuer_keys())))
    return path


@pytest.fixture
def receiver(tmp_path: Path, jwks_file: Path) -> Iterator[Callable[..., ReceiverProc]]:
    """Return a function that starts a reference receiver with options."""
    started: list[ReceiverProc] = []

    def start(*options: str) -> ReceiverProc:
        proc = ReceiverProc(tmp_path, jwks_file, *options)
        started.append(proc)
        return proc.start()

    yield start
    for proc in started:
        proc.stop()

"""Fixtures: the default pack imported (database) or read from its files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hocvuso.assistant.index import AssistantIndex
from hocvuso.assistant.pack_sections import pack_synonyms
from hocvuso.assistant.store import index_forget, pack_lesson_docs, passages_from
from hocvuso.packs.reader import PackData, pack_read
from hocvuso.packs.seed import DEFAULT_PACK
from hocvuso.packs.source import PackSource

QUESTIONS = Path(__file__).with_name("questions.yaml")


@pytest.fixture(autouse=True)
def _index_dir(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """Keep each test's index in its own folder, never in the data dir."""
    settings.HOCVUSO_ASSISTANT_DIR = tmp_path / "assistant"
    settings.MEDIA_ROOT = tmp_path / "media"
    index_forget()
    yield tmp_path / "assistant"
    index_forget()


@pytest.fixture(scope="session")
def default_pack_data() -> PackData:
    report = pack_read(PackSource.open(DEFAULT_PACK), database=False)
    assert report.pack is not None and not report.issues
    return report.pack


@pytest.fixture(scope="session")
def pack_index(default_pack_data: PackData) -> AssistantIndex:
    """The index of the default pack, built from its files (no database)."""
    passages = passages_from(pack_lesson_docs(default_pack_data))
    return AssistantIndex(passages, pack_synonyms(default_pack_data))


@pytest.fixture(scope="session")
def questions() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(QUESTIONS.read_text("utf-8"))
    return data


@pytest.fixture
def imported(django_capture_on_commit_callbacks: Any) -> None:
    """Import the default pack and run the index rebuild it enqueues."""
    from hocvuso.core.tasks import tasks_run_pending
    from hocvuso.packs.services import pack_import

    with django_capture_on_commit_callbacks(execute=True):
        pack_import(source=PackSource.open(DEFAULT_PACK), actor=None)
    tasks_run_pending()

"""Shared fixtures: reference data loaded once per test database, factories."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings

from hocvuso.framework.services import framework_load, target_groups_load
from hocvuso.geo.services import geo_units_load


def load_reference_data() -> None:
    from hocvuso.framework.models import TargetGroup
    from hocvuso.geo.models import Commune

    if Commune.objects.count() < 3321:
        geo_units_load()
    if not TargetGroup.objects.exists():
        framework_load()
        target_groups_load()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Test on an SQLite file (WAL, busy timeout), as the embedded setup runs.

    Django's default in-memory test database shares one cache between
    connections, where concurrent writers fail at once ("table is locked")
    instead of waiting: threaded tests need the real file behaviour.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(scope="session", autouse=True)
def _plain_static_files() -> Iterator[None]:
    """Serve static files by their source names, whatever ``make run`` collected."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(scope="session", autouse=True)
def _issuer_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Sign with a key of the test run, never with the data dir's."""
    from hocvuso.credentials.keys import issuer_key_rotate

    folder = tmp_path_factory.mktemp("keys")
    with override_settings(HOCVUSO_KEYS_DIR=folder):
        issuer_key_rotate()
        yield


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Start every test without what another test left in a cache.

    The process's bank cache is keyed by content, so a stale entry cannot be
    served; it is cleared anyway so that each test exercises the cache miss
    path the same way whatever ran before it.
    """
    from hocvuso.assessment.sittingbank import bank_cache_clear

    bank_cache_clear()
    yield
    with contextlib.suppress(Exception):
        cache.clear()

"""File permissions of the data directory: personal data is for the owner only."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from django.conf import settings

DIR_MODE = 0o700
FILE_MODE = 0o600
_SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def sqlite_files_private(name: str) -> None:
    """Make a SQLite database, its WAL and shared-memory files 0600.

    SQLite creates them with the process umask (often world-readable 0644);
    the database holds citizen-ID hashes, phones and results. The data
    directory itself becomes 0700 when the database lives in it. In-memory
    databases and paths that do not exist are left alone.
    """
    if not name or name.startswith(("file:", ":memory:")):
        return
    path = Path(name)
    if not path.exists():
        return
    data_dir = Path(settings.DATA_DIR)
    if path.resolve().parent == data_dir.resolve():
        _chmod(data_dir, DIR_MODE)
    for suffix in _SQLITE_SUFFIXES:
        _chmod(Path(f"{path}{suffix}"), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError):
        if path.exists() and (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)

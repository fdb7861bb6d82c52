"""The ``hocvuso`` command: Django management for this project.

``hocvuso init`` migrates and seeds, ``hocvuso serve`` runs granian, every other
Django management command works as with ``manage.py``. ``hocvuso irt …`` runs
the psychometrics tools, which need no database. A command that needs the
database on a data dir that is not initialised ends with one line saying so
(exit code 1), not a traceback; ``--traceback`` shows it.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "irt":
        irt = importlib.import_module("hocvuso.psychometrics.cli")
        return int(irt.main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.settings")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["hocvuso", *args])
    except DatabaseError as exc:
        if "--traceback" in args:
            raise
        sys.stderr.write(_database_message(exc) + "\n")
        return 1
    return 0


def _database_message(exc: Exception) -> str:
    """Return one line telling the operator what the database is missing."""
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = settings.DATABASES["default"].get("NAME", "")
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    try:
        connection.close()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return f"hocvuso: cannot use the database {where}: {reason}"
    if pending:
        return (
            f"hocvuso: the database {where} is not initialised or not up to date: "
            "run `hocvuso init` first."
        )
    return f"hocvuso: database error: {reason} (--traceback shows where)"


if __name__ == "__main__":
    raise SystemExit(main())

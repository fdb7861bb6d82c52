"""The ``hocvuso`` command: Django management for this project.

``hocvuso init`` migrates and seeds, ``hocvuso serve`` runs granian, every other
Django management command works as with ``manage.py``. ``hocvuso irt …`` runs
the psychometrics tools, which need no database.
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

    execute_from_command_line(["hocvuso", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.core.supervisor import Supervisor


class Command(BaseCommand):
    help = "Serve the site with granian (WSGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default=os.environ.get("HOCVUSO_HOST", "127.0.0.1")
        )
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000"))
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HOCVUSO_WORKERS", "1"))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("HOCVUSO_THREADS", "8")),
            help="blocking threads per worker",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run `hocvuso worker`, restarted if it exits, stopped with "
            "the server (the embedded setup: `make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        granian = shutil.which("granian", path=os.path.dirname(sys.executable))
        granian = granian or shutil.which("granian")
        if granian is None:
            raise CommandError("granian is not installed (pip install granian).")
        argv = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(options["threads"]),
            "hocvuso.wsgi:application",
        ]
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/")
        sys.stdout.flush()
        if not options["with_worker"]:
            os.execv(granian, argv)
        worker = [sys.executable, "-m", "hocvuso.cli", "worker"]
        if options["settings"]:
            worker.append(f"--settings={options['settings']}")
        code = Supervisor(server=argv, worker=worker, say=self._say).run()
        if code:
            raise SystemExit(code)

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

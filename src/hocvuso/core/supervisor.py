"""Run the web server and a background worker as children of one process.

``hocvuso serve --with-worker`` uses this so that the embedded setup needs one
command: the worker is restarted (with a growing pause) whenever it exits, and
both children stop when the server stops, when this process gets SIGTERM or
SIGINT, or (on Linux) when this process dies.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

logger = logging.getLogger("hocvuso.supervisor")

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask the kernel to send SIGTERM to this child when its parent dies."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Keep a server and a worker running; stop both together."""

    def __init__(
        self,
        *,
        server: Sequence[str],
        worker: Sequence[str],
        say: Callable[[str], object],
        stop_timeout: float = 30.0,
        max_backoff: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.server_argv = list(server)
        self.worker_argv = list(worker)
        self.say = say
        self.stop_timeout = stop_timeout
        self.max_backoff = max_backoff
        self.clock = clock
        self.stopping = threading.Event()
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def _spawn(self, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        # A process group of its own: a Ctrl+C in the terminal reaches only this
        # process, which stops each child once (a second signal would make the
        # worker drop its task).
        return subprocess.Popen(argv, preexec_fn=_die_with_parent, process_group=0)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Run until the server exits or a stop signal comes; return the code."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        self.server = self._spawn(self.server_argv)
        self.worker = self._spawn(self.worker_argv)
        self.say(f"Worker started (pid {self.worker.pid}).")
        backoff, started = 1.0, self.clock()
        restart_at: float | None = None
        code = 0
        while not self.stopping.wait(0.2):
            server_code = self.server.poll()
            if server_code is not None:
                self.say(f"Server exited ({server_code}): stopping the worker.")
                code = server_code
                break
            now = self.clock()
            if restart_at is None and self.worker.poll() is not None:
                if now - started > 60:  # it ran for a while: start again quickly
                    backoff = 1.0
                self.say(
                    f"Worker exited ({self.worker.returncode}); "
                    f"restarting in {backoff:.0f} s."
                )
                restart_at = now + backoff
                backoff = min(backoff * 2, self.max_backoff)
            if restart_at is not None and now >= restart_at:
                self.worker = self._spawn(self.worker_argv)
                self.say(f"Worker restarted (pid {self.worker.pid}).")
                started, restart_at = now, None
        self._stop_all()
        return code

    def _stop_all(self) -> None:
        """Send SIGTERM to both children, then SIGKILL what outlives the timeout."""
        children = [p for p in (self.worker, self.server) if p is not None]
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = self.clock() + self.stop_timeout
        for child in children:
            try:
                child.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                logger.warning("pid %s did not stop in time: killed", child.pid)
                child.kill()
                child.wait()

"""A sitting survives a server killed with SIGKILL: it resumes at the same item and
every acknowledged answer is stored exactly once.

Runs a real ``hocvuso serve`` (granian) on a fresh SQLite data directory with the
small 48-item pack, talks to it over HTTP like a browser (CSRF cookie, sign-in
form, API with ``X-CSRFToken``), and reads the server's own database with
``sqlite3``: it needs neither pytest-django's test database nor the ORM.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

import pytest
from tests.assessment.conftest import write_bank_pack

HOCVUSO = Path(sys.executable).parent / "hocvuso"
USERNAME = "0912345678"
PASSWORD = "hoc-vu-so-restart-2026"

SETUP = """
from django.core.management import call_command
from hocvuso.accounts.models import LearnerProfile, Role, RoleAssignment, User
from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune

call_command("content", "import", {pack!r}, verbosity=0)
commune = Commune.objects.order_by("code").first()
user = User.objects.create_user({username!r}, {password!r}, phone={username!r})
LearnerProfile.objects.create(
    user=user, target_group=TargetGroup.objects.get(slug="adults"), commune=commune
)
RoleAssignment.objects.create(user=user, role=Role.LEARNER, commune=commune)
"""

pytestmark = pytest.mark.skipif(
    not HOCVUSO.exists(), reason="the hocvuso command is not installed"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``hocvuso serve`` in its own process group, so SIGKILL reaches workers."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.port = free_port()
        self.log = cwd / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until healthy, on a new port if another process took it.

        The port is only free when it is chosen: something else may bind it
        before the server does, so a server that exits saying the address is in
        use is started again on another port (cookies do not depend on it).
        """
        for _ in range(5):
            if self._start_once():
                return
            self.port = free_port()
        raise AssertionError("no free port:\n" + self.log.read_text()[-2000:])

    def _start_once(self) -> bool:
        """Return True once healthy, False if the port was taken; else raise."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [HOCVUSO, "serve", "--port", str(self.port), "--workers", "1"],
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                text = self.log.read_text()[offset:]
                self.proc = None
                if "in use" in text.lower():
                    return False
                raise AssertionError("server exited:\n" + text[-2000:])
            with (
                contextlib.suppress(OSError),
                urlopen(self.base + "/healthz", timeout=1) as response,
            ):
                if response.status == 200:
                    return True
            # Wait for the process to exit or 0.1 s, whichever comes first.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(0.1)
        raise AssertionError("server did not start:\n" + self.log.read_text()[-2000:])

    def kill(self) -> None:
        """SIGKILL the whole process group (granian and its workers).

        Returns once every process of the group has exited (waited on through
        pidfds, no polling), so no worker still holds the port.
        """
        if self.proc is None:
            return
        pidfds = []
        for pid in group_pids(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                pidfds.append(os.pidfd_open(pid))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None
        try:
            for fd in pidfds:
                readable, _w, _x = select.select([fd], [], [], 10)
                assert readable, "a server process survived SIGKILL"
        finally:
            for fd in pidfds:
                os.close(fd)


def group_pids(pgid: int) -> list[int]:
    """Return the ids of the processes in process group ``pgid`` (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid pgrp ...: comm may contain spaces.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                pids.append(int(stat.parent.name))
    return pids


class Browser:
    """Cookies, CSRF and JSON, like the learner's browser."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.jar if c.name == name), "")

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None, **kw: Any
    ) -> tuple[int, Any]:
        headers = {"X-CSRFToken": self.cookie("csrftoken")}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif "json" in kw:
            body = json.dumps(kw["json"]).encode()
            headers["Content-Type"] = "application/json"
        req = Request(self.server.base + path, body, headers, method=method)
        try:
            with self.opener.open(req, timeout=30) as response:
                status, raw = response.status, response.read()
                kind = response.headers.get("Content-Type", "")
        except HTTPError as exc:
            status, raw, kind = exc.code, exc.read(), exc.headers.get("Content-Type")
        return status, json.loads(raw) if "json" in (kind or "") else raw.decode()

    def sign_in(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": USERNAME,
            "password": PASSWORD,
        }
        status, _page = self.request("POST", "/accounts/login/", form=form)
        assert status == 200 and self.cookie("sessionid"), "sign-in failed"

    def answer(self, sid: str, body: dict[str, str]) -> tuple[int, Any]:
        return self.request(
            "POST", f"/api/assessment/sessions/{sid}/answers", json=body
        )

    def send_without_reading(self, sid: str, body: dict[str, str]) -> None:
        """Send an answer and never read the reply (the server dies meanwhile)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        conn.request(
            "POST",
            f"/api/assessment/sessions/{sid}/answers",
            body=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "Cookie": cookies,
                "X-CSRFToken": self.cookie("csrftoken"),
            },
        )
        # The server writes its reply only after the answer is committed: wait
        # until the reply starts to arrive (never read), then kill the server.
        # The answer is thus always stored and never acknowledged.
        assert conn.sock is not None
        readable, _w, _x = select.select([conn.sock], [], [], 30)
        assert readable, "the server never answered"
        self.server.kill()
        conn.close()


def stored(db: Path, sid: str) -> list[tuple[str, int]]:
    """(attempt id, position) of the sitting's Response rows, read with sqlite3."""
    with contextlib.closing(sqlite3.connect(db, timeout=20)) as conn:
        rows = conn.execute(
            "SELECT attempt_id, position FROM assessment_response "
            "WHERE session_id = ? ORDER BY position",
            (uuid.UUID(sid).hex,),
        ).fetchall()
    return [(str(uuid.UUID(a)), int(p)) for a, p in rows]


def sitting(db: Path, sid: str) -> tuple[str, int, int | None]:
    with contextlib.closing(sqlite3.connect(db, timeout=20)) as conn:
        status, answered = conn.execute(
            "SELECT status, n_answered FROM assessment_testsession WHERE id = ?",
            (uuid.UUID(sid).hex,),
        ).fetchone()
        result = conn.execute(
            "SELECT n_items FROM assessment_result WHERE session_id = ?",
            (uuid.UUID(sid).hex,),
        ).fetchone()
    return str(status), int(answered), int(result[0]) if result else None


def manage(env: dict[str, str], cwd: Path, *args: str) -> None:
    done = subprocess.run(
        [HOCVUSO, *args], env=env, cwd=cwd, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Server]:
    """A fresh SQLite site with the small pack and one learner; always killed."""
    data = tmp_path / "data"
    env = dict(os.environ, HOCVUSO_DATA_DIR=str(data), LOG_LEVEL="WARNING")
    for name in ("DATABASE_URL", "HOCVUSO_REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    pack = write_bank_pack(tmp_path / "pack")
    manage(env, tmp_path, "init", "--no-content", "--no-static")
    code = SETUP.format(pack=str(pack), username=USERNAME, password=PASSWORD)
    manage(env, tmp_path, "shell", "-c", code)
    server = Server(env, tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.kill()


def test_sitting_survives_sigkill(site: Server) -> None:
    db = Path(site.env["HOCVUSO_DATA_DIR"]) / "hocvuso.sqlite3"
    browser = Browser(site)
    browser.sign_in()
    status, state = browser.request(
        "POST", "/api/assessment/sessions", json={"target_group": "adults"}
    )
    assert status == 201 and state["item"] is not None, state
    sid = state["id"]
    acked: list[tuple[str, int]] = []  # (attempt id, position) acknowledged

    def body_for(state: dict[str, Any]) -> dict[str, str]:
        return {
            "attempt_id": str(uuid.uuid4()),
            "item_id": state["item"]["id"],
            "option": "abcb"[len(acked) % 4],
        }

    def answer(state: dict[str, Any], body: dict[str, str]) -> dict[str, Any]:
        status, new = browser.answer(sid, body)
        assert status == 200, new
        assert new["position"] == state["position"] + 1
        acked.append((body["attempt_id"], state["position"]))
        return new

    for _ in range(3):
        body = body_for(state)
        state = answer(state, body)

    # 1. Killed between two answers: resume at the same item, nothing lost.
    site.kill()
    site.start()
    status, resumed = browser.request("GET", f"/api/assessment/sessions/{sid}")
    assert status == 200 and resumed["status"] == "active", resumed
    assert resumed["item"] == state["item"] and resumed["position"] == 4
    assert resumed["answered"] == 3
    assert stored(db, sid) == acked
    # The browser's sign-in survived the restart, and a late retry of the last
    # acknowledged answer returns the current state without recording it.
    status, again = browser.answer(sid, body)
    assert status == 200 and again == resumed
    assert stored(db, sid) == acked

    # 2. Killed after an answer is committed but before the client read the
    # reply: it sends the same attempt again after the restart; it counts once.
    # (An answer the server never received is case 1: it is simply sent anew.)
    body = body_for(state)
    browser.send_without_reading(sid, body)
    site.start()
    assert stored(db, sid) == [*acked, (body["attempt_id"], 4)]
    status, resumed = browser.request("GET", f"/api/assessment/sessions/{sid}")
    assert status == 200 and resumed["position"] == 5
    state = answer(state, body)  # the retry, with the same attempt_id
    assert state["position"] == 5 and stored(db, sid) == acked

    # 3. The test can be finished; every answer is stored exactly once.
    while state["item"] is not None:
        state = answer(state, body_for(state))
    assert state["status"] == "completed" and state["result"], state
    rows = stored(db, sid)
    assert rows == acked
    assert [p for _a, p in rows] == list(range(1, len(rows) + 1))
    assert sitting(db, sid) == ("completed", len(rows), len(rows))
    status, result = browser.request(
        "GET", f"/api/assessment/results/{state['result']}"
    )
    assert status == 200 and result["n_items"] == len(rows)

"""Every ``hocvuso`` command on a fresh data dir ends with a message, not a traceback.

Each command runs as a subprocess with ``HOCVUSO_DATA_DIR`` set to an empty
folder and no ``DATABASE_URL`` (the embedded SQLite database then has no
tables). The test does not depend on the test database, so it runs once, in
the SQLite pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from hocvuso.packs.seed import DEFAULT_PACK

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="independent of the test database"
)

INIT_FIRST = "run `hocvuso init` first"

# Harmless arguments for every command of the project's apps: the real command
# where it is safe, ``--help`` for the ones that block (serve) or take a minute
# and write the data dir (init). ``True``: the command needs the database.
# ``{tmp}`` is the data dir.
PROJECT_COMMANDS: dict[str, list[tuple[list[str], bool]]] = {
    "assistant": [
        (["assistant", "ask", "cach kich hoat vneid", "--json"], True),
        (["assistant", "rebuild"], True),
    ],
    "assessment": [
        (["assessment", "export-items", "{tmp}/items"], True),
        (["assessment", "export-responses", "{tmp}/responses.csv"], True),
        (["assessment", "export-params", "{tmp}/params.csv"], True),
        (["assessment", "item-analysis", "{tmp}/report.csv"], True),
        (["assessment", "import-params", "{tmp}/in.csv"], True),
    ],
    "certificates": [
        (["certificates", "list"], True),
        (["certificates", "list", "--json"], True),
        (["certificates", "export", "ABCD", "--out", "{tmp}/out"], True),
        (["certificates", "verify", "--help"], False),
        (["certificates", "rotate-key"], True),
    ],
    "content": [
        (["content", "validate", str(DEFAULT_PACK)], False),
        (["content", "import", str(DEFAULT_PACK)], True),
    ],
    "demo": [
        (["demo", "generate", "--count", "1"], True),
        (["demo", "generate", "--learners", "10"], True),
    ],
    "init": [(["init", "--help"], False)],
    "load_framework": [(["load_framework"], True)],
    "load_units": [(["load_units"], True)],
    "outbox": [
        (["outbox", "status"], True),
        (["outbox", "drain"], True),
        (["outbox", "retry"], True),
        (["outbox", "receiver", "--", "--help"], False),
    ],
    "programs": [
        (["programs", "status"], True),
        (["programs", "refresh"], True),
        (["programs", "rebuild"], True),
        (["programs", "indicators", "load"], True),
    ],
    "programs_exports_cleanup": [(["programs_exports_cleanup"], True)],
    "programs_task_reminders": [(["programs_task_reminders"], True)],
    "serve": [(["serve", "--help"], False)],
    "signin_reset": [(["signin_reset", "0912345678"], True)],
    "worker": [(["worker"], True), (["worker", "--prune-days", "30"], True)],
}
OTHER_COMMANDS: list[tuple[list[str], bool]] = [
    (["help", "--commands"], False),
    (["check"], False),
    (["migrate", "--plan"], False),
    (["irt", "--help"], False),
    (["showmigrations"], False),
]


def _project_commands() -> set[str]:
    return {name for name, app in get_commands().items() if app.startswith("hocvuso")}


def test_every_project_command_is_listed() -> None:
    assert _project_commands() == set(PROJECT_COMMANDS)


def _cases() -> list[tuple[list[str], bool]]:
    return [c for cases in PROJECT_COMMANDS.values() for c in cases] + OTHER_COMMANDS


@pytest.mark.parametrize(
    ("argv", "needs_db"),
    _cases(),
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_command_on_a_fresh_data_dir(
    argv: list[str], needs_db: bool, tmp_path: Path
) -> None:
    (tmp_path / "in.csv").write_text("item_id,a,b,c\nx-001@1,1.0,0.0,0.0\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HOCVUSO_DATA_DIR"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "hocvuso.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    if needs_db:
        assert proc.returncode != 0
        assert INIT_FIRST in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr

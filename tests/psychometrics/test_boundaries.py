"""The psychometrics package stays a plain NumPy/SciPy library.

It must never import Django nor any other hocvuso module (STYLE.md rule 15): the
``assessment`` app wraps it, not the other way round.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "hocvuso" / "psychometrics"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            == "import_module"
        ):
            names.extend(
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return names


def test_sources_found() -> None:
    """The scan below covers the package modules."""
    assert {p.name for p in SOURCES} >= {"__init__.py", "cat.py", "calibration.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_django_or_other_hocvuso_import(path: Path) -> None:
    """No module imports django or a hocvuso module outside psychometrics."""
    for name in _imported_modules(path):
        top = name.split(".")[0]
        assert top != "django", f"{path.name} imports {name}"
        if top == "hocvuso":
            assert name.startswith("hocvuso.psychometrics"), (
                f"{path.name} imports {name}"
            )


def test_importing_package_loads_no_django() -> None:
    """A fresh interpreter importing every module has no django in sys.modules."""
    modules = ", ".join(
        f"hocvuso.psychometrics.{p.stem}" for p in SOURCES if p.stem != "__init__"
    )
    code = (
        "import importlib, sys\n"
        f"for m in '{modules}'.split(', '):\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr

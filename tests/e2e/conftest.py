"""Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.conftest import load_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls made by
# fixtures are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HOCVUSO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: run scripts/ensure-chromium (apt install chromium)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _phone(browser: Browser, *, bypass_csp: bool) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=bypass_csp,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A page in a phone-sized context (360×740, touch), Vietnamese locale."""
    yield from _phone(browser, bypass_csp=False)


@pytest.fixture
def axe_phone_page(browser: Browser) -> Iterator[Page]:
    """The phone page, where bypass_csp only lets the test inject axe-core."""
    yield from _phone(browser, bypass_csp=True)


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    """Reload units and framework: transactional tests flush the tables."""
    load_reference_data()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


NPM_PREFIX = Path(__file__).resolve().parents[2] / ".cache" / "npm"
AXE_VERSION = "4.14.1"


@pytest.fixture(scope="session")
def axe_script() -> str:
    """Return axe-core's source, installing it with npm into .cache/ if needed."""
    import subprocess

    path = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        NPM_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--silent",
                "--prefix",
                str(NPM_PREFIX),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
        )
    return path.read_text(encoding="utf-8")


def axe_violations(page: Page, axe: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; return serious and critical violations."""
    page.add_script_tag(content=axe)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]

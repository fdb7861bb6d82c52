"""The language a learner reads lessons in (may differ from the interface's).

The interface exists in Vietnamese and English (Django's language switch). A
pack may also carry partial languages such as Hmong (``hmn``); a learner who
picks one reads lessons in it where they exist and in Vietnamese elsewhere,
while the buttons and menus stay Vietnamese. The choice is kept in a cookie
and made active around the learning views by :func:`content_language`, so
the models' ``title``/``html``… properties pick the right text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.http import HttpRequest
from django.utils.translation import get_language

from hocvuso.packs.languages import KNOWN

COOKIE = "hvs_content_lang"
_CODE = re.compile(r"^[a-z]{2,3}$")
_active: ContextVar[str | None] = ContextVar("hocvuso_content_language", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def interface_language() -> str:
    """Return the interface language as a pack language code (vi or en)."""
    lang = get_language() or "vi"
    return "en" if lang.startswith("en") else "vi"


def content_language_get() -> str:
    """Return the language lessons are read in now (the interface's by default)."""
    return _active.get() or interface_language()


def content_language_of(request: HttpRequest) -> str | None:
    """Return the lesson language the learner chose (cookie), if a known one."""
    value = request.COOKIES.get(COOKIE, "")
    return value if _CODE.match(value) and value in KNOWN else None


@contextmanager
def content_language_use(lang: str | None) -> Iterator[None]:
    """Make ``lang`` the lesson language inside the block (None: the interface's)."""
    token = _active.set(lang)
    try:
        yield
    finally:
        _active.reset(token)


def content_language(view: Callable[P, R]) -> Callable[P, R]:
    """Render ``view`` with the lesson language the learner chose."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        request = args[0]
        assert isinstance(request, HttpRequest)
        with content_language_use(content_language_of(request)):
            return view(*args, **kwargs)

    return wrapper

"""How often one person (or address) may ask: ``HOCVUSO_ASSISTANT_RATE``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from hocvuso.assistant.errors import AskingTooOften


def ask_limit(request: HttpRequest) -> None:
    """Raise ``AskingTooOften`` (429) past the rate (per user, else per address)."""
    if is_ratelimited(
        request,
        group="assistant.ask",
        key="user_or_ip",
        rate=str(settings.HOCVUSO_ASSISTANT_RATE),
        method=ALL,
        increment=True,
    ):
        raise AskingTooOften

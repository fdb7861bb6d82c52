"""Sections of "my data" contributed by the apps that hold a person's records.

``accounts`` sits below learning, assessment and credentials, so it cannot
read their tables itself; each app registers a function that returns its part
of the export (in its ``AppConfig.ready``), and ``user_data_export`` adds every
registered section. A section is a JSON-ready list or mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hocvuso.accounts.models import User

ExportSection = Callable[["User"], Any]

_SECTIONS: dict[str, ExportSection] = {}


def export_section_register(name: str, section: ExportSection) -> None:
    """Add (or replace) the section ``name`` of every person's export."""
    _SECTIONS[name] = section


def export_sections(user: User) -> dict[str, Any]:
    """Return every registered section for ``user``, by name."""
    return {name: _SECTIONS[name](user) for name in sorted(_SECTIONS)}

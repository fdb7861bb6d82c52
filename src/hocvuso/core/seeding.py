"""The seam through which apps seed data at ``hocvuso init``.

Each installed app may have a ``seed.py`` with a function
``seed(ctx: SeedContext) -> None``: reference data (administrative units, the
competence framework), the default content pack, the first admin account,
later signing keys or indicators. ``hocvuso init`` migrates, then runs every
app's seed step in the order of ``INSTALLED_APPS`` (which is the order of the
layers: an app comes after those it depends on). Seed steps are idempotent:
``init`` runs at every upgrade. This module imports nothing above ``core``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.apps import apps

MODULE = "seed"


@dataclass(frozen=True)
class SeedContext:
    """What a seed step gets: where to write, and the options of ``init``."""

    write: Callable[[str], None]
    options: Mapping[str, object] = field(default_factory=dict)
    success: Callable[[str], str] = str

    def flag(self, name: str) -> bool:
        """Return whether the boolean option ``name`` is set."""
        return bool(self.options.get(name, False))

    def text(self, name: str, default: str = "") -> str:
        """Return the text option ``name``."""
        value = self.options.get(name)
        return default if value is None else str(value)


class SeedStep(Protocol):
    def __call__(self, ctx: SeedContext) -> None: ...


@dataclass(frozen=True)
class Seed:
    app: str
    step: SeedStep


def seed_steps() -> list[Seed]:
    """Return each installed app's seed step, in ``INSTALLED_APPS`` order."""
    steps: list[Seed] = []
    for cfg in apps.get_app_configs():
        name = f"{cfg.name}.{MODULE}"
        if importlib.util.find_spec(name) is None:
            continue
        step = getattr(importlib.import_module(name), "seed", None)
        if callable(step):
            steps.append(Seed(cfg.label, step))
    return steps


def seed_all(ctx: SeedContext) -> list[str]:
    """Run every seed step; return the labels of the apps that seeded."""
    done = []
    for seed in seed_steps():
        seed.step(ctx)
        done.append(seed.app)
    return done

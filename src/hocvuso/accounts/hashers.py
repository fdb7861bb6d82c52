"""Password hashing: Argon2id at a cost a 2-core commune server can carry.

Django 5.2's default (PBKDF2-SHA256, 1,000,000 iterations) costs ~0.3 s of CPU
per sign-in on such a server: a room of 200 learners signing in at a service
point keeps both cores busy for a minute. Argon2id with OWASP's recommended
minimum (19 MiB of memory, 2 passes, 1 lane) costs ~30 ms and is memory-hard,
which makes guessing on GPUs dearer than PBKDF2 does.

The cost comes from ``HOCVUSO_PASSWORD_MEMORY_KIB`` and
``HOCVUSO_PASSWORD_TIME_COST``, read when a password is hashed, not at import.
A stored hash made with other parameters, or with PBKDF2 (accounts created
before this hasher), is checked with its own parameters and re-hashed with the
current ones at the user's next successful sign-in (Django's ``must_update``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet: Argon2id, m=19456 KiB, t=2, p=1, or an
# equivalent trade of memory for passes (m=7168 KiB with t=5 at the least).
MIN_MEMORY_KIB = 7168
DEFAULT_MEMORY_KIB = 19456
DEFAULT_TIME_COST = 2


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with the cost set in settings; reads every ``argon2$`` hash."""

    # Same algorithm name as Django's hasher: hashes it wrote stay readable.
    algorithm = "argon2"
    parallelism = 1

    def params(self) -> Any:
        """Return Django's Argon2id parameters with the cost from settings."""
        params = super().params()
        params.memory_cost = int(
            getattr(settings, "HOCVUSO_PASSWORD_MEMORY_KIB", DEFAULT_MEMORY_KIB)
        )
        params.time_cost = int(
            getattr(settings, "HOCVUSO_PASSWORD_TIME_COST", DEFAULT_TIME_COST)
        )
        return params


def cost_errors(memory_kib: int, time_cost: int) -> list[str]:
    """Return what is wrong with an Argon2id cost (empty when it is sound)."""
    errors: list[str] = []
    if memory_kib < MIN_MEMORY_KIB:
        errors.append(
            f"HOCVUSO_PASSWORD_MEMORY_KIB={memory_kib} is below {MIN_MEMORY_KIB} "
            "(7 MiB, the least OWASP accepts for Argon2id)."
        )
    if time_cost < 1:
        errors.append(f"HOCVUSO_PASSWORD_TIME_COST={time_cost} must be 1 or more.")
    if not errors and memory_kib * time_cost < MIN_MEMORY_KIB * 5:
        errors.append(
            f"HOCVUSO_PASSWORD_MEMORY_KIB x HOCVUSO_PASSWORD_TIME_COST = "
            f"{memory_kib * time_cost} is below {MIN_MEMORY_KIB * 5} "
            "(OWASP: 19456 KiB x 2, or 7168 KiB x 5 at the least)."
        )
    return errors

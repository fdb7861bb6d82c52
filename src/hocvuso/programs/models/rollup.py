"""The lock row that keeps fact refreshes one at a time (without advisory locks)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupLock(models.Model):
    """Who holds the refresh lock (SQLite; PostgreSQL uses an advisory lock).

    A refresh takes the row with one conditional UPDATE (free, or held for
    longer than ``HOCVUSO_ROLLUP_LOCK_STALE`` seconds by a refresh that died)
    and frees it when done.
    """

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup lock")
        verbose_name_plural = _("rollup locks")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'}"

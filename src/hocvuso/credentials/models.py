"""Confirmed results, certificates, portable credentials and their outbox."""

from __future__ import annotations

from hocvuso.credentials.outbox.models import OutboxEvent

__all__ = ["OutboxEvent"]

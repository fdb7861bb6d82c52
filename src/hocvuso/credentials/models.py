"""Confirmed results, certificates, portable credentials and their outbox."""

from __future__ import annotations

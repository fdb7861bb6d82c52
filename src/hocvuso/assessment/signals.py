"""Signals that tell higher layers (credentials) about results, after commit.

Assessment must not import the apps above it, so it announces what happened
and they listen. Both signals are sent from ``transaction.on_commit``: a
receiver sees committed rows only, and nothing is sent for a rollback.
Arguments are ids (strings), never model instances.

- ``result_recorded(sender=Result, result_id=str)``: a sitting finished and
  its :class:`~hocvuso.assessment.models.Result` was stored.
- ``id_card_checked(sender=TestSession, session_id=str, result_id=str | None)``:
  the supervisor recorded checking the learner's citizen ID card for a sitting
  (``result_id`` is set when the sitting already has a result).
"""

from __future__ import annotations

from django.dispatch import Signal

result_recorded = Signal()
id_card_checked = Signal()

"""Signals that tell higher layers (credentials) about accounts, after commit.

- ``identity_level_changed(sender=User, user_id=str, level=int)``: the
  provider gave the account another assurance level at sign-in (sent from
  ``transaction.on_commit``, so receivers see the committed row). Credentials
  re-checks the person's results: a pass that waited only for a verified
  identity is confirmed then.
"""

from __future__ import annotations

from django.dispatch import Signal

identity_level_changed = Signal()

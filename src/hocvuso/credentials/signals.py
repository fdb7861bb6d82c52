"""Signals the credentials app sends after commit, for the parts built on it.

The signed credential (``credentials.vc``) and the outbox to the identity
platform listen to these. Arguments are ids (strings); each is sent from
``transaction.on_commit``, so receivers see committed rows only.

- ``result_confirmed(sender=Confirmation, confirmation_id=str)``
- ``certificate_issued(sender=Certificate, certificate_id=str, version=int)``:
  a first issue or a re-issue (``version`` > 1) after a name correction; the
  row's ``credential`` was cleared and needs signing again.
- ``certificate_revoked(sender=Certificate, certificate_id=str)``: the status
  list must flip the certificate's ``status_index``.
"""

from __future__ import annotations

from django.dispatch import Signal

result_confirmed = Signal()
certificate_issued = Signal()
certificate_revoked = Signal()

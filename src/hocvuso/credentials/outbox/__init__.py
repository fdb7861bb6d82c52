"""The outbox of confirmed results to the identity platform.

A confirmation (or its revocation) writes an :class:`OutboxEvent` in the same
transaction (:func:`hocvuso.credentials.outbox.services.outbox_enqueue`); a
drain task delivers due events through the adapter named by
``HOCVUSO_IDENTITY_ADAPTER`` with retries, backoff and a dead letter. Delivery
is at least once; the receiver makes the effect exactly once by the event's
idempotency key. See docs/credentials-outbox.md.
"""

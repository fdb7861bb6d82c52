"""Identity-platform adapters: how an outbox event leaves the site.

``HOCVUSO_IDENTITY_ADAPTER`` names the adapter class (dotted path). An adapter
implements :class:`IdentityAdapter`: ``configured()`` (False keeps events
waiting, visibly, instead of pretending delivery) and ``deliver(event)``,
which returns a :class:`DeliveryOutcome` and never touches the database (the
drain runs deliveries in threads and records the outcomes itself).

- :class:`JwsHttpAdapter` (the default) POSTs a compact JWS to
  ``HOCVUSO_OUTBOX_URL`` with an ``Idempotency-Key`` header;
- :class:`LogOnlyAdapter` is for a site with no agreement with an identity
  platform: it logs the kind and key (never the payload) and counts the event
  as delivered. Choosing it is an operator's explicit decision.
"""

from __future__ import annotations

import enum
import http.client
import logging
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from hocvuso.credentials.keys import IssuerKey, issuer_key_current
from hocvuso.credentials.outbox.jws import jws_sign
from hocvuso.credentials.outbox.models import OutboxEvent

logger = logging.getLogger("hocvuso.outbox")


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one delivery attempt came to; ``reason`` is short, no personal data."""

    outcome: Outcome
    reason: str = ""

    @classmethod
    def delivered(cls, reason: str = "") -> DeliveryOutcome:
        return cls(Outcome.DELIVERED, reason)

    @classmethod
    def retry(cls, reason: str) -> DeliveryOutcome:
        return cls(Outcome.RETRY, reason)

    @classmethod
    def permanent(cls, reason: str) -> DeliveryOutcome:
        return cls(Outcome.PERMANENT, reason)


class IdentityAdapter(Protocol):
    """Deliver outbox events to an identity platform."""

    def configured(self) -> bool:
        """Return whether deliveries can be attempted at all."""

    def deliver(self, event: OutboxEvent) -> DeliveryOutcome:
        """Attempt one delivery (thread-safe, no database access)."""


def adapter_get() -> IdentityAdapter:
    """Return a new instance of the adapter named by the setting."""
    adapter_class = import_string(settings.HOCVUSO_IDENTITY_ADAPTER)
    adapter: IdentityAdapter = adapter_class()
    return adapter


def event_claims(event: OutboxEvent, *, now: float | None = None) -> dict[str, object]:
    """Return the signed claims of a delivery: who, what, when, the payload."""
    return {
        "iss": settings.HOCVUSO_PUBLIC_URL,
        "iat": int(now if now is not None else time.time()),
        "jti": event.key,
        "kind": event.kind,
        "data": event.payload,
    }


class JwsHttpAdapter:
    """POST ``application/jose`` (compact JWS) to ``HOCVUSO_OUTBOX_URL``.

    2xx and 409 ("already have it") mean delivered; 5xx, 408, 429, a timeout or
    a connection error mean retry; any other 4xx is permanent (dead letter).
    Each delivery thread keeps one HTTP/1.1 connection open (keep-alive); a
    kept connection the server closed meanwhile is replaced and the request
    sent once more (harmless: the receiver is idempotent by key).
    """

    def __init__(self, *, url: str | None = None, timeout: float | None = None):
        self.url = settings.HOCVUSO_OUTBOX_URL if url is None else url
        self.timeout = settings.HOCVUSO_OUTBOX_TIMEOUT if timeout is None else timeout
        self._key: IssuerKey | None = None
        self._local = threading.local()

    def configured(self) -> bool:
        return bool(self.url)

    def _signing_key(self) -> IssuerKey:
        if self._key is None:
            self._key = issuer_key_current()
        return self._key

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        parts = urllib.parse.urlsplit(self.url)
        factory = (
            http.client.HTTPSConnection
            if parts.scheme == "https"
            else http.client.HTTPConnection
        )
        conn = factory(parts.hostname or "", parts.port, timeout=self.timeout)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._local.conn = conn
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def post(self, token: str, key: str) -> int:
        """POST one signed delivery; return the HTTP status (raise on I/O)."""
        parts = urllib.parse.urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/jose",
            "Idempotency-Key": key,
            "User-Agent": "hocvuso-outbox/1",
        }
        for _ in range(2):
            conn, reused = self._connection()
            try:
                conn.request("POST", path, body=token.encode(), headers=headers)
                response = conn.getresponse()
                response.read()
            except (
                http.client.RemoteDisconnected,
                BrokenPipeError,
                ConnectionResetError,
            ):
                self._drop()
                if reused:
                    continue  # the server closed a kept connection: once more
                raise
            except BaseException:
                self._drop()
                raise
            if response.will_close:
                self._drop()
            return response.status
        raise ConnectionResetError("connection closed twice")

    def deliver(self, event: OutboxEvent) -> DeliveryOutcome:
        if not self.url:
            return DeliveryOutcome.retry("no HOCVUSO_OUTBOX_URL")
        token = jws_sign(event_claims(event), self._signing_key())
        try:
            status = self.post(token, event.key)
        except TimeoutError:
            return DeliveryOutcome.retry("timeout")
        except (OSError, http.client.HTTPException) as exc:
            return DeliveryOutcome.retry(f"connection: {type(exc).__name__}")
        if 200 <= status < 300:
            return DeliveryOutcome.delivered(f"HTTP {status}")
        if status == 409:
            return DeliveryOutcome.delivered("HTTP 409 (already delivered)")
        if status >= 500 or status in (408, 429):
            return DeliveryOutcome.retry(f"HTTP {status}")
        return DeliveryOutcome.permanent(f"HTTP {status}")


class LogOnlyAdapter:
    """Log each event's kind and key and count it delivered (no receiver)."""

    def configured(self) -> bool:
        return True

    def deliver(self, event: OutboxEvent) -> DeliveryOutcome:
        logger.info("Outbox (log only): %s %s", event.kind, event.key)
        return DeliveryOutcome.delivered("logged only")

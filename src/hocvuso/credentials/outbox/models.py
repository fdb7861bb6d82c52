"""The outbox event: one result to export, its delivery state and attempts."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A confirmed (or revoked) result waiting for, or done with, delivery.

    ``payload`` is versioned JSON (``schema_version``); version 1, built and
    checked by :mod:`hocvuso.credentials.outbox.payload`, is::

        {
          "schema_version": 1,
          "confirmation_id": "<uuid of the confirmation>",
          "person": {"id_hash": "<64 hex: keyed HMAC-SHA256 of the national ID>"
                                 | null,
                     "account_id": "<hocvuso account uuid>" | null},
          "result": {"target_group": "<code>", "level": <int 1..8>,
                     "date": "YYYY-MM-DD"},
          "certificate": {"code": "<verification code>", "url": "<https://…>"}
                         | null,
          "revocation": {"date": "YYYY-MM-DD", "reason": "<short code>"} | null
        }

    No raw ID or phone number is ever stored (the payload check refuses them).
    ``subject`` groups the events of one confirmation: an event is delivered
    only once every earlier event of its subject was (a revocation never
    overtakes its confirmation). While ``delivering``, ``next_attempt_at`` is
    the end of the claim: past it, another drain may take the event again.
    """

    class Kind(models.TextChoices):
        RESULT_CONFIRMED = "result.confirmed", _("Result confirmed")
        RESULT_REVOKED = "result.revoked", _("Confirmation revoked")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERING = "delivering", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Failed (needs a person)")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=100)
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["-id"]
        indexes = [
            # The drain's "due" query: pending or expired claims, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due_idx",
                condition=models.Q(state__in=["pending", "delivering"]),
            ),
            # Per-subject ordering: earlier undelivered events of a subject.
            models.Index(fields=["subject", "id"], name="outbox_subject_idx"),
            models.Index(fields=["state", "-id"], name="outbox_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    state__in=["pending", "delivering", "delivered", "dead"]
                ),
                name="outbox_state_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    @property
    def schema_version(self) -> Any:
        return self.payload.get("schema_version")

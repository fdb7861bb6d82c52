"""Admin for the outbox: list and filter events, inspect, retry, replay."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hocvuso.credentials.outbox.adapters import adapter_get
from hocvuso.credentials.outbox.models import OutboxEvent
from hocvuso.credentials.outbox.services import (
    outbox_event_replay,
    outbox_event_retry,
)


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin[OutboxEvent]):
    list_display = (
        "id",
        "kind",
        "key",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "delivered_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("key", "subject")
    readonly_fields = (
        "kind",
        "key",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "delivered_at",
        "created_at",
        "payload_pretty",
    )
    exclude = ("payload", "claimed_by")
    actions = ("retry_now", "replay")
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over millions of rows

    @admin.display(description=gettext_lazy("payload"))
    def payload_pretty(self, obj: OutboxEvent) -> SafeString:
        text = json.dumps(obj.payload, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: OutboxEvent | None = None
    ) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not adapter_get().configured():
            self.message_user(
                request,
                _(
                    "No receiver is configured (HOCVUSO_OUTBOX_URL): events wait "
                    "here until it is set."
                ),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(
        description=gettext_lazy("Retry now (waiting or failed events)"),
        permissions=["change"],
    )
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        done = 0
        for event in queryset.filter(
            state__in=[OutboxEvent.State.PENDING, OutboxEvent.State.DEAD]
        ):
            outbox_event_retry(actor=request.user, event=event)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d event will be sent again.",
                "%(n)d events will be sent again.",
                done,
            )
            % {"n": done},
        )

    @admin.action(
        description=gettext_lazy("Replay (send delivered events again, same key)"),
        permissions=["change"],
    )
    def replay(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        done = 0
        for event in queryset.filter(state=OutboxEvent.State.DELIVERED):
            outbox_event_replay(actor=request.user, event=event)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d event will be replayed.", "%(n)d events will be replayed.", done
            )
            % {"n": done},
        )

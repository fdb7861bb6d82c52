"""Fill ``TestSession.attempt_ids`` from the answers already recorded.

Batched and rerunnable: a session whose list already matches is left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 500


def backfill(apps: Any, schema_editor: Any) -> None:
    TestSession = apps.get_model("assessment", "TestSession")
    Response = apps.get_model("assessment", "Response")
    ids = list(
        TestSession.objects.filter(n_answered__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        attempts: dict[Any, list[str]] = {pk: [] for pk in chunk}
        rows = (
            Response.objects.filter(session_id__in=chunk)
            .order_by("session_id", "position")
            .values_list("session_id", "attempt_id")
        )
        for session_id, attempt_id in rows:
            attempts[session_id].append(str(attempt_id))
        changed = []
        for session in TestSession.objects.filter(pk__in=chunk):
            if session.attempt_ids != attempts[session.pk]:
                session.attempt_ids = attempts[session.pk]
                changed.append(session)
        TestSession.objects.bulk_update(changed, ["attempt_ids"])


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_session_attempts_rate_window")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

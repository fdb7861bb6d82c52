"""Background tasks of report exports (the ``bulk`` queue)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="bulk")
def export_run(job_id: str) -> str:
    """Build an export's file (idempotent: a done job is left as it is)."""
    from hocvuso.programs.export_services import export_build

    job = export_build(job_id=job_id)
    return job.state if job is not None else "gone"

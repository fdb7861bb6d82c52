"""Accountable tasks, their status updates with evidence, inspections, reminders.

A task names "clear people, clear work, clear responsibility, clear authority,
clear time, clear results": what, who does it (a person in a unit), who is
responsible and who decides, when it starts and is due, and the expected
result (optionally an indicator and its target). An inspection records who
inspected what and what they found; follow-up tasks point back to it. A
:class:`Notification` is an in-app message (a reminder that a task is due
soon); ``window`` makes one reminder per task, person and due date.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel
from hocvuso.programs.models.core import Target, UnitScoped


class TaskStatus(models.TextChoices):
    TODO = "todo", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class Inspection(UnitScoped):
    """An inspection of a unit's work: who, what, when, what was found."""

    subject = models.CharField(_("what was inspected"), max_length=300)
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("inspector"),
    )
    findings = models.TextField(_("findings"))
    conclusion = models.TextField(_("conclusion and requests"), blank=True)

    class Meta:
        ordering = ["-inspected_on", "-created_at"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.CheckConstraint(
                condition=Q(commune__isnull=True) | Q(province__isnull=False),
                name="programs_inspection_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on:%d/%m/%Y} {self.subject[:60]}"


class ProgramTask(UnitScoped):
    """One accountable task of a unit (the unit is the assignee's unit)."""

    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible"),
    )
    authority = models.CharField(
        _("deciding authority"),
        max_length=200,
        help_text=_("Who decides, e.g. the chair of the commune People's Committee."),
    )
    starts_on = models.DateField(_("start"))
    due_on = models.DateField(_("deadline"), db_index=True)
    expected_result = models.TextField(_("expected result"))
    indicator = models.CharField(_("indicator"), max_length=60, blank=True)
    target = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("target"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.TODO,
    )
    inspection = models.ForeignKey(
        Inspection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        verbose_name=_("follow-up of inspection"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(commune__isnull=True) | Q(province__isnull=False),
                name="programs_task_unit",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("starts_on")),
                name="programs_task_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date) -> bool:
        """Return whether the task is still open after its deadline."""
        return self.is_open and self.due_on < today


class EvidenceKind(models.TextChoices):
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo")
    FILE = "file", _("File")


class TaskUpdate(BaseModel):
    """A status update on a task, with its evidence."""

    task = models.ForeignKey(
        ProgramTask, on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices)
    note = models.TextField(_("what was done"))
    evidence_kind = models.CharField(
        max_length=8, choices=EvidenceKind.choices, default=EvidenceKind.TEXT
    )
    evidence = models.FileField(
        _("evidence"), upload_to="programs/task-evidence/%Y/%m/", blank=True
    )
    evidence_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("task update")
        verbose_name_plural = _("task updates")

    def __str__(self) -> str:
        return f"{self.task_id} {self.status}"


class Notification(BaseModel):
    """An in-app message to one person (a task reminder).

    ``window`` names what the message is about (a task's due date), so a
    periodic sender run twice writes it once.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Task due soon")
        OVERDUE = "overdue", _("Task overdue")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    task = models.ForeignKey(
        ProgramTask,
        null=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    window = models.CharField(max_length=40)
    message = models.CharField(_("message"), max_length=300)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "task", "kind", "window"],
                name="programs_notification_once",
            )
        ]

    def __str__(self) -> str:
        return self.message[:80]

"""An import job: the staged files of one upload, its preview, and whether it was written."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models.programs import Program


class ImportJob(models.Model):
    """One upload on the import page, worked on by the `members.import_run` task.

    queued → previewing → previewed (staff confirm) → writing → done; failed when the files
    have problems or the write could not happen. The files wait under
    MEDIA_ROOT/imports/<folder>/ until the job is done, failed, cancelled or swept.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        PREVIEWING = "previewing", "Reading and checking the files"
        PREVIEWED = "previewed", "Preview ready"
        WRITING = "writing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    ACTIVE = (Status.QUEUED, Status.PREVIEWING, Status.WRITING)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="import_jobs")
    # Only the person who uploaded may see the preview (it names members) and confirm it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    folder = models.CharField(max_length=64)
    members_name = models.CharField(max_length=120)
    ties_name = models.CharField(max_length=120, blank=True)
    round_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=80, blank=True)  # what it is doing, in words
    fingerprint = models.CharField(max_length=64, blank=True)  # what the preview showed
    report = models.JSONField(default=dict, blank=True)  # ImportReport.as_json()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="import_job_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="import_job_created")]

    def __str__(self) -> str:
        return f"import into {self.program} ({self.get_status_display()})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

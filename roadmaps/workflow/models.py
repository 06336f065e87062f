"""Drafts, their history of review steps, and scheduled publishing.

Registered under the `roadmaps` app (imported by `roadmaps.models`).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Draft(models.Model):
    """The pending change to one object: a guide with its inline rows, a story,
    a salary figure or a site page. One draft per object."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    # Empty for a draft of an object that is not live yet (a new story, say).
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, help_text="What the draft changes.")
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    # The rows as they will be: `snapshot.capture` output (JSON text).
    data = models.TextField()
    # Hashes of the live rows the draft touches, taken when the draft was started;
    # publishing compares them with the live rows to find conflicting changes.
    base = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(object_id__isnull=False),
                name="draft_one_per_object",
                violation_error_message="This item already has a draft: edit that one.",
            ),
        ]
        permissions = [
            ("publish_draft", "Can publish drafts, unpublish and send drafts back"),
            ("schedule_draft", "Can schedule publishing and expiry"),
        ]

    def __str__(self):
        return f"Draft of {self.object_repr}"

    @property
    def model(self):
        return self.content_type.model_class()

    def live_object(self):
        if self.object_id is None:
            return None
        return self.model._default_manager.filter(pk=self.object_id).first()


class DraftEvent(models.Model):
    """One step in a draft's life: saved, submitted, sent back, approved,
    scheduled, published or discarded. Kept after the draft is gone."""

    class Action(models.TextChoices):
        SAVED = "saved", "Saved the draft"
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        UNSCHEDULED = "unscheduled", "Cancelled a schedule"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"
        DISCARDED = "discarded", "Discarded the draft"

    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=12, choices=Action)
    # Empty when the schedule runner acted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    message = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "draft history entry"
        verbose_name_plural = "draft history"

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"


class Schedule(models.Model):
    """A change that goes live (or an expiry) at a set time. This row is the
    source of truth: the runner acts only on pending rows that are due, and a
    cancelled row never fires."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "Publish"
        UNPUBLISH = "unpublish", "Unpublish (expiry)"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action)
    run_at = models.DateTimeField(
        "when",
        help_text="Date and time it takes effect, in the site's time zone (UTC).",
    )
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    # Publishing: the approved snapshot itself, so later edits to the draft never
    # go live with it.
    data = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run_at", "id"]
        indexes = [models.Index(fields=["state", "run_at"], name="schedule_due")]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr} at {self.run_at:%Y-%m-%d %H:%M} UTC"

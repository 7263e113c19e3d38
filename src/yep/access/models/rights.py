"""Data subjects' rights and retention: rectification requests awaiting review, and retention rules."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RectificationRequest(models.Model):
    """A young person's request to correct their record, queued for a reviewer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted and corrected")
        REJECTED = "rejected", _("Rejected")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="rectification_requests")
    field = models.CharField(max_length=50)
    current_value = models.TextField(blank=True)
    requested_value = models.TextField()
    reason = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.field} for {self.person_id} ({self.status})"


class RetentionRule(models.Model):
    """How long one kind of record is kept, and what happens after: deleted, or anonymised for statistics."""

    class Action(models.TextChoices):
        DELETE = "delete", _("Delete")
        ANONYMISE = "anonymise", _("Anonymise")

    record_type = models.CharField(max_length=50, unique=True)
    keep_days = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    basis = models.TextField(blank=True, help_text="Why this period: the policy or statute it follows.")

    class Meta:
        ordering = ["record_type"]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.keep_days} days, then {self.action}"

"""The activity timeline: what each young person is doing, from when, according to whom.

Tiers (Wales) and NCCIS groups (England) are derived from it, never stored by hand (issue 6). Early
identification's back-test reads it for what became of earlier cohorts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    """How sure the source is: a provider's record or a conversation with the young person is high; what a
    relative or friend says, or a data hub match short of certain, is lower. Shown beside the activity so a
    careers adviser knows what to re-confirm first; the tier does not weigh it."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Activity(models.Model):
    """One effective-dated activity with its NCCIS-compatible code (110-830)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="activities")
    code = models.ForeignKey("people.ActivityCode", on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    source = models.CharField(max_length=40, blank=True, help_text="Who said so, e.g. destination_survey.")
    confidence = models.CharField(max_length=6, choices=Confidence.choices, default=Confidence.HIGH)
    # Employment and training: the level of the regulated qualification studied with it, where known (the Youth
    # Guarantee counts employment with training at Level 2 and above, R65; none means no regulated training).
    training_level = models.PositiveSmallIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "start"]
        indexes = [models.Index(fields=["person", "start"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.code_id} from {self.start}"

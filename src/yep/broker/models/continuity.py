"""Continuity after transition and what follows closure (YEPF §6 C, R37–R39, R44, R89–R90): the LA's
continuity policy, and the follow-up checks 6, 12 and 24 months after a lead worker case closes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .allocation import Allocation


class ContinuityKind(models.TextChoices):
    MONTHS = "months", _("A number of months after the post-16 start")
    FIXED_DATE = "fixed_date", _("A fixed date after transition")
    NONE = "none", _("No continuity period: the lead worker stays until the case is closed")


class ContinuityPolicy(models.Model):
    """How long a lead worker stays with a young person after they start post-16 (R37). One per LA; an LA with
    none uses the defaults (3 months)."""

    la = models.OneToOneField("people.Organisation", on_delete=models.CASCADE, related_name="continuity_policy")
    kind = models.CharField(max_length=10, choices=ContinuityKind.choices, default=ContinuityKind.MONTHS)
    months = models.PositiveSmallIntegerField(default=3)
    fixed_month = models.PositiveSmallIntegerField(default=1, help_text="The fixed date's month (1 to 12).")
    fixed_day = models.PositiveSmallIntegerField(default=31, help_text="The fixed date's day of the month.")
    learning_coach_exception = models.BooleanField(
        default=False, help_text="A learning coach's allocation ends when the young person starts post-16.")
    destination_types = models.JSONField(
        default=list, help_text="Post-16 starts the policy applies to; empty means all.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Continuity policy of {self.la_id}: {self.kind}"


class DestinationType(models.TextChoices):
    SCHOOL_SIXTH_FORM = "sixth_form", _("School sixth form")
    FE = "fe", _("Further education")
    TRAINING = "training", _("Work-based learning or training")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    EMPLOYMENT_WITH_TRAINING = "employment_with_training", _("Employment with training")


class EetStatus(models.TextChoices):
    EDUCATION = "education", _("In education")
    TRAINING = "training", _("In training or an apprenticeship")
    EMPLOYMENT = "employment", _("In employment")
    NEET = "neet", _("Not in education, employment or training")
    UNKNOWN = "unknown", _("Not known")


class FollowUp(models.Model):
    """A check on a young person's status some months after their lead worker case closed (R89–R90)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="follow_ups")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()
    due = models.DateField()
    status = models.CharField(max_length=12, choices=EetStatus.choices, blank=True,
                              help_text="Blank until the check is recorded.")
    note = models.TextField(blank=True)
    task = models.ForeignKey("tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [models.UniqueConstraint(fields=["allocation", "months"], name="follow_up_once")]

    def __str__(self) -> str:
        return f"{self.months}-month follow-up due {self.due}"

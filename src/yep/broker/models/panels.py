"""School panels and business cases (YEPF §6 C, R28, R29): a school's panel meets, with members by role, to
discuss its at-risk pupils and agree in-school plans; for support beyond the school it sends the EPC a business
case, which the EPC approves, rejects or defers with a reason. An approved case becomes a referral."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yep.identify.models import Band

from .referrals import Referral, Urgency


class PanelRole(models.TextChoices):
    HEADTEACHER = "headteacher", _("Headteacher or senior leader")
    PASTORAL = "pastoral", _("Pastoral lead")
    ALNCO = "alnco", _("ALN coordinator")
    ATTENDANCE = "attendance", _("Attendance or education welfare officer")
    CAREERS = "careers", _("Careers adviser")
    YOUTH_WORKER = "youth_worker", _("Youth worker")
    FAMILIES_FIRST = "families_first", _("Families First")
    EPC = "epc", _("Engagement and Progression Coordinator")
    OTHER = "other", _("Other")


class PanelMeeting(models.Model):
    """One meeting of a school's panel."""

    school = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="panel_meetings")
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} panel {self.held_on}"


class PanelMember(models.Model):
    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=PanelRole.choices)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class PanelOutcome(models.TextChoices):
    IN_SCHOOL_PLAN = "in_school_plan", _("In-school plan")
    BUSINESS_CASE = "business_case", _("Business case to the EPC")
    NO_ACTION = "no_action", _("No further action")


class PanelPupil(models.Model):
    """A pupil discussed at a panel: their band as discussed, the in-school plan, and what the panel decided."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="pupils")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="panel_discussions")
    risk_band = models.CharField(max_length=6, choices=Band.choices, default=Band.NONE)
    in_school_plan = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=PanelOutcome.choices, default=PanelOutcome.IN_SCHOOL_PLAN)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="panel_pupil_once")]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.meeting_id}"


class BusinessCaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the EPC")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DEFERRED = "deferred", _("Deferred")


class BusinessCase(models.Model):
    """A school's case to the EPC for support beyond what the school can give (R29)."""

    school = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="business_cases")
    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="business_cases")
    panel_pupil = models.ForeignKey(PanelPupil, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="business_cases")
    needs = models.JSONField(default=list, help_text="Codes from the Need list.")
    case = models.TextField(help_text="Why the school cannot meet the need on its own, and what it has tried.")
    support_requested = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    consent_confirmed = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=BusinessCaseStatus.choices,
                              default=BusinessCaseStatus.SUBMITTED)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="business_case", help_text="The referral an approval made.")

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["la", "status"])]

    def __str__(self) -> str:
        return f"Business case {self.pk} ({self.status})"

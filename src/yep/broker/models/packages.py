"""What a lead worker does with a young person: the support package (goals, actions, services involved, review
dates), the keeping-in-touch log, progress feedback to the EPC, "support not working" escalations, additional
needs, and multi-agency reviews (YEPF §6 C, R31, R33–R36)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yep.identify.models import Band

from .allocation import Allocation
from .referrals import Need, Referral


class SupportPackage(models.Model):
    """The support agreed for a young person while a lead worker is allocated: one per allocation."""

    allocation = models.OneToOneField(Allocation, on_delete=models.CASCADE, related_name="package")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="support_packages")
    summary = models.TextField(blank=True, help_text="What the support is for, in a sentence or two.")
    next_review = models.DateField(null=True, blank=True, help_text="When the package is next reviewed.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Support package for {self.person_id}"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("No longer pursued")


class Goal(models.Model):
    """A goal of the package, with how progress is measured."""

    package = models.ForeignKey(SupportPackage, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    measure = models.CharField(max_length=300, blank=True, help_text="How we will know it is met.")
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class Action(models.Model):
    """An activity in the package: who does what by when."""

    package = models.ForeignKey(SupportPackage, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=150, blank=True, help_text="Who does it: a person or a service.")
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["done", "due", "pk"]

    def __str__(self) -> str:
        return self.text


class ServiceRole(models.TextChoices):
    LEAD = "lead", _("Lead worker's service")
    SUPPORTING = "supporting", _("Supporting service")


class PackageService(models.Model):
    """A service involved in the package: the lead worker's host, and each supporting service the EPC adds
    (for example for an additional need). A supporting service that sees the record does so through the
    access relationship opened under a sharing agreement."""

    package = models.ForeignKey(SupportPackage, on_delete=models.CASCADE, related_name="services")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=ServiceRole.choices, default=ServiceRole.SUPPORTING)
    purpose = models.CharField(max_length=300, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    relationship = models.ForeignKey("access.Relationship", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", help_text="The supporting-service access, when shared.")

    class Meta:
        ordering = ["role", "start", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"


class Channel(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    VIDEO = "video", _("Video call")
    SOCIAL = "social", _("Social media or messaging app")


class ContactOutcome(models.TextChoices):
    ENGAGED = "engaged", _("Engaged")
    NO_RESPONSE = "no_response", _("No response")
    DECLINED = "declined", _("Declined to engage")
    CANCELLED = "cancelled", _("Cancelled or did not attend")


class Contact(models.Model):
    """One keeping-in-touch contact between the lead worker and the young person (R33)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="lead_worker_contacts")
    on = models.DateField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    outcome = models.CharField(max_length=12, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["allocation", "on"])]

    def __str__(self) -> str:
        return f"{self.on} {self.channel} {self.outcome}"


class Progress(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    SOME_CONCERNS = "some_concerns", _("Some concerns")
    NOT_WORKING = "not_working", _("Support not working")


class ProgressUpdate(models.Model):
    """The lead worker's periodic feedback to the EPC on how the support is going (R33)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="progress_updates")
    progress = models.CharField(max_length=14, choices=Progress.choices)
    summary = models.TextField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.progress} at {self.submitted_at:%Y-%m-%d}"


class EscalationDecision(models.TextChoices):
    CHANGE_HOST = "change_host", _("Change the lead worker's host organisation")
    CHANGE_PACKAGE = "change_package", _("Change the support package")
    CONTINUE = "continue", _("Continue as now")


class Escalation(models.Model):
    """A lead worker's "support not working" escalation (R34): it raises an EPC task with a due date (the SLA)
    and re-opens brokerage with a referral linked to the existing package; closing it records the decision."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="escalations")
    package = models.ForeignKey(SupportPackage, on_delete=models.CASCADE, related_name="escalations")
    evidence = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 help_text="The re-brokerage referral it opened.")
    task = models.ForeignKey("tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision = models.CharField(max_length=16, choices=EscalationDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Escalation {self.pk} ({self.decision or 'open'})"

    @property
    def is_open(self) -> bool:
        return not self.decision


class AdditionalNeedStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the EPC")
    SERVICE_ADDED = "service_added", _("Supporting service added")
    NOT_ADDED = "not_added", _("No service added")


class AdditionalNeed(models.Model):
    """A need the lead worker found that another service should meet, without changing the lead worker (R35)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="additional_needs")
    need = models.CharField(max_length=20, choices=Need.choices)
    note = models.TextField(blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=14, choices=AdditionalNeedStatus.choices,
                              default=AdditionalNeedStatus.OPEN)
    service = models.ForeignKey(PackageService, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    task = models.ForeignKey("tasks.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.need} ({self.status})"


class SupportReview(models.Model):
    """A multi-agency review of the support (for example termly, R36): who was invited and came, the lead
    worker's feedback, the risk as it now stands, and what changed in the package."""

    package = models.ForeignKey(SupportPackage, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="support_reviews")
    held_on = models.DateField()
    risk_band = models.CharField(max_length=6, choices=Band.choices, help_text="The risk as agreed at the review.")
    lead_worker_feedback = models.TextField(blank=True)
    package_changes = models.TextField(blank=True)
    next_review = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["person", "held_on"])]

    def __str__(self) -> str:
        return f"Review {self.held_on} ({self.risk_band})"


class ReviewParticipant(models.Model):
    """Someone invited to a review, by name and role or organisation, and whether they attended."""

    review = models.ForeignKey(SupportReview, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=150, blank=True, help_text="Role or organisation.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["review", "name"], name="review_participant_once",
                                               condition=~Q(name=""))]

    def __str__(self) -> str:
        return self.name

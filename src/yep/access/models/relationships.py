"""Live relationships between staff (or organisations) and a young person, and break-the-glass access.

Enrolments at a school or provider are relationships too, read from ``people.Enrolment``; the ones here are
made by brokerage, referrals, panels and sharing: a lead worker's caseload, a supporting service, a referral
while it is open, an application to a provider. Access ends with the relationship (``end``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RelationshipKind(models.TextChoices):
    LEAD_WORKER = "lead_worker", _("Lead worker")
    REFERRAL = "referral", _("Open referral")
    SUPPORTING_SERVICE = "supporting_service", _("Supporting service")
    PANEL = "panel", _("Panel or review")
    APPLICANT = "applicant", _("Applicant")


class Relationship(models.Model):
    """A worker's or an organisation's relationship with a young person, from ``start`` to ``end``."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="relationships", help_text="The worker, for a personal relationship.")
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="relationships",
                                     help_text="The organisation, for an organisational relationship.")
    categories = models.JSONField(default=list, blank=True,
                                  help_text="Data categories shared with an organisation under an agreement.")
    agreement = models.ForeignKey("SharingAgreement", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="relationships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True, help_text="What made it, e.g. broker.allocation:12.")
    opened_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["user", "end"]), models.Index(fields=["organisation", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(organisation__isnull=False),
                                   name="relationship_has_a_party"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}–{self.end or ''}"


class BreakGlassAccess(models.Model):
    """Emergency access to one record by a user with no relationship, for a limited time, with a stated reason.

    Every one is listed for the data protection officer, who reviews it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="break_glass")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id} at {self.started_at:%Y-%m-%d %H:%M}"

"""Referrals into brokerage: who is referred, by which route, the facts the allocation rules read, and the EPC's
decision (YEPF §6 C, R26 and R29)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yep.identify.models import Band, SupportNeed


class Need(models.TextChoices):
    """What a young person needs help with. The codes early identification's review uses
    (``identify.SupportNeed``) are kept, so the needs agreed at review arrive here unchanged; brokerage adds the
    needs a referral from outside school brings (ALN, money, pregnancy, custody, care experience)."""

    ATTENDANCE = SupportNeed.ATTENDANCE.value, SupportNeed.ATTENDANCE.label
    BEHAVIOUR = SupportNeed.BEHAVIOUR.value, SupportNeed.BEHAVIOUR.label
    LEARNING = SupportNeed.LEARNING.value, SupportNeed.LEARNING.label
    ALN = "aln", _("Additional learning needs")
    WELLBEING = SupportNeed.WELLBEING.value, SupportNeed.WELLBEING.label
    FINANCIAL_HARDSHIP = "financial_hardship", _("Financial hardship")
    CARING = SupportNeed.CARING.value, SupportNeed.CARING.label
    PREGNANCY = "pregnancy", _("Pregnancy")
    CUSTODY = "custody", _("Custody")
    HOUSING = SupportNeed.HOUSING.value, SupportNeed.HOUSING.label
    CARE_EXPERIENCE = "care_experience", _("Care experience")
    FAMILY = SupportNeed.FAMILY.value, SupportNeed.FAMILY.label
    CAREERS = SupportNeed.CAREERS.value, SupportNeed.CAREERS.label
    CONFIDENCE = SupportNeed.CONFIDENCE.value, SupportNeed.CONFIDENCE.label
    SUBSTANCE = SupportNeed.SUBSTANCE.value, SupportNeed.SUBSTANCE.label
    OTHER = SupportNeed.OTHER.value, SupportNeed.OTHER.label


class ReferralSource(models.TextChoices):
    EARLY_IDENTIFICATION = "early_identification", _("Early identification")
    TIER = "tier", _("Tier status (post-16 tracking)")
    SCHOOL_BUSINESS_CASE = "school_business_case", _("School business case")
    PROVIDER = "provider", _("Post-16 provider")
    LEAD_WORKER = "lead_worker", _("Lead worker")
    SELF_OR_PARENT = "self_or_parent", _("Young person or parent")


class Stage(models.TextChoices):
    PRE16 = "pre16", _("Pre-16")
    POST16 = "post16", _("Post-16")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    PRIORITY = "priority", _("Priority (e.g. Year 11 at risk of a poor transition)")
    URGENT = "urgent", _("Urgent")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Open: awaiting the EPC's decision")
    ALLOCATED = "allocated", _("Lead worker allocated")
    CLOSED = "closed", _("Closed")


class Decision(models.TextChoices):
    LEAD_WORKER = "lead_worker", _("Allocate a lead worker")
    NO_LEAD_WORKER = "no_lead_worker", _("No lead worker needed")
    DECLINED = "declined", _("Declined")
    DEFERRED = "deferred", _("Deferred")


class Referral(models.Model):
    """One referral of a young person to the LA's brokerage, with the facts the allocation rules read as they
    stood when it was made (stage, risk band, Families First, tier), and the EPC's decision."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="referrals")
    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="referrals",
                           help_text="The local authority whose EPC brokers the support.")
    source = models.CharField(max_length=24, choices=ReferralSource.choices)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    referred_by_label = models.CharField(max_length=150, help_text="Who made it, as the audit log names them.")
    needs = models.JSONField(default=list, help_text="Codes from the Need list.")
    notes = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    consent_confirmed = models.BooleanField(
        default=False, help_text="The referrer confirmed the young person (or parent) agreed to the referral.")
    # The facts at referral: the rules read these, so a proposal can be explained later.
    stage = models.CharField(max_length=6, choices=Stage.choices)
    risk_band = models.CharField(max_length=6, choices=Band.choices, default=Band.NONE,
                                 help_text="Pre-16: the early identification band; post-16 tier 4: the risk level.")
    risk_result = models.ForeignKey("identify.Result", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", help_text="The early identification result the band came from.")
    families_first = models.BooleanField(default=False, help_text="Families First / team around the family involved.")
    tier = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Post-16 five tier status, 1 to 5.")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["la", "status"]), models.Index(fields=["person", "received_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(tier__isnull=True) | models.Q(tier__gte=1, tier__lte=5),
                                   name="referral_tier_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%Y-%m-%d} ({self.status})"

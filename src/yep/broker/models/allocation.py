"""Allocation of lead workers: the LA's allocation rules, the lead workers who can be allocated (host, capacity,
Welsh), and each allocation with its proposal, any override and its end (YEPF §6 C, R27, R30, R32, R40)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .referrals import Referral, Stage


class HostType(models.TextChoices):
    YOUTH_SERVICE = "youth_service", _("Youth Service")
    CAREERS_WALES = "careers_wales", _("Careers Wales")
    LEARNING_COACH = "learning_coach", _("Learning coach")
    FAMILIES_FIRST = "families_first", _("Families First / TAF key worker")
    PROVIDER_PASTORAL = "provider_pastoral", _("Provider pastoral support")
    SPECIALIST = "specialist", _("Specialist service")


class Outcome(models.TextChoices):
    LEAD_WORKER = "lead_worker", _("Allocate a lead worker")
    NO_LEAD_WORKER = "no_lead_worker", _("No lead worker")
    TAF_DECIDES = "taf_decides", _("Team around the family decides")


class StageCondition(models.TextChoices):
    PRE16 = Stage.PRE16.value, Stage.PRE16.label
    POST16 = Stage.POST16.value, Stage.POST16.label
    ANY = "any", _("Any")


class FamiliesFirstCondition(models.TextChoices):
    YES = "yes", _("Families First involved")
    NO = "no", _("Families First not involved")
    ANY = "any", _("Any")


class AllocationRule(models.Model):
    """One of an LA's allocation rules. Rules are read in ``order``; the first whose conditions all hold gives
    the proposal. An empty list of bands or tiers matches any."""

    la = models.ForeignKey("people.Organisation", on_delete=models.CASCADE, related_name="allocation_rules")
    order = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=6, choices=StageCondition.choices, default=StageCondition.ANY)
    bands = models.JSONField(default=list, blank=True, help_text="Risk bands it applies to; empty for any.")
    tiers = models.JSONField(default=list, blank=True, help_text="Tiers it applies to; empty for any.")
    families_first = models.CharField(max_length=3, choices=FamiliesFirstCondition.choices,
                                      default=FamiliesFirstCondition.ANY)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.LEAD_WORKER)
    host_types = models.JSONField(default=list, blank=True,
                                  help_text="Host types proposed, best first, when the outcome is a lead worker.")
    rationale = models.CharField(max_length=300, blank=True, help_text="Why, e.g. the framework's Figure 6 row.")

    class Meta:
        ordering = ["la", "order"]
        constraints = [models.UniqueConstraint(fields=["la", "order"], name="allocation_rule_order_per_la")]

    def __str__(self) -> str:
        return f"{self.order}: {self.stage} {self.bands or '*'} {self.tiers or '*'} -> {self.outcome}"

    def matches(self, referral: Referral) -> bool:
        """Whether every condition holds for the referral's facts."""
        if self.stage != StageCondition.ANY and self.stage != referral.stage:
            return False
        if self.bands and referral.risk_band not in self.bands:
            return False
        if self.tiers and referral.tier not in self.tiers:
            return False
        if self.families_first == FamiliesFirstCondition.YES and not referral.families_first:
            return False
        return not (self.families_first == FamiliesFirstCondition.NO and referral.families_first)


class LeadWorkerProfile(models.Model):
    """A member of staff who can be allocated as a lead worker: host organisation and type, the caseload agreed
    with their employer (capacity), and whether they work in Welsh. One per worker."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="lead_worker_profile")
    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="lead_workers",
                           help_text="The local authority whose EPC allocates to this worker.")
    host_organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    host_type = models.CharField(max_length=20, choices=HostType.choices)
    capacity = models.PositiveSmallIntegerField(help_text="The agreed caseload.")
    speaks_welsh = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["la", "host_type", "user__username"]
        indexes = [models.Index(fields=["la", "host_type", "active"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_host_type_display()})"


class EndReason(models.TextChoices):
    SUPPORT_COMPLETE = "support_complete", _("Support complete")
    CONTINUITY_ENDED = "continuity_ended", _("Continuity period after transition ended")
    REBROKERED = "rebrokered", _("Support not working: re-brokered")
    DECLINED = "declined", _("Young person declined support")
    MOVED_LA = "moved_la", _("Moved local authority")
    WORKER_LEFT = "worker_left", _("Lead worker left or changed role")
    POST18_HANDOVER = "post18_handover", _("Handed over to adult services (post-18)")
    OTHER = "other", _("Other")


class Allocation(models.Model):
    """A lead worker allocated to a young person from a referral, from ``start`` to ``end``. At most one is active
    per young person (a database constraint as well as the service's check)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="allocations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="lead_worker_allocations")
    lead_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations")
    host_organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    host_type = models.CharField(max_length=20, choices=HostType.choices)
    proposed = models.CharField(max_length=60, blank=True,
                                help_text="What the rules proposed: host types, no lead worker or TAF decides.")
    override_reason = models.TextField(blank=True, help_text="Why the EPC chose differently from the proposal.")
    welsh_unmet = models.BooleanField(default=False,
                                      help_text="The young person prefers Welsh and the lead worker does not speak it.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField()
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    relationship = models.ForeignKey("access.Relationship", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", help_text="The lead worker relationship that gives access.")
    # After transition (R37-R39): where the young person started post-16, and until when the lead worker stays.
    post16_start = models.DateField(null=True, blank=True)
    post16_provider = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    destination_type = models.CharField(max_length=30, blank=True)
    continuity_end = models.DateField(null=True, blank=True, help_text="When the continuity period ends.")
    provider_told_at = models.DateTimeField(null=True, blank=True,
                                            help_text="When the provider was told who the lead worker is.")
    provider_contact = models.CharField(max_length=200, blank=True,
                                        help_text="The provider's contact for the lead worker.")
    handover_to = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", help_text="Who took over at 18 (adult services).")

    class Meta:
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["lead_worker", "end"])]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(end__isnull=True),
                                    name="one_active_lead_worker_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_worker} for {self.person_id} from {self.start}"

    @property
    def overridden(self) -> bool:
        return bool(self.override_reason)

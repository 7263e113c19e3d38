"""Provider notifications: a learner has left, or is seriously at risk of dropping out."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Provider notifications (YEPF §6 D, R48-R52; SC-3, SC-6) -----------------------------------------------------------

# The drop-out SLA: a provider tells the careers service within this many days of a young person leaving (R50,
# SC-6 "14 days by default"). One constant for every LA for now; a per-LA notification agreement may replace it,
# and each notification keeps the target it was measured against (``target_days``), so a change never rewrites
# past compliance.
NOTIFY_WITHIN_DAYS = 14


class NotificationKind(models.TextChoices):
    LEFT = "left", _("Left or dropped out")
    SERIOUSLY_AT_RISK = "seriously_at_risk", _("Seriously at risk of dropping out")


class NotificationChannel(models.TextChoices):
    FORM = "form", _("Form")
    FILE = "file", _("File upload")
    API = "api", _("API")


class MatchMethod(models.TextChoices):
    IDENTIFIER = "identifier", _("ULN or UPN")
    NAME_DOB_POSTCODE = "name_dob_postcode", _("Name, date of birth and postcode")
    MANUAL = "manual", _("Chosen by the careers service")


class NotificationStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    UNMATCHED = "unmatched", _("Waiting to be matched")
    RESOLVED = "resolved", _("Matched by the careers service")
    REJECTED = "rejected", _("Rejected")


class LeftReason(models.TextChoices):
    """Why a young person left, as far as the provider knows; it decides the activity recorded after leaving
    (``LEFT_ACTIVITY``): available for work or learning (tier 3) unless a reason says otherwise (tier 2)."""

    NOT_KNOWN = "not_known", _("Not known")
    SEEKING = "seeking", _("Looking for work, education or training")
    ILLNESS = "illness", _("Illness")
    PREGNANCY = "pregnancy", _("Pregnancy")
    CARING = "caring", _("Caring for someone")
    PARENT = "parent", _("Young parent")


# NCCIS activity code recorded on the timeline from the day after leaving (people/reference activity_codes.csv):
# 619 "seeking EET" (NEET, available: tier 3) unless the reason makes the young person unavailable (tier 2).
LEFT_ACTIVITY: dict[str, int] = {LeftReason.NOT_KNOWN: 619, LeftReason.SEEKING: 619, LeftReason.ILLNESS: 640,
                                  LeftReason.PREGNANCY: 650, LeftReason.CARING: 620, LeftReason.PARENT: 630}
ACTIVITY_SOURCE = "provider_notification"


class ProviderNotification(models.Model):
    """A provider telling the careers service that a learner has left (with the date) or is seriously at risk
    of dropping out. The identifiers are kept as sent; ``person`` is whom they were matched to (by identifier,
    by name, date of birth and postcode, or by hand from the unmatched queue).

    A matched "seriously at risk" notification is itself the timeline's record of the provider's risk level
    (high) for tier 4: it holds from ``received_at`` until the young person leaves that provider
    (``track.notifications.provider_risk_levels``)."""

    provider = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # As sent by the provider.
    uln = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    forenames = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    course = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    left_on = models.DateField(null=True, blank=True, help_text="The last day at the provider (left only).")
    reason = models.CharField(max_length=20, choices=LeftReason.choices, blank=True)
    notes = models.TextField(blank=True)
    received_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_by_label = models.CharField(max_length=150)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    # Matching.
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="provider_notifications")
    match_method = models.CharField(max_length=20, choices=MatchMethod.choices, blank=True)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # Timeliness (R50): days from leaving to notifying, and whether that met the target of the day.
    days_to_notify = models.IntegerField(null=True, blank=True)
    target_days = models.PositiveSmallIntegerField(null=True, blank=True)
    within_target = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["provider", "received_at"]), models.Index(fields=["status", "provider"]),
                   models.Index(fields=["person", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind="seriously_at_risk") | Q(left_on__isnull=False),
                                   name="left_notification_has_date_left"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.provider_id} at {self.received_at:%Y-%m-%d}"

    @property
    def sent_name(self) -> str:
        return " ".join(part for part in (self.forenames, self.surname) if part)

    @property
    def is_matched(self) -> bool:
        return self.status in (NotificationStatus.MATCHED, NotificationStatus.RESOLVED)

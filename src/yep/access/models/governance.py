"""Sharing agreements between organisations, consent per purpose, and objections (ESA 2008 s72)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SharingAgreement(models.Model):
    """A WASPI-style information sharing protocol: who shares which categories of data, why, and on what basis."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    name = models.CharField(max_length=200)
    parties = models.ManyToManyField("people.Organisation", related_name="sharing_agreements")
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=200, help_text="UK GDPR Article 6 basis, e.g. 6(1)(e) public task.")
    special_category_condition = models.CharField(max_length=200, blank=True,
                                                  help_text="UK GDPR Article 9 condition, where special data flows.")
    statute = models.CharField(max_length=300, blank=True,
                               help_text="e.g. ESA 2008 s13 and s72; Learning and Skills Act 2000 s40.")
    categories = models.JSONField(default=list, help_text="Data categories the agreement allows to flow.")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    document_reference = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConsentPurpose(models.TextChoices):
    DESTINATIONS_TO_SCHOOL = "destinations_to_school", _("Share destinations back to the school")
    REFERRAL = "referral", _("Referral to a supporting service")
    SHARE_WITH_PROVIDER = "share_with_provider", _("Share support needs with a new provider")
    RESEARCH = "research", _("Use in research (pseudonymised)")
    CONTACT_BY_TEXT = "contact_by_text", _("Contact by text message")


class Consent(models.Model):
    """Consent for one purpose: who gave it (the young person, or a parent or carer for an under-16), when, how,
    until when; withdrawn consent is kept with the date it was withdrawn."""

    class GivenBy(models.TextChoices):
        YOUNG_PERSON = "young_person", _("The young person")
        PARENT_CARER = "parent_carer", _("A parent or carer")

    class Method(models.TextChoices):
        WRITTEN = "written", _("In writing")
        VERBAL = "verbal", _("Verbally")
        ONLINE = "online", _("Online")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    given_by = models.CharField(max_length=15, choices=GivenBy.choices)
    given_by_name = models.CharField(max_length=200)
    method = models.CharField(max_length=10, choices=Method.choices)
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"


class Objection(models.Model):
    """An objection to sharing, e.g. the ESA 2008 s72 'do not share' request: only name, address and date of birth
    may then flow to other organisations."""

    class Kind(models.TextChoices):
        DO_NOT_SHARE = "do_not_share", _("Do not share beyond name, address and date of birth (ESA 2008 s72)")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="objections")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DO_NOT_SHARE)
    made_by = models.CharField(max_length=15, choices=Consent.GivenBy.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start}"

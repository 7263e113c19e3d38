"""Young people on the register, their names for search, contacts, characteristics and enrolments.

Characteristics and enrolments are effective-dated (``start``/``end``): history is kept, never overwritten.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation


def academic_age(dob: datetime.date, on: datetime.date) -> int:
    """Age on 31 August at the start of the academic year containing ``on`` (years start 1 September)."""
    year = on.year if on.month >= 9 else on.year - 1
    august_31 = datetime.date(year, 8, 31)
    return august_31.year - dob.year - ((august_31.month, august_31.day) < (dob.month, dob.day))


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    NOT_KNOWN = "U", _("Not known")


class Person(models.Model):
    """A young person. The internal id is the key; UPN, ULN and NI number are attributes and linkage evidence."""

    legal_forenames = models.CharField(_("legal forenames"), max_length=100)
    legal_surname = models.CharField(_("legal surname"), max_length=100)
    preferred_forename = models.CharField(_("preferred forename"), max_length=100, blank=True)
    preferred_surname = models.CharField(_("preferred surname"), max_length=100, blank=True)
    dob = models.DateField(_("date of birth"), db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender = models.CharField(_("gender"), max_length=50, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=8, blank=True)
    postcode_key = models.CharField(max_length=8, blank=True, db_index=True)
    la_of_residence = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="residents",
        verbose_name=_("local authority of residence"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=[("cy", "Cymraeg"), ("en", "English")], default="en"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    upn = models.CharField(_("UPN"), max_length=13, unique=True, null=True, blank=True)
    uln = models.CharField(_("ULN"), max_length=10, unique=True, null=True, blank=True)
    # NI numbers are encrypted at rest (DESIGN: identifiers); the keyed digest finds duplicates without decrypting.
    ni_number_encrypted = models.TextField(blank=True)
    ni_number_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Set when the data hub finds this record and another are one young person and merges them (cleared when the
    # merge is undone): everything it held now belongs to that record, and search leaves this one out.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_surname", "legal_forenames"]
        indexes = [models.Index(fields=["la_of_residence", "dob"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forenames.split(" ")[0]

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.preferred_surname or self.legal_surname}"

    def academic_age(self, on: datetime.date | None = None) -> int:
        return academic_age(self.dob, on or timezone.localdate())

    @property
    def ni_number_masked(self) -> str:
        """The NI number with its middle hidden (QQ •• •• 56 C); the full number is never shown on a page."""
        from yep.people.crypto import decrypt

        ni = decrypt(self.ni_number_encrypted)
        return f"{ni[:2]} •• •• {ni[6:8]} {ni[8:]}" if ni else ""

    def current_enrolment(self) -> "Enrolment | None":
        return self.enrolments.current().select_related("organisation").order_by("-start").first()


class PersonName(models.Model):
    """A name a person is known by (legal, preferred), folded into keys for typo- and form-tolerant search."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    forename_key = models.CharField(max_length=100)
    forename_group = models.CharField(max_length=100, db_index=True)
    surname_key = models.CharField(max_length=100, db_index=True)
    surname_sound = models.CharField(max_length=20, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["surname_key", "forename_group"])]

    def __str__(self) -> str:
        return f"{self.forename_key} {self.surname_key}"


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    CARER = "carer", _("Carer")
    GRANDPARENT = "grandparent", _("Grandparent")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    OTHER = "other", _("Other")


class Contact(models.Model):
    """A parent, carer or other contact on a young person's record (letters go to them for under-16s)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=40, choices=Relationship.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    has_parental_responsibility = models.BooleanField(_("parental responsibility"), default=False)
    preferred_language = models.CharField(max_length=2, default="en")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class CharacteristicKind(models.TextChoices):
    FSM = "fsm", _("Free school meals")
    LOOKED_AFTER = "looked_after", _("Looked after")
    CARE_EXPERIENCED = "care_experienced", _("Care experienced")
    ALN = "aln", _("Additional learning needs")
    YOUNG_CARER = "young_carer", _("Young carer")
    YOUNG_PARENT = "young_parent", _("Young parent")
    PREGNANCY = "pregnancy", _("Pregnancy")
    YOUTH_JUSTICE = "youth_justice", _("Youth justice")
    EOTAS = "eotas", _("Educated other than at school")
    HOME_EDUCATED = "home_educated", _("Home educated")
    DISABILITY = "disability", _("Disability")
    ETHNICITY = "ethnicity", _("Ethnicity")
    REFUGEE_ASYLUM = "refugee_asylum", _("Refugee or asylum seeker")
    FAMILIES_FIRST = "families_first", _("Families First or team around the family")
    SOCIAL_WORKER = "social_worker", _("Has a social worker")


# Special-category or otherwise sensitive; shown only where access.policy allows (YEPF §6 A7).
SENSITIVE_KINDS = frozenset(
    {
        CharacteristicKind.LOOKED_AFTER,
        CharacteristicKind.CARE_EXPERIENCED,
        CharacteristicKind.ALN,
        CharacteristicKind.PREGNANCY,
        CharacteristicKind.YOUTH_JUSTICE,
        CharacteristicKind.DISABILITY,
        CharacteristicKind.REFUGEE_ASYLUM,
        CharacteristicKind.SOCIAL_WORKER,
    }
)


class CurrentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> "CurrentQuerySet":
        day = on or timezone.localdate()
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


class Characteristic(models.Model):
    """An effective-dated characteristic, e.g. FSM from 2024-09-01, or ALN with plan level ``la_idp:SEMH``."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="characteristics")
    kind = models.CharField(max_length=20, choices=CharacteristicKind.choices)
    value = models.CharField(max_length=50, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-start"]
        indexes = [models.Index(fields=["person", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} from {self.start}"

    @property
    def is_sensitive(self) -> bool:
        return self.kind in SENSITIVE_KINDS

    @property
    def detail(self) -> str:
        """The value in words, in the active language."""
        from yep.people.describe import characteristic_detail

        return characteristic_detail(self.kind, self.value)


class EnrolmentEndReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    MOVED_SCHOOL = "moved_school", _("Moved school")
    MOVED_LA = "moved_la", _("Moved local authority")
    EXCLUDED = "excluded", _("Permanently excluded")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    LEFT = "left", _("Left")


class Enrolment(models.Model):
    """An effective-dated enrolment at a school or post-16 provider."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enrolments")
    year_group = models.PositiveSmallIntegerField(null=True, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EnrolmentEndReason.choices, blank=True)

    objects = CurrentQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["organisation", "end"]), models.Index(fields=["person", "start"])]

    def __str__(self) -> str:
        return f"{self.organisation} from {self.start}"

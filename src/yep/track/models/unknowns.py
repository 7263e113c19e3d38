"""Finding the unknowns (tier 1) and following up jobs without training: the careers service's contacts with
young people, youth workers' sightings, and moves between local authorities (YEPF §6 D R53-R54, A R5, G R77)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactPurpose(models.TextChoices):
    TRACING = "tracing", _("Finding an unknown")
    JWT = "jwt", _("Job without training follow-up")
    NOTIFICATION = "notification", _("After a provider notification")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    HOME_VISIT = "home_visit", _("Home visit")
    SOCIAL_MEDIA = "social_media", _("Social media")
    IN_PERSON = "in_person", _("In person")
    VIA_PARTNER = "via_partner", _("Through a partner")


class TracingSource(models.TextChoices):
    """Where a lead on an unknown came from, most reliable first (the queue ranks its suggestions this way)."""

    SCHOOL_LIST = "school_list", _("School enrolment list")
    COLLEGE_LIST = "college_list", _("College or provider enrolment list")
    OTHER_LA = "other_la", _("Another local authority")
    DATA_HUB = "data_hub", _("Data hub match")
    YOUTH_WORKER = "youth_worker", _("Youth worker")
    FAMILY = "family", _("Family or friends")
    CAREERS_RECORDS = "careers_records", _("Careers service records")
    OTHER = "other", _("Other")


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    MESSAGE_LEFT = "message_left", _("Message left")
    WRONG_DETAILS = "wrong_details", _("Contact details wrong")
    CONTACTED = "contacted", _("Spoke to the young person")
    CONFIRMED = "confirmed", _("Activity confirmed")
    MOVED_AWAY = "moved_away", _("Moved to another area")
    REFUSED = "refused", _("Refused to say")
    OFFER_MADE = "offer_made", _("Offer of training made")


class CareersContact(models.Model):
    """One attempt by the careers service to reach a young person, and what came of it."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="careers_contacts")
    purpose = models.CharField(max_length=20, choices=ContactPurpose.choices)
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    source = models.CharField(max_length=20, choices=TracingSource.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    notes = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+")
    by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "purpose", "at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.method} {self.outcome} for {self.person_id}"


class ContactReportStatus(models.TextChoices):
    MATCHED = "matched", _("Matched to a young person")
    NO_MATCH = "no_match", _("No match found")
    CLOSED = "closed", _("Dealt with by the careers service")


class ContactReport(models.Model):
    """A youth worker's "report a contact": someone they met, by name and date of birth. The reporter is told
    only whether it matched; the careers service sees the match and follows it up (R54)."""

    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reported_by_label = models.CharField(max_length=150)
    reported_at = models.DateTimeField()
    forenames = models.CharField(max_length=100)
    surname = models.CharField(max_length=100)
    dob = models.DateField()
    postcode = models.CharField(max_length=8, blank=True)
    seen_on = models.DateField()
    where = models.CharField(max_length=200, blank=True)
    doing = models.TextField(blank=True, help_text="What the young person said they are doing.")
    phone = models.CharField(max_length=20, blank=True)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="contact_reports")
    status = models.CharField(max_length=10, choices=ContactReportStatus.choices)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["status", "reported_at"])]

    def __str__(self) -> str:
        return f"contact report {self.pk} ({self.status})"


class LaMove(models.Model):
    """A young person moving from one local authority to another. The record follows them: the new LA takes
    them into its intake queue until its careers service confirms what they are doing, and neither LA counts
    them as unknown meanwhile (R5)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="la_moves")
    from_la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    to_la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField()
    source = models.CharField(max_length=20, choices=TracingSource.choices, blank=True)
    notes = models.TextField(blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reported_by_label = models.CharField(max_length=150)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-moved_on", "-pk"]
        indexes = [models.Index(fields=["to_la", "accepted_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} moved {self.from_la_id} to {self.to_la_id} on {self.moved_on}"

    @property
    def in_intake(self) -> bool:
        return self.accepted_at is None


class OfferKind(models.TextChoices):
    DAY_RELEASE = "day_release", _("College day release")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    TRAINEESHIP = "traineeship", _("Traineeship")
    EMPLOYER_TRAINING = "employer_training", _("Training with the employer")
    COURSE = "course", _("Course")


class OfferStatus(models.TextChoices):
    ARRANGED = "arranged", _("Arranged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMMENCED = "commenced", _("Started")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TrainingOffer(models.Model):
    """An offer of training the careers service arranges for a young person in a job without training (R77).
    When it starts, the timeline records employment with training at its level, which clears the JWT flag."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="training_offers")
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    provider = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.ARRANGED)
    notes = models.TextField(blank=True)
    arranged_at = models.DateTimeField()
    arranged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    activity = models.ForeignKey("track.Activity", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", help_text="The activity recorded when it started.")

    class Meta:
        ordering = ["-arranged_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id} ({self.status})"

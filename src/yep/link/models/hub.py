"""Sources, datasets and source records, links into the person spine, clerical review, and cluster changes.

The person spine is the register itself: each young person in YEP is one cluster, and a source record belongs to
at most one person (``SourceRecord.person``). How the link was made is kept beside it (method, probability), so
every link can be explained and undone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """The external datasets of seed 000 §2 (and a careers service CRM export, and another LA's tracking)."""

    SCHOOL_CENSUS = "school_census", _("School census (PLASC) and pupil data")
    EXAMINATIONS = "examinations", _("Welsh Examinations Database (WED)")
    FE_LEARNERS = "fe_learners", _("Lifelong Learning Wales Record (FE learners)")
    HIGHER_EDUCATION = "higher_education", _("HESA and UCAS")
    DWP = "dwp", _("DWP Universal Credit")
    CAREERS_CRM = "careers_crm", _("Careers service CRM export")
    LA_TRACKING = "la_tracking", _("Another local authority's tracking data")


class MatchMode(models.TextChoices):
    """What a source may do to the register (seed 000 §4.1, §8 item 4)."""

    CREATE = "create", _("Links, and creates a person when nobody matches")
    ACTIVE_CUSTOMERS = "active_customers", _("Links to active careers customers only")
    LINK_ONLY = "link_only", _("Links to anyone on the register, never creates")


class Source(models.Model):
    """A registered external dataset: who controls it, under which agreement, how its columns map to the person
    layout, what it may do to the register, and the linkage model trained for it with its thresholds."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    controller = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("data controller"))
    agreement = models.ForeignKey("access.SharingAgreement", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("sharing agreement"))
    mode = models.CharField(_("what it may do"), max_length=20, choices=MatchMode.choices,
                            default=MatchMode.LINK_ONLY)
    # {person-layout column or payload field: the file's column}; see link.mapping for the fields.
    column_mapping = models.JSONField(default=dict)
    # Links at or above auto_threshold are applied; from review_threshold up to it they wait for a person.
    auto_threshold = models.FloatField(_("apply links from"), default=0.9)
    review_threshold = models.FloatField(_("review links from"), default=0.1)
    model = models.JSONField(null=True, blank=True, help_text="The trained Splink model (JSON).")
    model_trained_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DatasetStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    LINKING = "linking", _("Linking")
    LINKED = "linked", _("Linked")
    FAILED = "failed", _("Linking failed")


class Dataset(models.Model):
    """One file received from a source: validated and stored whole, or not at all."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="datasets")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=DatasetStatus.choices, default=DatasetStatus.RECEIVED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, while linking
    progress_note = models.CharField(max_length=200, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)  # when the progress last moved
    # Counts by outcome once linked: {"deterministic": n, "probabilistic": n, "review": n, ...}.
    summary = models.JSONField(default=dict)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source.code}: {self.filename}"


class RecordStatus(models.TextChoices):
    WAITING = "waiting", _("Not linked yet")
    LINKED = "linked", _("Linked")
    REVIEW = "review", _("Waiting for review")
    CREATED = "created", _("Created a person")
    NO_MATCH = "no_match", _("Nobody matches")


class LinkMethod(models.TextChoices):
    IDENTIFIER = "identifier", _("Same identifier (UPN, ULN or NI number)")
    PROBABILISTIC = "probabilistic", _("Probabilistic match")
    CLERICAL = "clerical", _("Clerical review")
    CREATED = "created", _("New person from this record")
    MERGE = "merge", _("Moved by a merge")


class SourceRecord(models.Model):
    """One row of a dataset in the person layout, with the rest of its mapped fields in ``payload``, and its link
    into the spine. The NI number is kept only as a keyed digest (for exact matching) and encrypted."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="records")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    record_key = models.CharField(max_length=100)  # the source's own id for the row
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    dob = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    address = models.CharField(max_length=300, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    uln = models.CharField(max_length=10, blank=True)
    ni_number_encrypted = models.TextField(blank=True)
    ni_number_digest = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="source_records")
    status = models.CharField(max_length=10, choices=RecordStatus.choices, default=RecordStatus.WAITING)
    method = models.CharField(max_length=15, choices=LinkMethod.choices, blank=True)
    match_probability = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "pk"]
        constraints = [models.UniqueConstraint(fields=["dataset", "record_key"], name="link_record_once")]
        indexes = [models.Index(fields=["source", "record_key"]), models.Index(fields=["dataset", "status"])]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.record_key}"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ACCEPTED = "accepted", _("Same person")
    REJECTED = "rejected", _("Not the same person")


class Candidate(models.Model):
    """A possible link in the uncertain band, waiting for a person to decide: the record, the person it may be, the
    model's probability and match weight, and the weight each comparison added (the explanation)."""

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    # [{"comparison": "surname", "level": "Jaro-Winkler >= 0.92", "weight": 3.4}, ...]
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-match_probability", "pk"]
        constraints = [models.UniqueConstraint(fields=["record", "person"], name="link_candidate_once")]
        indexes = [models.Index(fields=["status", "match_probability"])]

    def __str__(self) -> str:
        return f"{self.record_id} ~ {self.person_id} ({self.match_probability:.3f})"


class ClericalDecision(models.Model):
    """A person's decision that a source's record is (or is not) a young person; reused on every later run, so
    nobody decides the same pair twice."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="decisions")
    record_key = models.CharField(max_length=100)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    same_person = models.BooleanField()
    reason = models.CharField(max_length=500, blank=True)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "record_key", "person"],
                                               name="link_decision_once")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.record_key} {'=' if self.same_person else '≠'} {self.person_id}"


class ClusterChangeKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")


class ClusterChange(models.Model):
    """Two people found to be one (a merge), or a merge undone (a split). ``moved`` lists every row the merge
    pointed from ``merged`` to ``kept`` ([model label, primary key, field]), so the split can point exactly those
    back."""

    kind = models.CharField(max_length=5, choices=ClusterChangeKind.choices)
    kept = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=list)
    reason = models.CharField(max_length=500)
    made_by = models.CharField(max_length=150)
    made_at = models.DateTimeField(auto_now_add=True)
    # The merge a split undoes; a merge is undone at most once.
    undoes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="undone_by")

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.merged_id} -> {self.kept_id}"

"""Reads of the data hub, scoped to the user: sources, datasets, the review queue, a person's linked records and
cluster changes. Deny by default: someone without the hub's permissions sees nothing, and a candidate or a linked
record is shown only where the user may see the young person (``access.policy``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yep.access.policy import decide, people_visible_to
from yep.people import crypto

from .models import Candidate, CandidateStatus, ClusterChange, Dataset, Source, SourceRecord

# The model's comparisons, in the reader's words.
COMPARISONS = {"forename": _("Forename"), "surname": _("Surname"), "dob": _("Date of birth"),
               "postcode": _("Postcode and address"), "sex": _("Sex"), "upn": _("UPN"), "uln": _("ULN"),
               "ni_number": _("NI number")}


# The levels the comparisons can reach (comparisons.py, and Splink's own words for its standard levels), in the
# reader's words. A level not listed here is shown as the model names it.
_LEVELS = {
    "Exact match": _("Exactly the same"), "is NULL": _("Missing on one side"), "Null": _("Missing on one side"),
    ">= 0.92": _("Very similar spelling"), ">= 0.8": _("Similar spelling"),
    "All other comparisons": _("Different"), "Day and month transposed": _("Day and month swapped"),
    "Forename and surname swapped": _("Forename and surname swapped"),
    "Surname and forename swapped": _("Forename and surname swapped"),
    "One character different": _("One character different"), "One of the other's forenames": _(
        "One of the other's forenames"), "One part of a hyphenated surname": _("One part of a hyphenated surname"),
    "Same address, postcode differs or missing": _("Same address, postcode differs or missing"),
    "Same name in Welsh or English": _("Same name in Welsh or English"),
    "Same postcode and address": _("Same postcode and address"), "Same postcode area": _("Same postcode area"),
    "Same postcode district": _("Same postcode district"), "Same postcode sector": _("Same postcode sector"),
    "Same postcode": _("Same postcode"), "Within a month": _("Within a month"),
    "Year off by one": _("Year off by one"),
}


def level_label(label: str) -> Any:
    """A comparison level in the reader's words (exact labels first, then Splink's patterns)."""
    if label in _LEVELS:
        return _LEVELS[label]
    for pattern in ("Exact match", "is NULL", ">= 0.92", ">= 0.8"):
        if pattern in label:
            return _LEVELS[pattern]
    return label


def _hub_user(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and (user.has_perm("link.link_datasets")
                                               or user.has_perm("link.manage_sources"))


def sources_for(user: Any) -> QuerySet[Source]:
    if not _hub_user(user):
        return Source.objects.none()
    return Source.objects.select_related("controller", "agreement")


def datasets_for(user: Any, source: Source | None = None) -> QuerySet[Dataset]:
    if not _hub_user(user):
        return Dataset.objects.none()
    datasets = Dataset.objects.select_related("source")
    return datasets.filter(source=source) if source is not None else datasets


def dataset_for(user: Any, pk: int) -> Dataset | None:
    return datasets_for(user).filter(pk=pk).first()


def review_queue(user: Any) -> QuerySet[Candidate]:
    """Pending candidates whose young person the user may see, most probable first."""
    if not (getattr(user, "pk", None) and user.has_perm("link.review_links")):
        return Candidate.objects.none()
    return (Candidate.objects.filter(status=CandidateStatus.PENDING, person__in=people_visible_to(user))
            .select_related("record__source", "record__dataset", "person"))


def candidate_for(user: Any, pk: int) -> Candidate | None:
    candidate = (Candidate.objects.filter(pk=pk).select_related("record__source", "record__dataset", "person")
                 .first())
    if candidate is None or not (getattr(user, "pk", None) and user.has_perm("link.review_links")):
        return None
    return candidate if decide(user, candidate.person_id) is not None else None


def linked_records(user: Any, person_id: int) -> list[SourceRecord]:
    """The source records linked to a young person the user may see (empty otherwise)."""
    if not _hub_user(user) or decide(user, person_id) is None:
        return []
    return list(SourceRecord.objects.filter(person_id=person_id).select_related("source", "dataset")
                .order_by("-dataset__received_at", "pk"))


def cluster_changes_for(user: Any) -> QuerySet[ClusterChange]:
    """Merges and splits of young people the user may see (both of them)."""
    if not (getattr(user, "pk", None) and user.has_perm("link.merge_people")):
        return ClusterChange.objects.none()
    visible = people_visible_to(user)
    return ClusterChange.objects.filter(kept__in=visible, merged__in=visible).select_related("kept", "merged")


def side_by_side(candidate: Candidate) -> list[tuple[Any, str, str, bool | None]]:
    """(label, the source's value, the register's value, whether they agree) for each field either side holds."""
    record, person = candidate.record, candidate.person
    ni = crypto.decrypt(record.ni_number_encrypted)
    rows = [
        (_("Forename"), record.first_name, person.legal_forenames),
        (_("Surname"), record.last_name, person.legal_surname),
        (_("Date of birth"), record.dob.isoformat() if record.dob else "", person.dob.isoformat()),
        (_("Sex"), record.sex, person.sex if person.sex in ("M", "F") else ""),
        (_("Postcode"), record.postcode, person.postcode),
        (_("Address"), record.address, person.address_line1),
        (_("UPN"), record.upn, person.upn or ""),
        (_("ULN"), record.uln, person.uln or ""),
    ]
    # Whether the two agree; None when one side does not hold the field (nothing to compare).
    shown = [(label, str(left or ""), str(right or ""), _same(left, right) if left and right else None)
             for label, left, right in rows if left or right]
    if record.ni_number_digest or person.ni_number_digest:
        # Only the ends of an NI number are ever shown; whether they agree is decided on the whole number.
        shown.append((_("NI number"), f"{ni[:2]} •• •• {ni[6:8]} {ni[8:]}" if ni else "", person.ni_number_masked,
                      record.ni_number_digest == person.ni_number_digest
                      if record.ni_number_digest and person.ni_number_digest else None))
    return shown


def _same(left: Any, right: Any) -> bool:
    return " ".join(str(left or "").casefold().split()) == " ".join(str(right or "").casefold().split())

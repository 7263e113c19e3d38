"""The data hub: a DWP-like file of N records linked into a register of about N young people, through the hub's
services, `yep bench hub --records 100000 [--json]` (default 100,000).

Puts one synthetic extract (FE learners) on the register, then times the hub end to end: receive the other
(DWP: names, dates of birth, postcodes, NI numbers the register does not hold), validated whole and stored, then
link it (the spine read from the database, the model trained and saved, every record scored, links applied,
candidates queued, outcome written in one transaction). Reference, in the same run: the engine alone linking the
same two tables in memory (``link_tables``), so the ratio is what the database and the hub's bookkeeping cost.
Precision is of the links applied automatically, against the truth. Run it on an empty scratch database:
`YEP_DATA_DIR=/tmp/bench-hub .venv/bin/yep migrate && YEP_DATA_DIR=/tmp/bench-hub .venv/bin/yep bench hub`.
"""

import datetime
import secrets
import tempfile
import time
from pathlib import Path

import pandas as pd

from yep.access.audit import CLI
from yep.link import services_hub, testsets
from yep.link.engine import link_tables
from yep.link.models import MatchMode, RecordStatus, SourceKind, SourceRecord
from yep.people import identifiers
from yep.people.models import Organisation, OrganisationKind, Person, PersonName, Role
from yep.people.services import organisations
from yep.people.services.persons import name_rows


def _register(left: pd.DataFrame, la: Organisation) -> tuple[pd.DataFrame, dict[str, int]]:
    """Bulk-load the register side (as `yep demo`'s loader would), returning it and record id -> person pk."""
    today = testsets.AS_OF
    young = left[(pd.to_datetime(left["date_of_birth"]) > pd.Timestamp(today.year - 24, 9, 1))
                 & left["first_name"].notna() & left["last_name"].notna()].reset_index(drop=True)
    people = [Person(legal_forenames=r.first_name, legal_surname=r.last_name,
                     dob=datetime.date.fromisoformat(str(r.date_of_birth)), sex=r.sex or "U", postcode=r.postcode or "",
                     postcode_key=identifiers.postcode_key(r.postcode or ""), address_line1=r.address or "",
                     la_of_residence=la) for r in young.itertuples()]
    Person.objects.bulk_create(people, batch_size=2000)
    PersonName.objects.bulk_create([row for p in people for row in name_rows(p)], batch_size=5000)
    return young, dict(zip(young["record_id"], (p.pk for p in people), strict=True))


def run(size: int | None = None) -> dict[str, object]:
    records = size or 100_000
    left, right, truth = testsets.synthetic_pair(records, seed=11)
    la = Organisation.objects.get(kind=OrganisationKind.LA, code="681")
    registered, ids = _register(left, la)
    adviser = organisations.create_user(f"bench.hub.{time.time_ns()}", secrets.token_urlsafe(24), actor="bench",
                                        context=CLI)
    organisations.add_membership(adviser, la, Role.CAREERS_ADVISER, actor="bench", context=CLI)
    source = services_hub.register_source({"code": f"dwp-{time.time_ns() % 10**9}", "name": "DWP (bench)",
                                           "kind": SourceKind.DWP, "mode": MatchMode.LINK_ONLY},
                                          actor=adviser, context=CLI)
    path = Path(tempfile.mkdtemp(prefix="yep-bench-hub-")) / "dwp.csv"
    right.reindex(columns=[*right.columns, "closure_reason", "activity_start"]).to_csv(path, index=False)

    started = time.perf_counter()
    dataset = services_hub.receive_dataset(source, path, actor=adviser, context=CLI)
    dataset = services_hub.link_dataset(dataset, actor=adviser, context=CLI)
    measured = time.perf_counter() - started

    started = time.perf_counter()
    link_tables(registered, right)
    reference = time.perf_counter() - started

    true = {theirs: ids[ours] for ours, theirs in zip(truth["left_id"], truth["right_id"], strict=True)
            if ours in ids}
    applied = dict(SourceRecord.objects.filter(dataset=dataset, status=RecordStatus.LINKED)
                   .values_list("record_key", "person_id"))
    correct = sum(true.get(key) == person for key, person in applied.items())
    precision = correct / len(applied) if applied else 0.0
    recall = correct / len(true) if true else 0.0
    path.unlink()
    return {
        "what": f"receiving and linking a DWP file of {len(right):,} records into a register of {len(ids):,} "
                f"young people: {dataset.summary}; applied links precision {precision:.4f}, recall "
                f"{recall:.4f}",
        "measured": measured, "reference": reference,
        "reference_what": "the engine alone linking the same two tables in memory",
        "json": {"records": len(right), "register": len(ids), "precision": round(precision, 4),
                 "recall": round(recall, 4), **dataset.summary},
    }

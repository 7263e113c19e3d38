"""The data hub's part of the demo: three registered sources, a month's DWP file about some of the register's
young people (with the slips real files have) linked into the register, and an approved research project."""

from __future__ import annotations

import csv
import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from yep.people.models import Organisation, Person, User

from . import services_hub, services_research
from .models import MatchMode, SourceKind

_SLIPS = ("postcode", "surname", "date", "welsh", "hard", None, None, None)
_CLOSURES = ("Full time education", "In prison", "Failed to Attend", None, None, None, None, None)
_ENGLISH = {"Dafydd": "David", "Siôn": "John", "Gwilym": "William", "Ioan": "John", "Huw": "Hugh",
            "Siân": "Jane", "Mair": "Mary", "Elen": "Helen", "Catrin": "Catherine", "Rhys": "Rees"}


def _row(person: Person, n: int, today: datetime.date) -> dict[str, str]:
    slip = _SLIPS[n % len(_SLIPS)]
    first, last, dob, postcode = person.legal_forenames, person.legal_surname, person.dob, person.postcode
    if slip == "postcode":
        postcode = ""
    elif slip == "surname" and len(last) > 3:
        last = last[:2] + last[3] + last[2] + last[4:]
    elif slip == "date" and dob.day <= 12 and dob.day != dob.month:
        dob = dob.replace(day=dob.month, month=dob.day)
    elif slip == "welsh":
        first = _ENGLISH.get(first.split(" ")[0], first)
    elif slip == "hard":  # a shortened first name, the year of birth wrong and no postcode: someone must look
        first, dob, postcode = first[:3], dob.replace(year=dob.year + 1, day=min(dob.day, 28)), ""
    closure = _CLOSURES[n % len(_CLOSURES)]
    return {"record_id": f"UC-{100000 + n}", "first_name": first, "last_name": last,
            "date_of_birth": dob.isoformat(), "postcode": postcode, "ni_number": "",
            "closure_reason": closure or "",
            "activity_start": (today - datetime.timedelta(days=14)).isoformat() if closure else ""}


def _dwp_file(la: Organisation, today: datetime.date) -> Path:
    """A DWP extract about every third 17-24 year old resident of the LA."""
    born_after = datetime.date(today.year - 25, 9, 1)
    born_before = datetime.date(today.year - 17, 8, 31)
    people = Person.objects.filter(la_of_residence=la, dob__gte=born_after, dob__lte=born_before).order_by("pk")
    rows = [_row(person, n, today) for n, person in enumerate(people[::3][:400])]
    path = Path(tempfile.mkdtemp(prefix="yep-demo-")) / "dwp-uc-monthly.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["record_id"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def load_hub(la: Organisation, context: Any) -> None:
    """Register the sources, link a DWP file, and approve a research project, as the demo's users."""
    adviser, dpo = User.objects.get(username="careers.adviser"), User.objects.get(username="dpo")
    researcher = User.objects.get(username="researcher")
    today = timezone.localdate()
    services_hub.register_source({"code": "plasc", "name": "School pupil data (PLASC upload)",
                                  "kind": SourceKind.SCHOOL_CENSUS, "mode": MatchMode.CREATE,
                                  "controller": la.pk}, actor=adviser, context=context)
    services_hub.register_source({"code": "llwr", "name": "LLWR monthly FE leavers", "kind": SourceKind.FE_LEARNERS,
                                  "mode": MatchMode.ACTIVE_CUSTOMERS}, actor=adviser, context=context)
    dwp = services_hub.register_source({"code": "dwp-uc", "name": "DWP Universal Credit monthly feed",
                                        "kind": SourceKind.DWP, "mode": MatchMode.LINK_ONLY,
                                        "auto_threshold": 0.95, "review_threshold": 0.2},
                                       actor=adviser, context=context)
    path = _dwp_file(la, today)
    dataset = services_hub.receive_dataset(dwp, path, actor=adviser, context=context)
    services_hub.link_dataset(dataset, actor=adviser, context=context)
    path.unlink()
    path.parent.rmdir()
    project = services_research.propose_project(
        code="neet-outcomes", title="What happens after tier 3: outcomes of young people with a lead worker",
        purpose="Compare the destinations of 16-18 year olds who had a lead worker with those who did not.",
        public_benefit="Evidence for where lead workers help most, for the LA's youth engagement plan.",
        lead_researcher="Dr Owain Pugh", fields=["birth_month", "sex", "la_code", "tier", "had_lead_worker"],
        actor=dpo, context=context)
    services_research.approve_project(project, approval_reference="IGRP-2026-014",
                                      ends_on=today + datetime.timedelta(days=365),
                                      without_agreement="Demo: the panel's approval stands in for an agreement.",
                                      actor=dpo, context=context)
    services_research.add_researcher(project, researcher, actor=dpo, context=context)

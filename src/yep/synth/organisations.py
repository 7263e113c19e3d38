"""Organisations: LAs, schools, colleges, providers, services and employers.

School numbers scale with the pupils generated in each LA (about one secondary school per 900
secondary-age pupils and one primary per 200 primary pupils), so every enrolment has somewhere
to be. Establishment numbers follow the usual ranges: PRUs 1xxx, primaries 2xxx-3xxx,
secondaries 4xxx-5xxx, independent 6xxx, special 7xxx. Providers carry 8-digit UKPRNs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from yep.synth.addresses import DistrictTable, postcodes
from yep.synth.reference import LocalAuthority, places, surnames
from yep.synth.text import objects

# Elements of Welsh place names, combined ("Bryn Celyn", "Pen-y Deri") to name schools beyond the real places.
_NAME_START = "Bryn Pen Glan Coed Cwm Maes Nant Pont Tre Llan Pant Rhos Gwaun Caer Bod Waun Dol Cefn Pen-y Hafod"
_NAME_END = (
    "Celyn Derw Gwyn Afon Onnen Deri Glas Hir Mawr Bach Eithin Helyg Fedw Wern Ffynnon Rhedyn Llwyn Tawe Dŵr Môr"
)
_TRADES = (
    "Builders|Motors|Plumbing and Heating|Care Homes|Catering|Hair and Beauty|Engineering|Logistics|Farm Supplies|"
    "Retail|Electrical|Joinery"
).split("|")


@dataclass
class Organisations:
    """The organisation table plus the lookups used to place people in them."""

    rows: list[dict[str, str | None]] = field(default_factory=list)
    la_index: list[int] = field(default_factory=list)  # -1 for a national body
    welsh_medium: list[bool] = field(default_factory=list)
    sixth_form: list[bool] = field(default_factory=list)
    phase: list[str] = field(default_factory=list)  # primary / secondary for mainstream schools

    def add(self, la: int, welsh: bool = False, sixth: bool = False, phase: str = "", **row: str | None) -> int:
        self.rows.append(row)
        self.la_index.append(la)
        self.welsh_medium.append(welsh)
        self.sixth_form.append(sixth)
        self.phase.append(phase)
        return len(self.rows) - 1

    def ids(self) -> np.ndarray:
        return np.array([r["org_id"] for r in self.rows], dtype=object)

    def columns(self) -> dict[str, list[str | None]]:
        names = ["org_id", "kind", "subtype", "name", "name_cy", "la_code", "code", "postcode"]
        return {c: [r.get(c) for r in self.rows] for c in names}


class _PlaceNames:
    """Distinct place names for schools in one LA: real places first, then coined Welsh ones."""

    def __init__(self, rng: np.random.Generator, la: LocalAuthority):
        coined = [(f"{a} {b}", f"{a} {b}") for a in _NAME_START.split() for b in _NAME_END.split()]
        order = rng.permutation(len(coined))
        self.names = list(places().get(la.code, [])) + [coined[i] for i in order]
        self.used: dict[str, int] = {}

    def take(self, phase: str) -> tuple[str, str]:
        k = self.used.get(phase, 0)
        self.used[phase] = k + 1
        base_en, base_cy = self.names[k % len(self.names)]
        if k >= len(self.names):  # only for very large single-LA runs
            base_en, base_cy = f"{base_en} {k // len(self.names) + 1}", f"{base_cy} {k // len(self.names) + 1}"
        return base_en, base_cy


def _org(
    orgs: Organisations,
    li: int,
    org_id: str,
    kind: str,
    names: tuple[str, str | None],
    la_code: str | None,
    code: str | None,
    postcode: str,
    *,
    subtype: str | None = None,
    welsh: bool = False,
    sixth: bool = False,
    phase: str = "",
) -> int:
    """Add one organisation; subtype, medium, sixth form and phase apply to schools."""
    return orgs.add(
        li,
        welsh,
        sixth,
        phase,
        org_id=org_id,
        kind=kind,
        subtype=subtype,
        name=names[0],
        name_cy=names[1],
        la_code=la_code,
        code=code,
        postcode=postcode,
    )


class _LaBuilder:
    """Adds one LA's organisations, drawing names and postcodes as it goes."""

    def __init__(self, orgs: Organisations, rng: np.random.Generator, li: int, la: LocalAuthority, post: list[str]):
        self.orgs, self.rng, self.li, self.la, self.post = orgs, rng, li, la, post
        self.place = _PlaceNames(rng, la)
        self.welsh_share = min(0.95, 0.08 + 1.1 * la.welsh_share)

    def school(self, number: int, names: tuple[str, str | None], kind: str = "school", **school: Any) -> None:
        """A school (or sixth-form centre); ``school`` holds subtype, welsh, sixth and phase."""
        code = f"{self.la.code}{number:04d}"
        _org(self.orgs, self.li, f"SCH-{code}", kind, names, self.la.code, code, self.post.pop(), **school)

    def mainstream(self, phase: str, count: int, first_number: int) -> None:
        for i in range(count):
            en, cy = self.place.take(phase)
            welsh = self.rng.random() < self.welsh_share
            if phase == "primary":
                names = (f"Ysgol Gymraeg {cy}",) * 2 if welsh else (f"{en} Primary School", f"Ysgol Gynradd {cy}")
            else:
                names = (f"Ysgol Gyfun {cy}",) * 2 if welsh else (f"{en} High School", f"Ysgol Uwchradd {cy}")
            sixth = phase == "secondary" and (i == 0 or self.rng.random() < 0.6)
            self.school(first_number + i, names, subtype="maintained", welsh=welsh, sixth=sixth, phase=phase)

    def specialist(self, n_secondary: int, pupils: int) -> None:
        la = self.la
        if n_secondary >= 4:
            en, cy = self.place.take("secondary")
            names = (f"{en} Sixth Form Centre", f"Canolfan Chweched Dosbarth {cy}")
            self.school(4000 + n_secondary, names, kind="sixth_form", sixth=True)
        if pupils >= 300:
            self.school(7001, (f"{la.name_en} Special School", f"Ysgol Arbennig {la.name_cy}"), subtype="special")
            names = (f"{la.name_en} Pupil Referral Unit", f"Uned Cyfeirio Disgyblion {la.name_cy}")
            self.school(1101, names, subtype="pru")
        if n_secondary >= 3:
            en, _ = self.place.take("independent")
            self.school(6001, (f"{en} College School", None), subtype="independent")

    def service(self, org_id: str, kind: str, names: tuple[str, str | None], code: str | None = None) -> None:
        _org(self.orgs, self.li, org_id, kind, names, self.la.code, code, self.post.pop())

    def services(self, ukprn: list[int]) -> None:
        la, c = self.la, self.la.code
        for _ in range(1 + int(self.rng.random() < 0.5)):
            en, cy = self.place.take("wbl")
            prn = str(ukprn.pop())
            self.service(f"WBL-{prn}", "wbl_provider", (f"{en} Training", f"Hyfforddiant {cy}"), prn)
        self.service(f"YS-{c}", "youth_service", (f"{la.name_en} Youth Service", f"Gwasanaeth Ieuenctid {la.name_cy}"))
        self.service(f"FF-{c}", "families_first", (f"{la.name_en} Families First", f"Teuluoedd yn Gyntaf {la.name_cy}"))
        for i in range(1 + int(self.rng.random() < 0.6)):
            en, cy = self.place.take("third")
            self.service(f"TS-{c}-{i + 1}", "third_sector", (f"{en} Youth Project", f"Prosiect Ieuenctid {cy}"))

    def employers(self, post16: int) -> None:
        common = surnames().values[:40]
        for i in range(min(60, 3 + post16 // 2000)):
            name = f"{common[self.rng.integers(0, len(common))]} {_TRADES[self.rng.integers(0, len(_TRADES))]} Ltd"
            self.service(f"EMP-{self.la.code}-{i + 1:03d}", "employer", (name, None))


def _add_la(
    orgs: Organisations,
    rng: np.random.Generator,
    li: int,
    la: LocalAuthority,
    pupils: np.ndarray,
    post: list[str],
    ukprn: list[int],
) -> None:
    """An LA's council, schools, providers, services and employers; ``pupils``: primary, secondary, post-16."""
    build = _LaBuilder(orgs, rng, li, la, post)
    build.service(f"LA-{la.code}", "la", (f"{la.name_en} Council", f"Cyngor {la.name_cy}"), la.code)
    build.mainstream("primary", min(2000, max(1, round(int(pupils[0]) / 200))), 2000)
    n_secondary = min(1900, max(1, round(int(pupils[1]) / 900)))
    build.mainstream("secondary", n_secondary, 4000)
    build.specialist(n_secondary, int(pupils[0] + pupils[1]))
    build.services(ukprn)
    build.employers(int(pupils[2]))


def _add_colleges(orgs: Organisations, las: list[LocalAuthority], post: list[list[str]], ukprn: list[int]) -> None:
    """One FE college for each pair of LAs, named after both."""
    for j in range(0, len(las), 2):
        pair = las[j : j + 2]
        prn = str(ukprn.pop())
        names = (" and ".join(a.name_en for a in pair) + " College", "Coleg " + " a ".join(a.name_cy for a in pair))
        _org(orgs, j, f"FE-{prn}", "fe_college", names, pair[0].code, prn, post[j].pop())


def build_organisations(
    rng: np.random.Generator, las: list[LocalAuthority], districts: DistrictTable, pupils: np.ndarray
) -> Organisations:
    """All organisations of the run; ``pupils`` is (LAs x 3): primary, secondary, post-16 counts."""
    orgs = Organisations()
    post = [_postcode_pool(rng, districts, li, pupils[li]) for li in range(len(las))]
    ukprn = [int(x) for x in 10_000_000 + rng.choice(9_000_000, size=4 * len(las) + 8, replace=False)]
    for li, la in enumerate(las):
        _add_la(orgs, rng, li, la, pupils[li], post[li], ukprn)
    _add_colleges(orgs, las, post, ukprn)
    _org(orgs, -1, "CS-WALES", "careers_service", ("Careers Wales", "Gyrfa Cymru"), None, None, post[0].pop())
    _org(orgs, -1, "DWP-JCP", "dwp", ("Jobcentre Plus", "Canolfan Byd Gwaith"), None, None, post[0].pop())
    return orgs


def _postcode_pool(rng: np.random.Generator, districts: DistrictTable, li: int, pupils: np.ndarray) -> list[str]:
    """Enough postcodes in LA ``li`` for all its organisations, drawn up front."""
    needed = 80 + int(pupils[0]) // 150 + int(pupils[1]) // 600 + int(pupils[2]) // 1500
    codes, _ = postcodes(rng, districts, np.full(needed, li))
    return list(objects(codes))[::-1]

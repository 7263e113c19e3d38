"""Organisations: LAs, schools, colleges, providers, services and employers.

School numbers scale with the pupils generated in each LA (about one secondary school per 900
secondary-age pupils and one primary per 200 primary pupils), so every enrolment has somewhere
to be. Establishment numbers follow the usual ranges: PRUs 1xxx, primaries 2xxx-3xxx,
secondaries 4xxx-5xxx, independent 6xxx, special 7xxx. Providers carry 8-digit UKPRNs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _school(
    orgs: Organisations,
    li: int,
    la: LocalAuthority,
    number: int,
    kind: str,
    subtype: str | None,
    names: tuple[str, str | None],
    postcode: str,
    welsh: bool = False,
    sixth: bool = False,
    phase: str = "",
) -> int:
    code = f"{la.code}{number:04d}"
    return orgs.add(
        li,
        welsh,
        sixth,
        phase,
        org_id=f"SCH-{code}",
        kind=kind,
        subtype=subtype,
        name=names[0],
        name_cy=names[1],
        la_code=la.code,
        code=code,
        postcode=postcode,
    )


def _add_schools(
    orgs: Organisations, rng: np.random.Generator, li: int, la: LocalAuthority, pupils: tuple[int, int], post: list[str]
) -> None:
    primary_pupils, secondary_pupils = pupils
    place = _PlaceNames(rng, la)
    welsh_share = min(0.95, 0.08 + 1.1 * la.welsh_share)
    for i in range(min(2000, max(1, round(primary_pupils / 200)))):
        en, cy = place.take("primary")
        welsh = rng.random() < welsh_share
        name = (
            (f"Ysgol Gymraeg {cy}", f"Ysgol Gymraeg {cy}") if welsh else (f"{en} Primary School", f"Ysgol Gynradd {cy}")
        )
        _school(orgs, li, la, 2000 + i, "school", "maintained", name, post.pop(), welsh, phase="primary")
    n_secondary = min(1900, max(1, round(secondary_pupils / 900)))
    for i in range(n_secondary):
        en, cy = place.take("secondary")
        welsh = rng.random() < welsh_share
        name = (f"Ysgol Gyfun {cy}", f"Ysgol Gyfun {cy}") if welsh else (f"{en} High School", f"Ysgol Uwchradd {cy}")
        sixth = i == 0 or rng.random() < 0.6
        _school(orgs, li, la, 4000 + i, "school", "maintained", name, post.pop(), welsh, sixth, "secondary")
    if n_secondary >= 4:
        en, cy = place.take("secondary")
        _school(
            orgs,
            li,
            la,
            4000 + n_secondary,
            "sixth_form",
            None,
            (f"{en} Sixth Form Centre", f"Canolfan Chweched Dosbarth {cy}"),
            post.pop(),
            sixth=True,
        )
    if primary_pupils + secondary_pupils >= 300:
        _school(
            orgs,
            li,
            la,
            7001,
            "school",
            "special",
            (f"{la.name_en} Special School", f"Ysgol Arbennig {la.name_cy}"),
            post.pop(),
        )
        _school(
            orgs,
            li,
            la,
            1101,
            "school",
            "pru",
            (f"{la.name_en} Pupil Referral Unit", f"Uned Cyfeirio Disgyblion {la.name_cy}"),
            post.pop(),
        )
    if n_secondary >= 3:
        en, _ = place.take("independent")
        _school(orgs, li, la, 6001, "school", "independent", (f"{en} College School", None), post.pop())


def _add_services(
    orgs: Organisations,
    rng: np.random.Generator,
    li: int,
    la: LocalAuthority,
    post16: int,
    post: list[str],
    ukprn: list[int],
) -> None:
    c = la.code
    place = _PlaceNames(rng, la)
    for _ in range(1 + int(rng.random() < 0.5)):
        en, cy = place.take("wbl")
        prn = str(ukprn.pop())
        orgs.add(
            li,
            org_id=f"WBL-{prn}",
            kind="wbl_provider",
            subtype=None,
            name=f"{en} Training",
            name_cy=f"Hyfforddiant {cy}",
            la_code=c,
            code=prn,
            postcode=post.pop(),
        )
    orgs.add(
        li,
        org_id=f"YS-{c}",
        kind="youth_service",
        subtype=None,
        name=f"{la.name_en} Youth Service",
        name_cy=f"Gwasanaeth Ieuenctid {la.name_cy}",
        la_code=c,
        code=None,
        postcode=post.pop(),
    )
    orgs.add(
        li,
        org_id=f"FF-{c}",
        kind="families_first",
        subtype=None,
        name=f"{la.name_en} Families First",
        name_cy=f"Teuluoedd yn Gyntaf {la.name_cy}",
        la_code=c,
        code=None,
        postcode=post.pop(),
    )
    for i in range(1 + int(rng.random() < 0.6)):
        en, cy = place.take("third")
        orgs.add(
            li,
            org_id=f"TS-{c}-{i + 1}",
            kind="third_sector",
            subtype=None,
            name=f"{en} Youth Project",
            name_cy=f"Prosiect Ieuenctid {cy}",
            la_code=c,
            code=None,
            postcode=post.pop(),
        )
    common = surnames().values[:40]
    for i in range(min(60, 3 + post16 // 2000)):
        name = f"{common[rng.integers(0, len(common))]} {_TRADES[rng.integers(0, len(_TRADES))]} Ltd"
        orgs.add(
            li,
            org_id=f"EMP-{c}-{i + 1:03d}",
            kind="employer",
            subtype=None,
            name=name,
            name_cy=None,
            la_code=c,
            code=None,
            postcode=post.pop(),
        )


def _add_colleges(orgs: Organisations, las: list[LocalAuthority], post: list[list[str]], ukprn: list[int]) -> None:
    for j in range(0, len(las), 2):
        pair = las[j : j + 2]
        prn = str(ukprn.pop())
        en = " and ".join(a.name_en for a in pair)
        cy = " a ".join(a.name_cy for a in pair)
        orgs.add(
            j,
            org_id=f"FE-{prn}",
            kind="fe_college",
            subtype=None,
            name=f"{en} College",
            name_cy=f"Coleg {cy}",
            la_code=pair[0].code,
            code=prn,
            postcode=post[j].pop(),
        )


def build_organisations(
    rng: np.random.Generator, las: list[LocalAuthority], districts: DistrictTable, pupils: np.ndarray
) -> Organisations:
    """All organisations of the run; ``pupils`` is (LAs x 3): primary, secondary, post-16 counts."""
    orgs = Organisations()
    post = [_postcode_pool(rng, districts, li, pupils[li]) for li in range(len(las))]
    ukprn = [int(x) for x in 10_000_000 + rng.choice(9_000_000, size=4 * len(las) + 8, replace=False)]
    for li, la in enumerate(las):
        orgs.add(
            li,
            org_id=f"LA-{la.code}",
            kind="la",
            subtype=None,
            name=f"{la.name_en} Council",
            name_cy=f"Cyngor {la.name_cy}",
            la_code=la.code,
            code=la.code,
            postcode=post[li].pop(),
        )
        _add_schools(orgs, rng, li, la, (int(pupils[li, 0]), int(pupils[li, 1])), post[li])
        _add_services(orgs, rng, li, la, int(pupils[li, 2]), post[li], ukprn)
    _add_colleges(orgs, las, post, ukprn)
    orgs.add(
        -1,
        org_id="CS-WALES",
        kind="careers_service",
        subtype=None,
        name="Careers Wales",
        name_cy="Gyrfa Cymru",
        la_code=None,
        code=None,
        postcode=post[0].pop(),
    )
    orgs.add(
        -1,
        org_id="DWP-JCP",
        kind="dwp",
        subtype=None,
        name="Jobcentre Plus",
        name_cy="Canolfan Byd Gwaith",
        la_code=None,
        code=None,
        postcode=post[0].pop(),
    )
    return orgs


def _postcode_pool(rng: np.random.Generator, districts: DistrictTable, li: int, pupils: np.ndarray) -> list[str]:
    """Enough postcodes in LA ``li`` for all its organisations, drawn up front."""
    needed = 80 + int(pupils[0]) // 150 + int(pupils[1]) // 600 + int(pupils[2]) // 1500
    codes, _ = postcodes(rng, districts, np.full(needed, li))
    return list(objects(codes))[::-1]

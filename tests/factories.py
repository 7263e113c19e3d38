"""Small factories that build test data through the services, so every record is made as a user would make it."""

import datetime
import itertools
from typing import Any

from yep.access.audit import AuditContext
from yep.people import services
from yep.people.identifiers import uln_check_digit, upn_check_letter
from yep.people.models import Organisation, OrganisationKind, Person, User

TEST = AuditContext(purpose="test", channel="cli")
PASSWORD = "correct-horse-battery-staple"
_serial = itertools.count(1)


def la(code: str = "681") -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.LA, code=code)


def make_organisation(kind: str, la_code: str = "681", name: str = "", **extra: Any) -> Organisation:
    n = next(_serial)
    return services.create_organisation(ref=f"{kind.upper()}-{n}", kind=kind, name=name or f"{kind} {n}",
                                        la=la(la_code), actor="test", context=TEST, **extra)


def make_user(role: str, organisation: Organisation, username: str = "", **extra: Any) -> User:
    user = services.create_user(username or f"{role}{next(_serial)}", PASSWORD, actor="test", context=TEST, **extra)
    services.add_membership(user, organisation, role, start=datetime.date(2020, 1, 1), actor="test", context=TEST)
    return user


def valid_upn(la_code: str = "681", serial: int | None = None) -> str:
    body = f"{la_code}{2000 + (serial or next(_serial)) % 7000:04d}19{(serial or next(_serial)) % 1000:03d}"
    return upn_check_letter(body) + body


def valid_uln() -> str:
    while True:
        first9 = f"{1000000000 + next(_serial) * 7919:010d}"[:9]
        check = uln_check_digit(first9)
        if check is not None:
            return first9 + check


def make_person(la_code: str = "681", **fields: Any) -> Person:
    data = {"legal_forenames": "Siân", "legal_surname": "Jones", "dob": "2009-03-27", "sex": "F",
            "postcode": "CF24 3AB", "la_code": la_code, **fields}
    return services.create_person(data, actor="test", context=TEST)


def enrol(person: Person, organisation: Organisation, year_group: int | None = 11,
          start: datetime.date = datetime.date(2020, 9, 1)) -> None:
    services.enrol(person, organisation, start=start, year_group=year_group, actor="test", context=TEST)


# Brokerage helpers (broker app).


def make_lead_worker(la_code: str, host_type: str, *, capacity: int = 15, speaks_welsh: bool = False,
                     username: str = "", host: Organisation | None = None) -> Any:
    """A member of staff with a lead worker role, registered with the LA's brokerage."""
    from yep.broker.services import register_lead_worker
    from yep.people.models import Role

    organisation = host or make_organisation(_HOST_KINDS.get(host_type, OrganisationKind.THIRD_SECTOR), la_code)
    user = make_user(Role.LEAD_WORKER, organisation, username)
    user.email = f"{user.get_username()}@example.org"  # so the lead worker can be written to
    user.save(update_fields=["email"])
    return register_lead_worker(user, la=la(la_code), host_organisation=organisation, host_type=host_type,
                                capacity=capacity, speaks_welsh=speaks_welsh, actor="test", context=TEST)


_HOST_KINDS = {"youth_service": OrganisationKind.YOUTH_SERVICE, "careers_wales": OrganisationKind.CAREERS_SERVICE,
               "learning_coach": OrganisationKind.SCHOOL, "families_first": OrganisationKind.FAMILIES_FIRST,
               "provider_pastoral": OrganisationKind.FE_COLLEGE, "specialist": OrganisationKind.THIRD_SECTOR}


def make_referral(person: Person, *, source: str = "school_business_case", needs: tuple[str, ...] = ("attendance",),
                  **facts: Any) -> Any:
    """A referral made by a command, with consent confirmed; ``facts`` sets stage, risk_band, tier and so on."""
    from yep.broker.services import make_referral as refer

    facts.setdefault("consent_confirmed", True)
    return refer(person, source=source, needs=list(needs), actor="test", context=TEST, **facts)


def fill_caseload(worker: Any, n: int, la_code: str = "681") -> None:
    """Give a lead worker ``n`` active allocations (young people referred pre-16 at high risk, no FF)."""
    from yep.broker.services import allocate

    epc = User.objects.filter(memberships__role="epc", memberships__organisation=la(la_code)).first()
    for _i in range(n):
        young = make_person(la_code, legal_forenames="Caseload", legal_surname=f"Filler {next(_serial)}")
        referral = make_referral(young, stage="pre16", risk_band="high", families_first=False)
        allocate(referral, worker, override_reason="" if worker.host_type == "youth_service" else "filling",
                 actor=epc, context=TEST)

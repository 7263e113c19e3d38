"""Building the demo: a synthetic region loaded into the register and one user for every role."""

import datetime
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from yep.access import audit
from yep.people import services
from yep.people.models import Organisation, OrganisationKind, Role, SchoolType

DEMO_CONTEXT = audit.AuditContext(purpose="demo", channel="cli")


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    organisation_kind: str
    first_name: str
    last_name: str


# One user per role, each in the kind of organisation that role works in.
DEMO_USERS = [
    DemoUser("epc", Role.EPC, OrganisationKind.LA, "Eleri", "Prys"),
    DemoUser("lead.worker", Role.LEAD_WORKER, OrganisationKind.YOUTH_SERVICE, "Gethin", "Rowlands"),
    DemoUser("careers.adviser", Role.CAREERS_ADVISER, OrganisationKind.CAREERS_SERVICE, "Carys", "Bowen"),
    DemoUser("school.staff", Role.SCHOOL_STAFF, OrganisationKind.SCHOOL, "Huw", "Pritchard"),
    DemoUser("provider.staff", Role.PROVIDER_STAFF, OrganisationKind.FE_COLLEGE, "Nia", "Vaughan"),
    DemoUser("analyst", Role.GOVERNMENT_ANALYST, OrganisationKind.GOVERNMENT, "Rhodri", "Llewellyn"),
    DemoUser("dpo", Role.DPO, OrganisationKind.LA, "Sioned", "Parry"),
    DemoUser("researcher", Role.RESEARCHER, OrganisationKind.GOVERNMENT, "Owain", "Pugh"),
    DemoUser("admin", Role.ADMINISTRATOR, OrganisationKind.LA, "Alun", "Griffiths"),
]


def _organisation_for(kind: str, la: Organisation) -> Organisation:
    if kind == OrganisationKind.LA:
        return la
    if kind == OrganisationKind.GOVERNMENT:
        existing = Organisation.objects.filter(kind=kind).first()
        return existing or services.create_organisation(
            ref="WG", kind=kind, name="Welsh Government", name_cy="Llywodraeth Cymru", actor="demo",
            context=DEMO_CONTEXT)
    local = Organisation.objects.filter(kind=kind, la=la)
    if kind == OrganisationKind.SCHOOL:
        # The maintained secondary school with the most current pupils, so the school user has pupils to see.
        local = (local.filter(school_type=SchoolType.MAINTAINED)
                 .annotate(pupils=Count("enrolments", filter=Q(enrolments__end__isnull=True,
                                                                enrolments__year_group__gte=7)))
                 .filter(pupils__gt=0).order_by("-pupils"))
    found = local.order_by("ref").first() if kind != OrganisationKind.SCHOOL else local.first()
    found = found or Organisation.objects.filter(kind=kind).order_by("ref").first()
    if found is None:
        raise RuntimeError(f"The synthetic region has no {kind}")
    return found


@transaction.atomic
def create_demo_users(la: Organisation) -> list[dict[str, Any]]:
    """Create one user per role; returns their credentials (username, password, role, organisation)."""
    created = []
    for spec in DEMO_USERS:
        organisation = _organisation_for(spec.organisation_kind, la)
        password = secrets.token_urlsafe(12)
        user = services.create_user(spec.username, password, first_name=spec.first_name, last_name=spec.last_name,
                                    actor="demo", context=DEMO_CONTEXT)
        services.add_membership(user, organisation, spec.role, start=datetime.date(2020, 9, 1), actor="demo",
                                context=DEMO_CONTEXT)
        created.append({"username": spec.username, "password": password, "role": spec.role,
                         "organisation": organisation.name})
    return created


def write_credentials(users: list[dict[str, Any]]) -> Path:
    path = Path(settings.DATA_DIR) / "demo-users.json"
    path.write_text(json.dumps(users, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return path

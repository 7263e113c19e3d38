"""Named permissions, each a ``rules`` predicate over the user's active roles. Views and API routes name
these with ``@requires``; no view tests a role itself."""

from typing import Any

import rules
from django.utils import timezone

from yep.people.models import Role


def active_roles(user: Any) -> frozenset[str]:
    """The roles the user holds today, read once per user object (a request's user) and day: every page checks
    several permissions for its navigation, and each would otherwise be a query."""
    today = timezone.localdate()
    cached = getattr(user, "_yep_active_roles", None)
    if cached is None or cached[0] != today:
        cached = (today, frozenset(user.active_memberships().values_list("role", flat=True)))
        user._yep_active_roles = cached
    return cached[1]


def has_role(*roles: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user: Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return not active_roles(user).isdisjoint(roles)

    return predicate


CASEWORK_ROLES = (Role.EPC, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF, Role.LEAD_WORKER)

is_staff_member = rules.is_authenticated & rules.is_active
works_with_young_people = has_role(*CASEWORK_ROLES)
registers_young_people = has_role(Role.EPC, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF)
is_dpo = has_role(Role.DPO)
governs_sharing = has_role(Role.DPO, Role.EPC)
is_epc = has_role(Role.EPC)
identifies_risk = has_role(Role.EPC, Role.SCHOOL_STAFF)

PERMISSIONS = {
    "web.view_home": is_staff_member,
    "people.search_people": works_with_young_people,
    "people.view_person": works_with_young_people,
    "people.add_person": registers_young_people,
    "people.view_organisations": is_staff_member,
    # The upload page: for anyone who may send some kind of file; each kind names its own permission too.
    "web.upload_files": has_role(Role.EPC, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF, Role.CAREERS_ADVISER),
    # Schools send their pupils' indicators and census; the EPC sends them for the LA's schools.
    "identify.import_indicators": has_role(Role.EPC, Role.SCHOOL_STAFF),
    # Early identification: the EPC runs it; schools see and review their own pupils' released results.
    "identify.view_results": identifies_risk,
    "identify.review": identifies_risk,
    "identify.manage_models": is_epc,
    "identify.run": is_epc,
    "identify.backtest": is_epc,
    # Brokerage: the EPC brokers and allocates; anyone who works with young people may refer one they can
    # change, and record the support they give (each read and write is checked against the record too).
    "broker.view_board": is_epc,
    "broker.allocate": is_epc,
    "broker.manage_rules": is_epc,
    "broker.refer": works_with_young_people,
    "broker.support": works_with_young_people,
    "broker.view_caseload": works_with_young_people,
    # School panels record their meetings and send business cases; the EPC decides them.
    "broker.panels": has_role(Role.EPC, Role.SCHOOL_STAFF),
    "broker.decide_business_case": is_epc,
    "tasks.view_tasks": is_staff_member,
    # Tracking: the careers service and the EPC follow every 16-18 year old; providers send notifications.
    "track.view_timeline": works_with_young_people,
    "track.view_tiers": has_role(Role.EPC, Role.CAREERS_ADVISER),
    "track.notify": has_role(Role.PROVIDER_STAFF, Role.CAREERS_ADVISER, Role.EPC),
    "track.resolve_notifications": has_role(Role.CAREERS_ADVISER, Role.EPC),
    # The careers service works the unknowns, moves and JWT lists (the EPC watches them); a youth worker (a lead
    # worker, usually hosted by the youth service) may only report a contact, never browse the unknowns.
    "track.work_unknowns": has_role(Role.CAREERS_ADVISER, Role.EPC),
    "track.report_contact": has_role(Role.LEAD_WORKER, Role.CAREERS_ADVISER, Role.EPC),
    "track.follow_up_jwt": has_role(Role.CAREERS_ADVISER, Role.EPC),
    # Recording what a young person is doing: the careers service, the EPC, and the young person's lead worker.
    "track.record_activity": has_role(Role.CAREERS_ADVISER, Role.EPC, Role.LEAD_WORKER),
    # The destinations survey: the careers service collects; the EPC opens and snapshots; England's NCCIS return.
    "track.collect_destinations": has_role(Role.CAREERS_ADVISER, Role.EPC),
    "track.manage_surveys": has_role(Role.CAREERS_ADVISER, Role.EPC),
    "track.export_nccis": is_epc,
    "track.manage_rules": is_epc,
    # The data hub: the careers service (the hub lead, seed 000 §4.2) and the EPC register sources, receive
    # datasets, link them and review uncertain links; each candidate's person is checked against the record too.
    "link.manage_sources": has_role(Role.CAREERS_ADVISER, Role.EPC),
    "link.link_datasets": has_role(Role.CAREERS_ADVISER, Role.EPC),
    "link.review_links": has_role(Role.CAREERS_ADVISER, Role.EPC),
    "link.merge_people": has_role(Role.CAREERS_ADVISER, Role.EPC),
    # Research: the DPO keeps the project register and approves; a named researcher takes an approved project's
    # pseudonymised extract (the DPO may too).
    "link.manage_projects": is_dpo,
    "link.extract_research": has_role(Role.DPO, Role.RESEARCHER),
    # Governance: the DPO (and the EPC for their LA's agreements and consent records).
    "access.view_agreements": is_staff_member,
    "access.manage_agreements": governs_sharing,
    "access.record_consent": works_with_young_people,
    "access.break_glass": works_with_young_people,
    "access.view_audit": is_dpo,
    "access.review_break_glass": is_dpo,
    "access.subject_access": is_dpo,
    "access.review_rectification": governs_sharing,
    "access.manage_retention": is_dpo,
}

for name, predicate in PERMISSIONS.items():
    rules.add_perm(name, predicate)

"""Named permissions, each a ``rules`` predicate over the user's active roles. Views and API routes name
these with ``@requires``; no view tests a role itself."""

from typing import Any

import rules

from yep.people.models import Role


def has_role(*roles: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role({','.join(roles)})")
    def predicate(user: Any) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return user.active_memberships().filter(role__in=roles).exists()

    return predicate


CASEWORK_ROLES = (Role.EPC, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF, Role.LEAD_WORKER)

is_staff_member = rules.is_authenticated & rules.is_active
works_with_young_people = has_role(*CASEWORK_ROLES)
registers_young_people = has_role(Role.EPC, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF)

PERMISSIONS = {
    "web.view_home": is_staff_member,
    "people.search_people": works_with_young_people,
    "people.view_person": works_with_young_people,
    "people.add_person": registers_young_people,
    "people.view_organisations": is_staff_member,
}

for name, predicate in PERMISSIONS.items():
    rules.add_perm(name, predicate)

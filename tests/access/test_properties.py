"""Property: over random organisations, staff and young people, nobody sees a record outside the documented rules.

The oracle below restates docs/security.md in plain Python over the raw rows; the policy's queryset and its
per-person decision must both agree with it, for every user and person in every generated world."""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from yep.access import services
from yep.access.models import RelationshipKind
from yep.access.policy import decide, people_visible_to
from yep.people.models import Enrolment, OrganisationKind, Role

T = factories.TEST
LAS = ["681", "670"]
TODAY = datetime.date.today()  # noqa: DTZ011 (dates only; the policy uses the local date too)
ROLES = [Role.EPC, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF, Role.LEAD_WORKER, Role.GOVERNMENT_ANALYST, Role.DPO]

people_st = st.lists(st.tuples(st.sampled_from(LAS), st.integers(0, 3), st.booleans(), st.integers(11, 20)),
                     min_size=1, max_size=5)
staff_st = st.lists(st.tuples(st.sampled_from(ROLES), st.integers(0, 3), st.booleans()), min_size=1, max_size=5)
links_st = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.booleans()), max_size=4)


CASEWORK = {Role.EPC, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF, Role.LEAD_WORKER}


def oracle(role, org, la_code, person, enrolled_org, lead_for, ended_lead_for):
    """docs/security.md, restated: by role, then by relationship for casework roles only."""
    if role not in CASEWORK:
        return False  # analysts and DPOs never see a named record, even with a relationship
    if person.pk in lead_for or person.pk in ended_lead_for:
        return True
    if role == Role.EPC:
        return person.la_of_residence.code == la_code or (enrolled_org is not None and enrolled_org.la.code == la_code)
    if role in (Role.SCHOOL_STAFF, Role.PROVIDER_STAFF):
        return enrolled_org == org
    return False


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=people_st, staff=staff_st, links=links_st)
def test_nobody_sees_a_record_outside_the_rules(db, people, staff, links):
    orgs = [factories.make_organisation(kind, la) for la in LAS
            for kind in (OrganisationKind.SCHOOL, OrganisationKind.FE_COLLEGE)]
    persons, enrolled = [], {}
    for la_code, org_index, is_enrolled, age in people:
        person = factories.make_person(la_code, legal_forenames="P", dob=f"{TODAY.year - age}-03-01",
                                       postcode="CF10 1AA")
        persons.append(person)
        if is_enrolled:
            factories.enrol(person, orgs[org_index], start=datetime.date(TODAY.year - 1, 9, 1))
            enrolled[person.pk] = orgs[org_index]
    users = []
    for role, org_index, at_la in staff:
        org = factories.la(orgs[org_index].la.code) if at_la or role == Role.EPC else orgs[org_index]
        users.append((factories.make_user(role, org), role, org))
    lead_for, ended_for = {}, {}
    for user_index, person_index, still_open in links:
        if user_index < len(users) and person_index < len(persons):
            user, person = users[user_index][0], persons[person_index]
            relationship = services.open_relationship(person, RelationshipKind.LEAD_WORKER, user=user,
                                                      start=TODAY - datetime.timedelta(days=30), actor="t",
                                                      context=T)
            if not still_open:
                services.end_relationship(relationship, end=TODAY - datetime.timedelta(days=1), actor="t",
                                          context=T)
            (lead_for if still_open else ended_for).setdefault(user.pk, set()).add(person.pk)
    ours = {p.pk for p in persons}
    for user, role, org in users:
        visible = set(people_visible_to(user).filter(pk__in=ours).values_list("pk", flat=True))
        la_code = org.code if org.kind == OrganisationKind.LA else org.la.code
        for person in persons:
            current = Enrolment.objects.filter(person=person, end__isnull=True).first()
            expected = oracle(role, org, la_code, person, current.organisation if current else None,
                              lead_for.get(user.pk, set()), ended_for.get(user.pk, set()))
            assert (person.pk in visible) == expected, (role, org.name, person.pk)
            assert (decide(user, person.pk) is not None) == expected

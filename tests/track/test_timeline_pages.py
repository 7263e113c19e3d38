"""The timeline tab of a young person's record and the tier dashboard: who sees them, what they show, and a bad
as-at date."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yep.access import services as access_services
from yep.access.models import AuditEvent, RelationshipKind
from yep.people.models import ActivityCode, OrganisationKind, Role
from yep.people.tabs import PERSON_TABS
from yep.track.services import record_activities

from .. import factories
from ..factories import TEST


def record(person, code: int, start: datetime.date, end: datetime.date | None = None, hours: int | None = None,
           organisation=None, source: str = "careers_service") -> None:
    record_activities([{"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk, "start": start,
                        "end": end, "hours_per_week": hours, "organisation_id": organisation.pk if organisation
                        else None, "source": source}], actor="test", context=TEST)


@pytest.fixture(name="tracked")
def tracked_fixture(region):
    """The pupil (academic age 17) left college last month and is now seeking work; a 16-year-old neighbour has
    no activity at all; a careers adviser's service covers the LA."""
    today = timezone.localdate()
    left = today.replace(day=1) - datetime.timedelta(days=1)
    record(region.pupil, 230, today - datetime.timedelta(days=60), left, 24, organisation=region.college,
           source="provider")
    record(region.pupil, 619, left + datetime.timedelta(days=1))
    year = today.year if today.month >= 9 else today.year - 1
    neighbour = factories.make_person("681", legal_forenames="Owain", legal_surname="Lewis",
                                      dob=f"{year - 16}-01-15")
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(region.la)
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "cw")
    return {"neighbour": neighbour, "adviser": adviser, "left": left}


def test_timeline_is_a_tab_after_lead_worker():
    slugs = [t.slug for t in PERSON_TABS]
    assert slugs.index("timeline") == slugs.index("lead_worker") + 1


def test_the_epc_sees_the_timeline_newest_first_with_the_tier_and_why(client, region, tracked):
    client.force_login(region.epc)
    response = client.get(reverse("track:person_timeline", args=[region.pupil.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Seeking employment, education or training") < page.index("Full-time education: further")
    assert "Tier 3" in page and "available for it" in page
    assert "Cardiff and Vale College" in page and "provider" in page
    assert 'data-testid="tier-history"' in page and "<svg" in page
    assert AuditEvent.objects.filter(action="view", person_id=region.pupil.pk, actor=region.epc).exists()


def test_another_las_epc_gets_the_same_404_as_for_no_one(client, region, tracked):
    client.force_login(region.other_epc)
    assert client.get(reverse("track:person_timeline", args=[region.pupil.pk])).status_code == 404
    assert client.get(reverse("track:person_timeline", args=[999_999])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", person_id=region.pupil.pk).exists()


def test_a_reader_without_enrolment_history_sees_the_timeline_restricted(client, region, tracked):
    panel_member = factories.make_user(Role.LEAD_WORKER, region.school, "panel.member")
    access_services.open_relationship(region.pupil, RelationshipKind.PANEL, user=panel_member, actor="test",
                                      context=TEST)
    client.force_login(panel_member)
    page = client.get(reverse("track:person_timeline", args=[region.pupil.pk])).content.decode()
    assert 'data-testid="timeline-restricted"' in page and "Seeking employment" not in page


def test_someone_with_no_casework_role_is_refused(client, region, tracked):
    client.force_login(region.analyst)
    assert client.get(reverse("track:person_timeline", args=[region.pupil.pk])).status_code == 403


def _counts(page: str) -> str:
    return page[page.index('data-testid="tier-counts"'):page.index('data-testid="movement"')]


def test_the_epc_sees_their_las_cohort_by_tier_and_age_and_the_movement(client, region, tracked):
    client.force_login(region.epc)
    response = client.get(reverse("track:tiers"))
    assert response.status_code == 200
    cohort = response.context["cohort"]
    assert cohort.total == 2  # the pupil and the neighbour; the other LA's residents are not counted
    assert cohort.counts[2, 1] == 1 and cohort.counts[0, 0] == 1  # tier 3 at 17, tier 1 at 16
    # At the month-end the pupil was still at college (tier 5); now they are seeking work (tier 3).
    assert cohort.movement[5, 3] == 1
    assert 'data-testid="cohort-total">2<' in _counts(response.content.decode())


def test_the_tier_dashboards_title_is_its_name_and_the_guarantee_table_appears_once(client, region, tracked):
    client.force_login(region.epc)
    page = client.get(reverse("track:tiers")).content.decode()
    assert "<title>Five tiers – YEP</title>" in page
    assert page.count('data-testid="guarantee"') == 1


def test_the_careers_adviser_sees_the_areas_their_service_covers(client, region, tracked):
    client.force_login(tracked["adviser"])
    assert client.get(reverse("track:tiers")).context["cohort"].total == 2


def test_an_earlier_date_shows_the_cohort_as_it_stood(client, region, tracked):
    client.force_login(region.epc)
    cohort = client.get(reverse("track:tiers"), {"on": tracked["left"].isoformat()}).context["cohort"]
    assert cohort.on == tracked["left"] and cohort.counts[4, 1] == 1  # tier 5 at 17


def test_school_staff_cannot_see_the_tier_dashboard(client, region, tracked):
    client.force_login(region.school_staff)
    assert client.get(reverse("track:tiers")).status_code == 403


def test_a_bad_date_says_so_and_keeps_what_was_typed(client, region, tracked):
    client.force_login(region.epc)
    page = client.get(reverse("track:tiers"), {"on": "31/10/2026"}).content.decode()
    assert "There is a problem" in page and "Enter the date as year-month-day" in page
    assert 'value="31/10/2026"' in page
    future = client.get(reverse("track:tiers"), {"on": "2999-01-01"}).content.decode()
    assert "The date cannot be in the future." in future


def test_a_bad_date_is_reported_in_welsh_to_a_welsh_reader(client, region, tracked):
    client.force_login(region.epc)
    client.get(reverse("web:language"), {"lang": "cy"})
    page = client.get(reverse("track:tiers"), {"on": "yesterday"}).content.decode()
    assert "Mae problem wedi codi" in page and 'value="yesterday"' in page


def test_a_part_time_learner_shows_tier_4_with_no_risk_level_set(client, region):
    record(region.pupil, 230, timezone.localdate() - datetime.timedelta(days=10), hours=10)
    client.force_login(region.epc)
    page = client.get(reverse("track:person_timeline", args=[region.pupil.pk])).content.decode()
    assert "Tier 4" in page and "fewer hours a week than the full-time boundary" in page and "Not set" in page


def test_the_timeline_page_reads_a_bounded_number_of_queries(client, region, tracked, django_assert_max_num_queries):
    client.force_login(region.epc)
    # More activities, or more month-ends in education, do not mean more queries. (PostgreSQL counts one more
    # than SQLite: the audit chain's advisory lock.)
    for n in range(20):
        record(region.pupil, 619, datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    with django_assert_max_num_queries(16):
        client.get(reverse("track:person_timeline", args=[region.pupil.pk]))

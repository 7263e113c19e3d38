"""Acceptance scenario AT-10, the unknowns (spec/framework-wales.md; R53-R55, R5): 20 young people in tier 1; a
detached youth worker reports a contact and is told only that it matched; the careers service resolves the case
(tier 1 -> tier 3); another young person moves to Neath Port Talbot. Tier 1 falls to 18, the one who moved waits in
NPT's intake and is in neither LA's unknowns, and the month-end movement shows tier 1 falling."""

import numpy as np
import pytest
from django.utils import timezone

from tests.track import notification_setup, test_unknowns
from tests.track.notification_setup import days_ago
from tests.track.test_unknowns import make_unknown, tier_one, youth_service_of
from yep.tasks.models import Task
from yep.track import unknowns
from yep.track.models import ContactReport
from yep.track.queries import cohort_tiers, person_timeline

# Fixtures shared with the tracking tests (pytest finds them by these names).
careers, npt, youth_worker = notification_setup.careers, test_unknowns.npt, test_unknowns.youth_worker
NAMES = [("Ffion", "Pritchard"), ("Osian", "Bevan"), ("Cerys", "Lloyd"), ("Gethin", "Vaughan"), ("Nia", "Rowlands"),
         ("Iwan", "Meredith"), ("Elin", "Prosser"), ("Rhodri", "Gough"), ("Megan", "Pugh"), ("Tomos", "Harries"),
         ("Seren", "Kemble"), ("Dylan", "Probert"), ("Lowri", "Cadwaladr"), ("Aled", "Gwilym"), ("Mali", "Bowen"),
         ("Huw", "Maddox"), ("Carys", "Tudor"), ("Ioan", "Rees-Mogg"), ("Alaw", "Penry"), ("Steffan", "Owens")]


@pytest.fixture
def twenty_unknowns(region, careers):
    """Ten young people with no activity recorded and ten whose situation has been "not known" (810) for two
    months, all 17 and living in Cardiff; returned with the tier 1 count before they were added."""
    baseline = tier_one(region.epc)
    people = [make_unknown(surname, forenames=forename) for forename, surname in NAMES[:10]]
    people += [make_unknown(surname, forenames=forename, code=810, started=60) for forename, surname in NAMES[10:]]
    return baseline, people


def test_at10_unknowns_are_found_resolved_and_moves_are_not_counted(client, region, careers, npt, youth_worker,
                                                                    twenty_unknowns):
    baseline, people = twenty_unknowns
    found, mover = people[0], people[1]
    assert tier_one(region.epc) == baseline + 20
    queue = {u.person for u in unknowns.unknowns_for(careers.adviser)}
    assert set(people) <= queue

    # 1. A detached youth worker reports a contact by name and date of birth; told only that it matched.
    client.force_login(youth_worker)
    sent = client.post("/track/contact-report/", {
        "organisation": youth_service_of(youth_worker).pk, "forenames": found.legal_forenames,
        "surname": found.legal_surname, "dob": found.dob.isoformat(), "seen_on": days_ago(2).isoformat(),
        "where": "Bute Park", "doing": "Says he wants an apprenticeship"}, follow=True)
    body = sent.content.decode()
    assert "Matched: the careers service will follow this up." in body
    assert f"/people/{found.pk}" not in body and found.postcode not in body and "Tier" not in body
    report = ContactReport.objects.get()
    assert (report.status, report.person) == ("matched", found)
    assert Task.objects.filter(person=found, organisation=careers.service).exists()
    assert client.get("/track/unknowns/").status_code == 403  # the youth worker cannot browse the queue

    # 2. The careers service follows it up: a contact confirms "seeking EET" (619), tier 1 -> tier 3.
    client.force_login(careers.adviser)
    assert f'data-testid="report-{report.pk}"' in client.get("/track/contact-reports/").content.decode()
    logged = client.post(f"/track/unknowns/{found.pk}/contact/", {
        "purpose": "tracing", "method": "phone", "source": "youth_worker", "outcome": "confirmed", "code": "619"})
    assert logged.status_code == 302
    assert client.post("/track/contact-reports/", {"report": report.pk}).status_code == 302
    assert person_timeline(found).now.tier == 3

    # 3. Another young person is reported as moved to Neath Port Talbot.
    moved = client.post(f"/track/moves/new/{mover.pk}/", {"to_la": npt.la.pk, "moved_on": days_ago(5).isoformat(),
                                                           "source": "other_la"})
    assert moved.status_code == 302

    # Expected: tier 1 count = 18 (above whoever was tier 1 in Cardiff before the scenario).
    assert tier_one(region.epc) == baseline + 18
    # The moved young person is in NPT's intake queue, not in Cardiff's unknowns (nor counted unknown in NPT).
    assert [m.person for m in unknowns.intake_for(npt.adviser)] == [mover]
    client.force_login(npt.epc)
    assert mover.display_name in client.get("/track/intake/").content.decode()
    tiers_page = client.get("/track/tiers/").content.decode()
    assert 'data-testid="confirming"' in tiers_page
    assert mover not in {u.person for u in unknowns.unknowns_for(npt.epc)}
    client.force_login(careers.adviser)
    cardiff_queue = client.get("/track/unknowns/").content.decode()
    assert f"unknown-{mover.pk}" not in cardiff_queue and f"unknown-{found.pk}" not in cardiff_queue
    assert {u.person for u in unknowns.unknowns_for(careers.adviser)} & set(people) == set(people) - {found, mover}

    # The month-end movement shows tier 1 falling: fewer in tier 1 now than at the last month-end, one to tier 3.
    cohort = cohort_tiers(region.epc, timezone.localdate())
    then, now = int(cohort.movement[1].sum()), int(cohort.movement[:, 1].sum())
    assert now == int(cohort.counts[0].sum()) and now < then
    assert cohort.movement[1][3] >= 1
    assert np.array_equal(cohort_tiers(careers.adviser, timezone.localdate()).counts, cohort.counts)

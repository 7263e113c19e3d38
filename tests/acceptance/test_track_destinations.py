"""Acceptance scenarios for the destinations survey and England's NCCIS figures (issue 6, items 7 and 9): a year's
Year 11 leavers of one school surveyed as at 31 October, the careers service filling in the missing destinations,
the snapshot that freezes them, the results by destination group; and DfE's December to February average checked
against a hand computation."""

import csv
import datetime
import io

from tests.track import test_nccis, test_surveys
from tests.track.test_nccis import WINTER
from tests.track.test_surveys import LEAVING, SEPTEMBER, add_activity, make_leaver
from yep.access.models import AuditEvent
from yep.track.models import DestinationSurvey, SurveyDestination

# Fixtures shared with the tracking tests (pytest finds them by these names).
careers, winter = test_surveys.careers, test_nccis.winter


def test_a_schools_year_11_leavers_are_surveyed_completed_and_frozen(client, region, careers):
    # Glantaf's Year 11 left last summer: five went to college, one is an apprentice, one is seeking work, and
    # nothing is known of two.
    names = ["Alaw", "Bedwyr", "Cerys", "Deio", "Esyllt", "Ffred", "Gethin", "Heledd", "Iolo"]
    leavers = [make_leaver(region, name, "Jenkins") for name in names]
    for person in leavers[:5]:
        add_activity(person, 230, SEPTEMBER, 21, organisation_id=region.college.pk)
    add_activity(leavers[5], 310, SEPTEMBER, 35)
    add_activity(leavers[6], 619, SEPTEMBER)
    heledd, iolo = leavers[7], leavers[8]

    # 1. The EPC opens the survey of last year's leavers: as at 31 October, 7 of 9 known.
    client.force_login(region.epc)
    client.post("/track/surveys/", {"la": region.la.pk, "leaving_year": LEAVING})
    survey = DestinationSurvey.objects.get()
    assert survey.as_at == datetime.date(LEAVING, 10, 31)
    url = f"/track/surveys/{survey.pk}/"

    # 2. The careers adviser sees the two missing and records what they found out.
    client.force_login(careers.adviser)
    page = client.get(url).content.decode()
    assert "7 of 9 leavers have a known destination" in page
    assert f'data-testid="leaver-{heledd.pk}"' in page and f'data-testid="leaver-{iolo.pk}"' in page
    for person, code, hours in ((heledd, "230", "18"), (iolo, "410", "30")):
        done = client.post(url, {"action": "record", "person": person.pk, "code": code,
                                 "start": SEPTEMBER.isoformat(), "hours_per_week": hours,
                                 "provider": region.college.pk if code == "230" else ""})
        assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "9 of 9 leavers have a known destination (100%)" in page and 'data-testid="all-collected"' in page

    # 3. The EPC takes the snapshot: every leaver is frozen with the code that decided their destination.
    client.force_login(region.epc)
    client.post(url, {"action": "snapshot"})
    frozen = {d.person_id: d for d in SurveyDestination.objects.filter(survey=survey)}
    assert len(frozen) == 9
    assert (frozen[heledd.pk].code.code, frozen[heledd.pk].source) == (230, "destination_survey")
    assert (frozen[iolo.pk].code.code, frozen[iolo.pk].tier) == (410, 5)

    # 4. Results by destination group, exact for the LA's EPC.
    results = client.get(url).context["results"]
    assert results.totals == {"education": 6, "employment": 1, "training": 1, "re_engagement": 0, "neet": 1,
                              "other": 0, "not_known": 0}

    # 5. Later, Gethin finds an apprenticeship from 1 October: his timeline changes, the snapshot does not.
    add_activity(leavers[6], 310, datetime.date(LEAVING, 10, 1), 35)
    assert client.get(url).context["results"].totals == results.totals

    # 6. The snapshot downloads as CSV, and the export is audited.
    export = client.get(f"/track/surveys/{survey.pk}/export.csv")
    rows = {int(r["person_ref"]): r for r in csv.DictReader(io.StringIO(export.content.decode()))}
    assert rows[leavers[6].pk]["destination_group"] == "neet" and len(rows) == 9
    assert AuditEvent.objects.filter(action="export", object_type="destination_survey", actor=region.epc).exists()

    # 7. The careers service sees the same results with counts of 1 to 4 suppressed.
    client.force_login(careers.adviser)
    assert client.get(url).context["results"].totals["employment"] == "c"


def test_the_dec_feb_average_of_ten_young_people_is_10_percent_neet_and_10_percent_not_known(client, region,
                                                                                             winter):
    # Hand computation: NEET 1, 2, 0 of 10 -> 10%, 20%, 0% -> average 10.0%; not known 1, 1, 1 -> 10.0%.
    client.force_login(region.epc)
    page = client.get("/track/nccis/", {"la": region.la.pk, "on": f"{WINTER + 1}-03-31"})
    average = page.context["average"]
    assert [(m.neet, m.not_known, m.cohort) for m in average.months] == [(1, 1, 10), (2, 1, 10), (0, 1, 10)]
    assert (average.neet_pct, average.not_known_pct) == (10.0, 10.0)

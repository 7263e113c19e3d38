"""Acceptance scenario for England's September Guarantee (issue 6, item 2): the EPC opens the page for this year's
September, records the offers of a school's five Year 11 pupils through the form, one at a time, and reads the
published percentages; the young person still without an offer stays on the list and in the CSV export, and the
neighbouring LA's EPC cannot record anything for them."""

import csv
import io

from tests.track.test_guarantee import YEAR, pupil
from yep.access.models import AuditEvent
from yep.track.models import GuaranteeOffer


def test_the_epc_records_year_11_offers_and_reads_the_guarantee(client, region):
    pupils = [pupil(region.school, name) for name in ("Alaw", "Bedwyr", "Cerys", "Deio", "Esyllt")]
    alaw, bedwyr, cerys, deio, esyllt = pupils
    client.force_login(region.epc)
    page = client.get(f"/track/september-guarantee/?la={region.la.pk}&year={YEAR}")
    assert page.status_code == 200
    for person in pupils:
        assert f'data-testid="waiting-{person.pk}"' in page.content.decode()

    # Three take places (one at first recorded as no offer, then corrected), one is not appropriate.
    url = "/track/september-guarantee/{}/"
    form = {"year": YEAR, "year_group": "11", "la": region.la.pk}
    client.post(url.format(alaw.pk), {**form, "status": "no_offer"})
    for person, offer_type in ((alaw, "fe_college"), (bedwyr, "apprenticeship"), (cerys, "school_sixth_form")):
        done = client.post(url.format(person.pk), {**form, "status": "offer_made", "offer_type": offer_type})
        assert done.status_code == 302
    client.post(url.format(deio.pk), {**form, "status": "not_appropriate", "notes": "Emigrating in August."})
    # A job without training is not an offer: the form refuses an offer made without the type of place.
    refused = client.post(url.format(esyllt.pk), {**form, "status": "offer_made", "notes": "Job at the café"})
    assert refused.status_code == 400 and "Job at the café" in refused.content.decode()

    page = client.get(f"/track/september-guarantee/?la={region.la.pk}&year={YEAR}")
    year11 = page.context["report"].cohorts[0]
    mine = [p.pk for p in pupils]
    assert year11.total == 6  # the region's own pupil is on the Year 11 roll too
    assert year11.counts == {"offer_made": 3, "not_appropriate": 1, "no_offer": 0, "not_recorded": 2}
    assert year11.percents == {"offer_made": 50.0, "not_appropriate": 16.7, "no_offer": 0.0, "not_recorded": 33.3}
    waiting = [w.person.pk for w in page.context["report"].waiting if w.year_group == 11 and w.person.pk in mine]
    assert waiting == [esyllt.pk]

    export = client.get(f"/track/september-guarantee/export.csv?la={region.la.pk}&year={YEAR}")
    names = [row[1] for row in csv.reader(io.StringIO(export.content.decode()))]
    assert esyllt.display_name in names and alaw.display_name not in names
    assert AuditEvent.objects.filter(action="export", object_type="september_guarantee").count() == 1

    client.force_login(region.other_epc)
    other = client.get(f"/track/september-guarantee/?year={YEAR}")
    assert f'data-testid="waiting-{esyllt.pk}"' not in other.content.decode()
    assert client.post(url.format(esyllt.pk), {**form, "status": "no_offer"}).status_code == 404
    assert not GuaranteeOffer.objects.filter(person=esyllt).exists()

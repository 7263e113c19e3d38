"""Clerical review and merge pages: the queue, a candidate side by side with its weights, accept and reject; merging
two records after a confirmation page, and undoing it with a split; allowed, refused and bad input."""

import datetime

from tests import factories
from yep.access.models import AuditEvent
from yep.link.models import Candidate, CandidateStatus, ClericalDecision, ClusterChange, LinkMethod, SourceRecord
from yep.people.models import Enrolment

from . import test_hub_pages
from .test_hub_pages import link

# Fixtures shared with the hub page tests (pytest finds them by these names).
adviser, source, hub = test_hub_pages.adviser, test_hub_pages.source, test_hub_pages.hub


# The review queue and one candidate ---------------------------------------------------------------------------------


def test_the_queue_lists_the_uncertain_links_and_a_candidate_shows_both_sides_and_its_weights(client, hub):
    link(hub)
    client.force_login(hub.adviser)
    page = client.get("/hub/review/")
    listed = list(page.context["page"])
    assert page.status_code == 200 and listed
    assert [c.match_probability for c in listed] == sorted((c.match_probability for c in listed), reverse=True)
    oldest = list(client.get("/hub/review/?order=oldest").context["page"])
    assert [c.pk for c in oldest] == sorted(c.pk for c in listed)
    event = AuditEvent.objects.filter(action="view", object_type="review_queue").latest("pk")
    assert event.detail["people"] == [c.person_id for c in oldest]

    candidate = listed[0]
    shown = client.get(f"/hub/review/{candidate.pk}/")
    html = shown.content.decode()
    assert shown.status_code == 200 and 'data-testid="side-by-side"' in html and 'data-testid="explanation"' in html
    labels = [str(label) for label, *_values in shown.context["sides"]]
    assert labels[:3] == ["Forename", "Surname", "Date of birth"]
    rows = shown.context["explanation"]
    assert rows and {"comparison", "level", "weight"} <= set(rows[0])
    # the weights shown, with the starting weight, add up to the total shown
    assert abs(sum(r["weight"] for r in rows) + shown.context["prior"] - candidate.match_weight) < 1e-9
    assert AuditEvent.objects.filter(action="view", person_id=candidate.person_id).exists()


def test_accepting_links_the_record_and_a_rejection_is_kept_with_its_reason(client, hub):
    link(hub)
    client.force_login(hub.adviser)
    pending = list(Candidate.objects.filter(status=CandidateStatus.PENDING).order_by("-match_probability", "pk"))
    assert len(pending) >= 2
    first, last = pending[0], pending[-1]
    undecided = client.post(f"/hub/review/{first.pk}/", {"reason": "looks right"})
    assert undecided.status_code == 400 and set(undecided.context["errors"]) == {"decision"}
    assert "looks right" in undecided.content.decode()
    accepted = client.post(f"/hub/review/{first.pk}/", {"decision": "accept", "reason": "same school"})
    assert accepted.status_code == 302 and accepted["Location"] == "/hub/review/"
    record = SourceRecord.objects.get(pk=first.record_id)
    assert (record.person_id, record.method) == (first.person_id, LinkMethod.CLERICAL)
    rejected = client.post(f"/hub/review/{last.pk}/", {"decision": "reject", "reason": "different family"})
    assert rejected.status_code == 302
    decision = ClericalDecision.objects.get(record_key=last.record.record_key, person=last.person)
    assert (decision.same_person, decision.reason, decision.decided_by) == (False, "different family", "adviser")
    # a decided candidate shows its decision and no form
    again = client.get(f"/hub/review/{first.pk}/").content.decode()
    assert 'data-testid="decided"' in again and 'data-testid="decide-form"' not in again


def test_others_cannot_see_the_queue_or_decide(client, hub, region):
    link(hub)
    candidate = Candidate.objects.filter(status=CandidateStatus.PENDING).first()
    client.force_login(region.other_epc)  # Swansea's EPC: Cardiff's young people are not theirs
    assert list(client.get("/hub/review/").context["page"]) == []
    assert client.get(f"/hub/review/{candidate.pk}/").status_code == 404
    assert client.post(f"/hub/review/{candidate.pk}/", {"decision": "accept"}).status_code == 404
    client.force_login(region.school_staff)
    assert client.get("/hub/review/").status_code == 403
    assert client.post(f"/hub/review/{candidate.pk}/", {"decision": "accept"}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PENDING


# Merges and splits --------------------------------------------------------------------------------------------------


def _twins(region):
    """One young person registered twice: the second record holds her enrolment."""
    kept = factories.make_person("681", legal_forenames="Angharad", legal_surname="Llewelyn", dob="2008-04-04")
    merged = factories.make_person("681", legal_forenames="Angharad", legal_surname="Llewellyn", dob="2008-04-04")
    factories.enrol(merged, region.college, year_group=None, start=datetime.date(2025, 9, 1))
    return kept, merged


def test_a_merge_is_confirmed_on_a_page_showing_both_and_undone_by_a_split(client, region, adviser):
    kept, merged = _twins(region)
    client.force_login(adviser)
    found = client.get("/hub/merges/new/?q=Angharad")
    assert {p.pk for p in found.context["results"]} == {kept.pk, merged.pk}
    form = {"kept": kept.pk, "merged": merged.pk, "reason": "Registered twice by the college and the school."}
    confirm = client.post("/hub/merges/new/", form | {"action": "check"})
    html = confirm.content.decode()
    assert confirm.status_code == 200 and 'data-testid="confirm-form"' in html and "Llewellyn" in html
    assert not ClusterChange.objects.exists()
    done = client.post("/hub/merges/new/", form | {"action": "merge"})
    assert done.status_code == 302 and done["Location"] == "/hub/merges/"
    change = ClusterChange.objects.get()
    assert Enrolment.objects.get(organisation=region.college).person_id == kept.pk
    listed = client.get("/hub/merges/").content.decode()
    assert f'data-testid="split-{change.pk}"' in listed and "Registered twice" in listed

    no_reason = client.post(f"/hub/merges/{change.pk}/split/", {"reason": ""})
    assert no_reason.status_code == 400 and f"reason-{change.pk}" in no_reason.context["errors"]
    split = client.post(f"/hub/merges/{change.pk}/split/", {"reason": "Two sisters, not one young person."})
    assert split.status_code == 302
    assert Enrolment.objects.get(organisation=region.college).person_id == merged.pk
    listed = client.get("/hub/merges/").content.decode()
    assert f'data-testid="split-{change.pk}"' not in listed and "Undone" in listed


def test_a_merge_form_with_problems_says_what_is_wrong_and_merges_nothing(client, region, adviser):
    kept, _merged = _twins(region)
    client.force_login(adviser)
    bad = client.post("/hub/merges/new/", {"kept": "abc", "merged": kept.pk, "reason": "", "action": "check"})
    assert bad.status_code == 400 and set(bad.context["errors"]) == {"kept", "reason"}
    same = client.post("/hub/merges/new/", {"kept": kept.pk, "merged": kept.pk, "reason": "x", "action": "merge"})
    assert same.status_code == 400 and set(same.context["errors"]) == {"merged"}
    # Swansea's young person: the same words as for nobody at all
    theirs = client.post("/hub/merges/new/", {"kept": kept.pk, "merged": region.other_pupil.pk, "reason": "x",
                                              "action": "merge"})
    nobody = client.post("/hub/merges/new/", {"kept": kept.pk, "merged": 999999, "reason": "x", "action": "merge"})
    assert theirs.context["errors"] == nobody.context["errors"] and set(theirs.context["errors"]) == {"merged"}
    client.force_login(region.school_staff)
    assert client.post("/hub/merges/new/", {"kept": kept.pk, "merged": region.pupil.pk, "reason": "x",
                                            "action": "merge"}).status_code == 403
    assert client.get("/hub/merges/").status_code == 403
    assert not ClusterChange.objects.exists()

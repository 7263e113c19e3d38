"""The data protection officer's pages: who may open them (allowed, refused, elevated), who looked at a record and
why, what a user did, unusual access, break-glass review and the rectification queue."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from yep.access import audit, queries, services
from yep.access.models import AuditEvent, RectificationRequest
from yep.access.policy import staff_overseen_by
from yep.people import services as people_services
from yep.people.models import Role

T = factories.TEST
REASON = "Police welfare check tonight; no EPC on call to confirm the address."


@pytest.fixture
def dpo(region):
    return factories.make_user(Role.DPO, region.la, "dpo")


@pytest.fixture
def other_dpo(region):
    return factories.make_user(Role.DPO, region.other_la, "other.dpo")


def _pages(region):
    """Every DPO page, with the arguments it needs."""
    pk = region.pupil.pk
    return [
        ("dpo:home", []), ("dpo:people", []), ("dpo:person", [pk]), ("dpo:sar", [pk]),
        ("dpo:user", [region.epc.pk]), ("dpo:unusual", []), ("dpo:break_glass", []), ("dpo:retention", []),
        ("dpo:rectification", []), ("dpo:rectification_new", [pk]),
    ]


DPO_ONLY = {"dpo:home", "dpo:people", "dpo:person", "dpo:sar", "dpo:user", "dpo:unusual", "dpo:break_glass",
            "dpo:retention"}


# Who may open the pages --------------------------------------------------------------------------------------


def test_a_dpo_can_open_every_dpo_page(client, region, dpo):
    client.force_login(dpo)
    for name, args in _pages(region):
        assert client.get(reverse(name, args=args)).status_code == 200, name


@pytest.mark.parametrize("who", ["epc", "school_staff", "analyst"])
def test_casework_staff_and_analysts_are_refused_the_dpo_pages(client, region, who):
    client.force_login(getattr(region, who))
    for name, args in _pages(region):
        if name in DPO_ONLY:
            assert client.get(reverse(name, args=args)).status_code == 403, name


def test_the_rectification_queue_is_refused_to_school_staff_and_analysts(client, region):
    for user in (region.school_staff, region.analyst):
        client.force_login(user)
        assert client.get(reverse("dpo:rectification")).status_code == 403


def test_an_epc_reviews_rectification_requests_only_for_their_own_young_people(client, region):
    mine = services.request_rectification(region.pupil, field="legal_surname", requested_value="ap Gruffudd",
                                          reason="Spelt wrongly", requested_by="Dafydd, by email", actor="t",
                                          context=T)
    theirs = services.request_rectification(region.other_pupil, field="town", requested_value="Swansea",
                                            reason="", requested_by="Rhiannon", actor="t", context=T)
    client.force_login(region.epc)
    page = client.get(reverse("dpo:rectification")).content.decode()
    assert reverse("dpo:rectification_review", args=[mine.pk]) in page
    assert reverse("dpo:rectification_review", args=[theirs.pk]) not in page
    assert client.get(reverse("dpo:rectification_review", args=[theirs.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, region):
    response = client.get(reverse("dpo:home"))
    assert response.status_code == 302 and reverse("web:login") in response.url


def test_a_young_person_outside_the_dpos_area_is_the_same_404_as_no_record(client, region, other_dpo):
    client.force_login(other_dpo)
    assert client.get(reverse("dpo:person", args=[region.pupil.pk])).status_code == 404
    assert client.get(reverse("dpo:person", args=[999_999])).status_code == 404
    assert client.get(reverse("dpo:person", args=[region.other_pupil.pk])).status_code == 200
    assert AuditEvent.objects.filter(actor=other_dpo, action="denied").count() == 2


def test_staff_outside_the_dpos_area_are_not_shown(client, region, other_dpo):
    client.force_login(other_dpo)
    assert client.get(reverse("dpo:user", args=[region.epc.pk])).status_code == 404
    assert client.get(reverse("dpo:user", args=[region.other_epc.pk])).status_code == 200


# Who looked at this young person, and why ---------------------------------------------------------------------


def test_the_dpo_finds_a_young_person_by_identity_only_and_the_search_is_audited(client, region, dpo):
    client.force_login(dpo)
    page = client.get(reverse("dpo:people"), {"q": "Dafydd ap Gruffydd"}).content.decode()
    assert reverse("dpo:person", args=[region.pupil.pk]) in page
    event = AuditEvent.objects.get(actor=dpo, action="search")
    assert event.purpose == "governance" and event.detail["people"] == [region.pupil.pk]
    by_postcode = client.get(reverse("dpo:people"), {"q": "CF24 3AB"}).content.decode()
    assert reverse("dpo:person", args=[region.pupil.pk]) not in by_postcode


def test_the_dpo_search_does_not_find_young_people_in_another_area(client, region, dpo):
    client.force_login(dpo)
    page = client.get(reverse("dpo:people"), {"q": "Rhiannon Williams"}).content.decode()
    assert reverse("dpo:person", args=[region.other_pupil.pk]) not in page


def test_the_person_page_lists_who_viewed_and_searched_with_roles_purposes_and_addresses(client, region, dpo):
    client.force_login(region.epc)
    client.get(reverse("people:detail", args=[region.pupil.pk]), REMOTE_ADDR="10.1.2.3")
    client.force_login(region.school_staff)
    client.get(reverse("people:search"), {"q": "Dafydd ap Gruffydd"})
    client.force_login(dpo)
    page = client.get(reverse("dpo:person", args=[region.pupil.pk])).content.decode()
    assert "epc" in page and "Engagement and Progression Coordinator" in page and "10.1.2.3" in page
    assert "school.staff" in page and "School staff" in page and "Appeared in search results" in page
    assert "casework" in page and "EPC for" in page  # the purpose and the grounds
    assert page.index("school.staff") < page.index("10.1.2.3")  # newest first


def test_the_person_page_shows_identity_and_never_casework(client, region, dpo):
    people_services.add_characteristic(region.pupil, "looked_after", start=datetime.date(2023, 1, 1), actor="t",
                                       context=T)
    people_services.add_contact(region.pupil, name="Gwenda Evans", relationship="mother", phone="029 2000 0000",
                                actor="t", context=T)
    client.force_login(dpo)
    page = client.get(reverse("dpo:person", args=[region.pupil.pk])).content.decode()
    assert "ap Gruffydd" in page and region.pupil.upn in page
    for casework in ("Looked after", "Gwenda Evans", "029 2000 0000", "CF24 3AB"):
        assert casework not in page


def test_the_person_page_is_paginated_and_its_queries_are_bounded(client, region, dpo,
                                                                   django_assert_max_num_queries):
    for _ in range(60):
        audit.record(region.epc, "view", T, person_id=region.pupil.pk, fields=["identity"])
    client.force_login(dpo)
    with django_assert_max_num_queries(30):  # constant: one query for every actor's roles, not one per row
        first = client.get(reverse("dpo:person", args=[region.pupil.pk])).content.decode()
    assert 'data-testid="pagination"' in first and "page=2" in first
    second = client.get(reverse("dpo:person", args=[region.pupil.pk]), {"page": 2})
    assert second.status_code == 200


def test_opening_the_trail_is_itself_audited_for_governance(client, region, dpo):
    client.force_login(dpo)
    client.get(reverse("dpo:person", args=[region.pupil.pk]))
    event = AuditEvent.objects.filter(actor=dpo, action="view", person_id=region.pupil.pk).get()
    assert event.purpose == "governance" and event.fields == ["identity"]


# What did this user do -----------------------------------------------------------------------------------------


def test_the_user_page_lists_their_events_filtered_by_action_and_date(client, region, dpo):
    audit.record(region.epc, "view", T, person_id=region.pupil.pk)
    audit.record(region.epc, "denied", T, person_id=region.other_pupil.pk, detail={"reason": "no relationship"})
    client.force_login(dpo)
    url = reverse("dpo:user", args=[region.epc.pk])
    everything = client.get(url).content.decode()
    assert reverse("dpo:person", args=[region.pupil.pk]) in everything
    assert reverse("dpo:person", args=[region.other_pupil.pk]) in everything
    denied = client.get(url, {"action": "denied"}).content.decode()
    assert reverse("dpo:person", args=[region.pupil.pk]) not in denied
    assert reverse("dpo:person", args=[region.other_pupil.pk]) in denied
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    later = client.get(url, {"date_from": tomorrow}).content.decode()
    assert reverse("dpo:person", args=[region.pupil.pk]) not in later


# Unusual access ------------------------------------------------------------------------------------------------


def _views(user, count, start=1000):
    for person_id in range(start, start + count):
        audit.record(user, "view", T, person_id=person_id, fields=["identity"])


def test_a_user_who_viewed_60_people_in_a_day_is_flagged_and_one_who_viewed_10_is_not(client, region, dpo):
    _views(region.epc, 60)
    _views(region.school_staff, 10)
    since = timezone.now() - datetime.timedelta(days=1)
    flagged = queries.many_views(staff_overseen_by(dpo), since)
    assert [(f.actor_label, f.count) for f in flagged] == [("epc", 60)]
    client.force_login(dpo)
    page = client.get(reverse("dpo:unusual")).content.decode()
    section = page[page.index('data-testid="many-views"'):page.index('data-testid="out-of-hours"')]
    assert "epc" in section and "60" in section and "school.staff" not in section


def test_viewing_the_same_person_many_times_counts_once(region, dpo, settings):
    settings.YEP_UNUSUAL_VIEWS_PER_DAY = 5
    for _ in range(20):
        audit.record(region.epc, "view", T, person_id=region.pupil.pk)
    assert queries.many_views(staff_overseen_by(dpo), timezone.now() - datetime.timedelta(days=1)) == []


def _at(monkeypatch, when):
    monkeypatch.setattr(timezone, "now", lambda: when)


def test_bulk_reading_at_night_or_at_a_weekend_is_flagged_and_in_hours_is_not(region, dpo, monkeypatch):
    london = timezone.get_current_timezone()
    saturday_night = datetime.datetime(2026, 11, 21, 23, 30, tzinfo=london)
    tuesday_morning = datetime.datetime(2026, 11, 17, 10, 0, tzinfo=london)
    _at(monkeypatch, saturday_night)
    _views(region.epc, 15)
    audit.record(region.epc, "search", T, object_type="search", detail={"query": "Jones", "people": [1, 2, 3, 4,
                                                                                                      5, 6, 7]})
    _at(monkeypatch, tuesday_morning)
    _views(region.school_staff, 30)
    _at(monkeypatch, saturday_night + datetime.timedelta(hours=1))
    flagged = queries.out_of_hours_bulk(staff_overseen_by(dpo),
                                          tuesday_morning - datetime.timedelta(days=1))
    assert [(f.actor_label, f.day, f.count) for f in flagged] == [("epc", datetime.date(2026, 11, 21), 22)]


def test_refused_attempts_are_counted_by_user(region, dpo):
    for person_id in (1, 2, 2):
        audit.record(region.school_staff, "denied", T, person_id=person_id, detail={"reason": "no relationship"})
    rows = queries.refusals(staff_overseen_by(dpo), timezone.now() - datetime.timedelta(days=1))
    assert [(r["actor_label"], r["attempts"], r["people"]) for r in rows] == [("school.staff", 3, 2)]


def test_the_home_page_counts_what_needs_attention(client, region, dpo, monkeypatch):
    # On a weekday morning: the 60 views are unusual for their number, not also for their hour.
    _at(monkeypatch, datetime.datetime(2026, 11, 17, 10, 0, tzinfo=timezone.get_current_timezone()))
    services.open_break_glass(region.provider_staff, region.pupil, reason=REASON, actor=region.provider_staff,
                              context=T)
    services.request_rectification(region.pupil, field="town", requested_value="Caerdydd", reason="",
                                   requested_by="Dafydd", actor="t", context=T)
    audit.record(region.school_staff, "denied", T, person_id=region.other_pupil.pk)
    _views(region.epc, 60)
    client.force_login(dpo)
    page = client.get(reverse("dpo:home")).content.decode()
    for testid in ("count-break-glass", "count-rectification", "count-unusual", "count-denied"):
        assert f'data-testid="{testid}">1<' in page, testid


# Break-glass review --------------------------------------------------------------------------------------------


def test_the_dpo_reviews_an_emergency_access_with_a_note(client, region, dpo):
    access = services.open_break_glass(region.provider_staff, region.pupil, reason=REASON,
                                       actor=region.provider_staff, context=T)
    client.force_login(dpo)
    listing = client.get(reverse("dpo:break_glass")).content.decode()
    assert REASON in listing and "provider.staff" in listing and "ap Gruffydd" in listing
    url = reverse("dpo:break_glass_review", args=[access.pk])
    refused = client.post(url, {"note": "  "})
    assert refused.status_code == 400 and "Write a note on the review." in refused.content.decode()
    response = client.post(url, {"note": "Confirmed with the police: justified."})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == dpo and access.review_note == "Confirmed with the police: justified."
    assert REASON not in client.get(reverse("dpo:break_glass")).content.decode()
    assert REASON in client.get(reverse("dpo:break_glass"), {"show": "all"}).content.decode()


def test_listing_emergency_accesses_is_a_read_of_names_and_appears_on_the_trail(client, region, dpo):
    services.open_break_glass(region.provider_staff, region.pupil, reason=REASON, actor=region.provider_staff,
                              context=T)
    client.force_login(dpo)
    client.get(reverse("dpo:break_glass"))
    event = AuditEvent.objects.get(actor=dpo, object_type="list")
    assert event.detail["people"] == [region.pupil.pk]
    page = client.get(reverse("dpo:person", args=[region.pupil.pk])).content.decode()
    assert "Appeared in a list" in page


def test_an_epc_cannot_review_emergency_access(client, region):
    access = services.open_break_glass(region.provider_staff, region.pupil, reason=REASON,
                                       actor=region.provider_staff, context=T)
    client.force_login(region.epc)
    assert client.post(reverse("dpo:break_glass_review", args=[access.pk]), {"note": "fine"}).status_code == 403


# Rectification -------------------------------------------------------------------------------------------------


def _request(region, field="legal_surname", value="ap Gruffudd"):
    return services.request_rectification(region.pupil, field=field, requested_value=value, reason="Spelt wrongly",
                                          requested_by="Dafydd, by email", actor="t", context=T)


def test_recording_a_request_puts_it_in_the_queue(client, region, dpo):
    client.force_login(dpo)
    response = client.post(reverse("dpo:rectification_new", args=[region.pupil.pk]), {
        "field": "legal_surname", "requested_value": "ap Gruffudd", "reason": "Spelt wrongly",
        "requested_by": "Dafydd, by letter"})
    assert response.status_code == 302
    request = RectificationRequest.objects.get()
    assert (request.current_value, request.requested_value, request.status) == ("ap Gruffydd", "ap Gruffudd", "open")
    assert "ap Gruffudd" in client.get(reverse("dpo:rectification")).content.decode()


def test_accepting_a_request_corrects_the_record_through_the_register(client, region, dpo):
    request = _request(region)
    client.force_login(dpo)
    response = client.post(reverse("dpo:rectification_review", args=[request.pk]), {"decision": "accept"})
    assert response.status_code == 302
    region.pupil.refresh_from_db()
    request.refresh_from_db()
    assert region.pupil.legal_surname == "ap Gruffudd" and request.status == "accepted" and request.reviewed_by == dpo
    change = AuditEvent.objects.filter(person_id=region.pupil.pk, action="change", object_type="person").get()
    assert change.fields == ["legal_surname"] and change.actor == dpo


def test_a_correction_the_register_refuses_is_shown_and_the_request_stays_open(client, region, dpo):
    request = _request(region, field="postcode", value="NOT A POSTCODE")
    client.force_login(dpo)
    response = client.post(reverse("dpo:rectification_review", args=[request.pk]), {"decision": "accept"})
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    request.refresh_from_db()
    region.pupil.refresh_from_db()
    assert request.status == "open" and region.pupil.postcode == "CF24 3AB"


def test_rejecting_needs_a_reason_and_records_it(client, region, dpo):
    request = _request(region)
    client.force_login(dpo)
    url = reverse("dpo:rectification_review", args=[request.pk])
    assert client.post(url, {"decision": "reject", "reject-reason": ""}).status_code == 400
    assert client.post(url, {"decision": "reject", "reject-reason": "The birth certificate says Gruffydd."}) \
        .status_code == 302
    request.refresh_from_db()
    region.pupil.refresh_from_db()
    assert request.status == "rejected" and request.review_note == "The birth certificate says Gruffydd."
    assert region.pupil.legal_surname == "ap Gruffydd"


def test_a_decided_request_cannot_be_decided_again(region, dpo):
    request = _request(region)
    services.reject_rectification(request, reason="No evidence.", actor=dpo, context=T)
    with pytest.raises(ValidationError):
        services.accept_rectification(request, actor=dpo, context=T)
    region.pupil.refresh_from_db()
    assert region.pupil.legal_surname == "ap Gruffydd"


def test_a_request_for_a_field_that_cannot_be_corrected_here_is_refused_with_every_problem(region):
    with pytest.raises(ValidationError) as refused:
        services.request_rectification(region.pupil, field="ni_number_encrypted", requested_value="x", reason="",
                                       requested_by="", actor="t", context=T)
    assert set(refused.value.message_dict) == {"field", "requested_by"}
    assert not RectificationRequest.objects.exists()


# Retention page ------------------------------------------------------------------------------------------------


def test_the_retention_page_lists_the_rules_and_says_the_audit_log_is_kept(client, region, dpo):
    client.force_login(dpo)
    client.post(reverse("dpo:retention"), {"action": "defaults"})
    page = client.get(reverse("dpo:retention")).content.decode()
    assert "Sign-in attempts" in page and "Young people&#x27;s records" in page
    assert "pruning the chain needs an anchor" in page
    client.post(reverse("dpo:retention"), {"action": "run"})
    assert "No runs yet." not in client.get(reverse("dpo:retention")).content.decode()

"""The staff pages: login, home, search and a young person's record, in English and Welsh."""

from django.urls import reverse

from tests import factories
from yep.access.models import AuditEvent


def login(client, user):
    client.force_login(user)
    return client


def test_the_login_page_signs_a_user_in_and_logs_it(client, region):
    response = client.post(reverse("web:login"), {"username": "epc", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.url == reverse("web:home")
    assert AuditEvent.objects.filter(actor=region.epc, action="login").exists()


def test_a_wrong_password_is_refused_with_a_message(client, region):
    response = client.post(reverse("web:login"), {"username": "epc", "password": "nope"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_pages_need_a_signed_in_user(client, region):
    for url in (reverse("web:home"), reverse("people:search"), reverse("people:detail", args=[region.pupil.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("web:login"))


def test_home_shows_roles_and_how_many_records_the_user_can_see(client, region):
    page = login(client, region.epc).get(reverse("web:home")).content.decode()
    assert "Engagement and Progression Coordinator" in page
    assert "You can see 1 young person" in page


def test_home_tells_an_analyst_they_see_aggregates_only(client, region):
    page = login(client, region.analyst).get(reverse("web:home")).content.decode()
    assert "aggregate figures only" in page


def test_search_finds_a_visible_young_person_and_logs_the_search(client, region):
    response = login(client, region.school_staff).get(reverse("people:search"), {"q": "David ap Gruffydd"})
    assert reverse("people:detail", args=[region.pupil.pk]) in response.content.decode()
    event = AuditEvent.objects.get(actor=region.school_staff, action="search")
    assert event.detail["people"] == [region.pupil.pk]


def test_search_does_not_show_people_outside_the_users_relationships(client, region):
    page = login(client, region.school_staff).get(reverse("people:search"), {"q": "Rhiannon Williams"}).content
    assert b'data-testid="results"' not in page and b"0 results" in page
    assert reverse("people:detail", args=[region.other_pupil.pk]).encode() not in page


def test_the_person_page_shows_identity_and_tabs(client, region, django_assert_max_num_queries):
    login(client, region.epc)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("people:detail", args=[region.pupil.pk])).content.decode()
    assert "ap Gruffydd" in page and region.pupil.upn in page
    for tab in ("Identity and contacts", "Characteristics", "Enrolment history"):
        assert tab in page


def test_the_enrolment_tab_lists_the_school(client, region):
    page = login(client, region.epc).get(reverse("people:enrolments", args=[region.pupil.pk])).content.decode()
    assert "Ysgol Gyfun Glantaf" in page


def test_another_las_young_person_is_not_found(client, region):
    response = login(client, region.epc).get(reverse("people:detail", args=[region.other_pupil.pk]))
    assert response.status_code == 404


def test_sensitive_characteristics_are_masked_for_provider_staff_and_shown_to_the_epc(client, region):
    import datetime

    from yep.people import services

    services.add_characteristic(region.pupil, "looked_after", start=datetime.date(2022, 1, 1), actor="test",
                                context=factories.TEST)
    factories.enrol(region.pupil, region.college, year_group=None, start=datetime.date(2024, 9, 1))
    url = reverse("people:characteristics", args=[region.pupil.pk])
    page = login(client, region.provider_staff).get(url).content.decode()
    assert "Restricted" in page and "Looked after" not in page
    page = login(client, region.epc).get(url).content.decode()
    assert "Looked after" in page and "Restricted" not in page


def test_the_language_switch_turns_the_site_welsh(client, region):
    login(client, region.epc)
    response = client.get(reverse("web:language"), {"lang": "cy", "next": reverse("web:home")}, follow=True)
    page = response.content.decode()
    assert 'lang="cy"' in page and "Dod o hyd i berson ifanc" in page
    region.epc.refresh_from_db()
    assert region.epc.preferred_language == "cy"


def test_the_language_switch_never_redirects_off_the_site(client, region):
    response = client.get(reverse("web:language"), {"lang": "cy", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("web:home")


def test_adding_a_young_person_with_bad_details_shows_each_problem_and_saves_nothing(client, region):
    from yep.people.models import Person

    before = Person.objects.count()
    response = login(client, region.epc).post(reverse("people:add"), {
        "legal_forenames": "Cai", "legal_surname": "Lloyd", "dob": "31/31/2009", "postcode": "XX", "upn": "B1"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter a real date of birth" in page and "real postcode" in page and "12 digits" in page
    assert Person.objects.count() == before


def test_adding_a_young_person_takes_you_to_their_record(client, region):
    response = login(client, region.epc).post(reverse("people:add"), {
        "legal_forenames": "Cai", "legal_surname": "Lloyd", "dob": "2010-01-05", "postcode": "cf5 1aa",
        "la_code": "681", "sex": "M", "preferred_language": "cy"}, follow=True)
    assert "Cai Lloyd" in response.content.decode()


def test_school_staff_may_add_but_analysts_may_not(client, region):
    assert login(client, region.school_staff).get(reverse("people:add")).status_code == 200
    assert login(client, region.analyst).get(reverse("people:add")).status_code == 403


def test_coded_characteristics_are_shown_in_words_in_either_language(client, region):
    import datetime

    from yep.people import services

    for kind, value in (("ethnicity", "WBRI"), ("aln", "la_idp:SEMH")):
        services.add_characteristic(region.pupil, kind, value=value, start=datetime.date(2022, 1, 1), actor="test",
                                    context=factories.TEST)
    url = reverse("people:characteristics", args=[region.pupil.pk])
    page = login(client, region.epc).get(url).content.decode()
    assert "White British" in page and "Social, emotional and mental health" in page
    client.get(reverse("web:language"), {"lang": "cy"})
    assert "Gwyn Prydeinig" in client.get(url).content.decode()


def test_home_sends_a_dpo_to_the_data_protection_pages(client, region):
    from yep.people.models import Role

    dpo = factories.make_user(Role.DPO, region.la, "dpo")
    page = login(client, dpo).get(reverse("web:home")).content.decode()
    assert reverse("dpo:home") in page and "no role that gives access" not in page

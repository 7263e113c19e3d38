"""Acceptance: the data protection officer answers "who saw this young person's record, and why" in the UI.

An EPC opens Dafydd's record; a member of his school's staff searches for him and opens it; a college user with
no relationship breaks the glass and opens it. The DPO finds Dafydd by name and the page lists all three, each with
their role and purpose, and the reason given for the emergency access.
"""

import re
from html import unescape

from django.urls import reverse

from tests import factories
from yep.access import audit, services
from yep.people.models import Role

REASON = "Police asked us to confirm his address for an urgent welfare check tonight."


def _trail_rows(page: str) -> list[str]:
    table = page[page.index('data-testid="trail"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_the_dpo_sees_who_saw_dafydds_record_and_why(client, region):
    dafydd = region.pupil
    client.force_login(region.epc)
    assert client.get(reverse("people:detail", args=[dafydd.pk])).status_code == 200

    client.force_login(region.school_staff)
    assert dafydd.pk in [p.pk for p in client.get(reverse("people:search"), {"q": "Dafydd ap Gruffydd"})
                         .context["results"]]
    assert client.get(reverse("people:detail", args=[dafydd.pk])).status_code == 200

    client.force_login(region.provider_staff)
    assert client.get(reverse("people:detail", args=[dafydd.pk])).status_code == 404
    services.open_break_glass(region.provider_staff, dafydd, reason=REASON, actor=region.provider_staff,
                              context=audit.AuditContext(purpose="emergency", channel="web"))
    assert client.get(reverse("people:detail", args=[dafydd.pk])).status_code == 200

    client.force_login(factories.make_user(Role.DPO, region.la, "dpo"))
    home = client.get(reverse("dpo:home")).content.decode()
    assert reverse("dpo:people") in home
    found = client.get(reverse("dpo:people"), {"q": "ap Gruffydd"}).content.decode()
    assert reverse("dpo:person", args=[dafydd.pk]) in found
    rows = _trail_rows(client.get(reverse("dpo:person", args=[dafydd.pk])).content.decode())

    def row(actor: str, what: str) -> str:
        return next(r for r in rows if f" {actor} " in f" {r} " and what in r)

    assert "Engagement and Progression Coordinator" in row("epc", "Viewed the record")
    assert "casework" in row("epc", "Viewed the record")
    assert "School staff" in row("school.staff", "Appeared in search results")
    assert "casework" in row("school.staff", "Viewed the record")
    glass = row("provider.staff", "Opened emergency access")
    assert "Post-16 provider staff" in glass and "emergency" in glass and REASON in glass
    assert "Emergency access (break the glass)" in row("provider.staff", "Viewed the record")
    # Newest first: the emergency access, then the school, then the EPC.
    actors = [a for r in rows for a in ("provider.staff", "school.staff", "epc") if f" {a} " in f" {r} "]
    assert actors.index("provider.staff") < actors.index("school.staff") < actors.index("epc")
    # A failed attempt before the glass was broken is on the page too.
    assert row("provider.staff", "Was refused access")

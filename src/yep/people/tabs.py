"""The tabs of a young person's record. Later apps add theirs here (risk, lead worker, timeline, applications)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PersonTab:
    slug: str
    label: str | Promise
    url_name: str
    permission: str = ""  # shown only to users holding it (empty: to everyone who may open the record)


PERSON_TABS = [
    PersonTab("identity", _("Identity and contacts"), "people:detail"),
    PersonTab("characteristics", _("Characteristics"), "people:characteristics"),
    PersonTab("enrolments", _("Enrolment history"), "people:enrolments"),
    PersonTab("risk", _("Early identification"), "identify:person_risk"),
    PersonTab("lead_worker", _("Lead worker"), "broker:person_lead_worker"),
    PersonTab("timeline", _("Timeline"), "track:person_timeline"),
    PersonTab("data_hub", _("Data hub"), "link:person_records", "link.link_datasets"),
    PersonTab("sharing", _("Sharing and consent"), "access:sharing"),
]

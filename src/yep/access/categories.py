"""The categories of a young person's data that access is granted by, and which fields each holds.

A grant opens some categories; a page, export or API answer shows only fields in the categories it holds.
"""

from django.utils.translation import gettext_lazy as _

IDENTITY = "identity"  # names, date of birth, sex, UPN, ULN, LA of residence
CONTACT = "contact"  # address, phone, email, parents and carers
CHARACTERISTICS = "characteristics"  # FSM, ethnicity, EOTAS, home education
SENSITIVE = "sensitive"  # looked after, care experienced, ALN, pregnancy, youth justice, disability, refugee
ENROLMENTS = "enrolments"  # school and provider history
RISK = "risk"  # early identification indicators and scores (never to admissions)
SUPPORT_NEEDS = "support_needs"  # agreed needs and the support package
LEAD_WORKER_CONTACT = "lead_worker_contact"
APPLICATION = "application"  # post-16 applications: what an admissions user may see
DESTINATION = "destination"  # what a leaver went on to do

ALL = frozenset({IDENTITY, CONTACT, CHARACTERISTICS, SENSITIVE, ENROLMENTS, RISK, SUPPORT_NEEDS,
                 LEAD_WORKER_CONTACT, APPLICATION, DESTINATION})

LABELS = {
    IDENTITY: _("Identity"),
    CONTACT: _("Contact details"),
    CHARACTERISTICS: _("Characteristics"),
    SENSITIVE: _("Sensitive characteristics"),
    ENROLMENTS: _("Enrolment history"),
    RISK: _("Early identification and risk"),
    SUPPORT_NEEDS: _("Support needs"),
    LEAD_WORKER_CONTACT: _("Lead worker's contact details"),
    APPLICATION: _("Applications"),
    DESTINATION: _("Destinations"),
}

# What may still flow to another organisation when the young person (or a parent) has objected under
# ESA 2008 s72: name, address and date of birth.
UNDER_OBJECTION = frozenset({IDENTITY, CONTACT})

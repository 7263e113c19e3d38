"""The ``notifications`` import kind (`yep import notifications FILE`, the upload pages): a provider's file of
leavers and young people seriously at risk, as CSV or XLSX.

All or nothing on validation: every row is checked by ``track.services_notifications.clean_notification`` (and
the importer must be allowed to notify for the row's provider) before anything is written. A row that cannot be
matched to a young person is not an error: it goes to the careers service's unmatched queue. A row the provider
has already sent is left unchanged, so the same file imported twice adds nothing."""

import datetime
import re
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from yep.imports import Column, ImportKind, ImportReport, RowError, register
from yep.people.models import Organisation
from yep.people.models.organisations import EDUCATION_KINDS

from . import notifications as reads
from . import services_notifications as services
from .models import LeftReason, NotificationKind

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
KIND_WORDS = {"left": NotificationKind.LEFT, "dropped_out": NotificationKind.LEFT,
              "seriously_at_risk": NotificationKind.SERIOUSLY_AT_RISK, "at_risk": NotificationKind.SERIOUSLY_AT_RISK}
# Where a problem the service reports by field shows in the file.
COLUMN_OF = {"left_on": "date_left", "identifiers": "uln", "__all__": "uln", "provider": "provider"}


class Parser:
    """A column's parser with the hint the upload page shows."""

    def __init__(self, parse: Any, hint: Any) -> None:
        self.parse, self.hint = parse, hint

    def __call__(self, text: str) -> Any:
        return self.parse(text)


def _text(text: str) -> str:
    return " ".join(text.split())


def _date(text: str) -> datetime.date:
    iso, uk = _ISO_DATE.match(text), _UK_DATE.match(text)
    try:
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return datetime.date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        pass  # a day or month out of range: the same message as any other bad date
    raise ValueError(_("write a real date as YYYY-MM-DD or DD/MM/YYYY"))


def _kind(text: str) -> str:
    value = KIND_WORDS.get(re.sub(r"[\s-]+", "_", text.strip().lower()))
    if value is None:
        raise ValueError(_("the kind is left or seriously_at_risk"))
    return value


def _reason(text: str) -> str:
    value = re.sub(r"[\s-]+", "_", text.strip().lower())
    if value not in LeftReason.values:
        raise ValueError(_("the reason is one of: %(reasons)s") % {"reasons": ", ".join(LeftReason.values)})
    return value


def _providers(codes: set[str]) -> dict[str, list[Organisation]]:
    found: dict[str, list[Organisation]] = {}
    for org in Organisation.objects.filter(Q(code__in=codes) | Q(ref__in=codes), kind__in=EDUCATION_KINDS):
        for key in {org.code, org.ref} & codes:
            found.setdefault(key, []).append(org)
    return found


def _provider_for(row: dict[str, Any], found: dict[str, list[Organisation]],
                  own: list[Organisation]) -> Organisation | str:
    """The row's provider, or the reason there is none."""
    if row["provider"]:
        matches = found.get(row["provider"], [])
        return matches[0] if len(matches) == 1 else _("there is no single provider with this code")
    if len(own) == 1:
        return own[0]
    return _("say which provider (its code) the young person left")


def _row_problems(row: dict[str, Any], actor: Any, seen: dict[tuple[Any, ...], int]) -> list[tuple[str, str]]:
    if not reads.may_notify_for(actor, row["provider"]):
        return [("provider", _("not a provider you can send notifications for"))]
    row["kind"] = row["kind"] or NotificationKind.LEFT
    row["left_on"], row["reason"], row["notes"] = row["date_left"], row["reason"] or "", row["notes"] or ""
    cleaned, errors = services.clean_notification(row["provider"], kind=row["kind"], identifiers=row,
                                                  left_on=row["left_on"], reason=row["reason"], notes=row["notes"])
    errors.pop("__all__", None)  # already sent: left unchanged on import, not a problem
    key = services.notification_key(cleaned)
    if key in seen and not errors:
        errors["__all__"] = [_("the same notification is also in row %(row)s") % {"row": seen[key]}]
    seen.setdefault(key, row["_row"])
    return [(name, " ".join(messages)) for name, messages in errors.items()]


def _resolve(rows: list[dict[str, Any]], actor: Any) -> list[RowError]:
    """Each row's provider (the importer's own when the column is empty) and every check of the service."""
    found = _providers({r["provider"] for r in rows if r["provider"]})
    own = list(reads.own_providers(actor))
    errors: list[RowError] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        provider = _provider_for(row, found, own)
        if isinstance(provider, str):
            errors.append(RowError(row["_row"], "provider", row["provider"] or "", provider))
            continue
        row["provider"] = provider
        for name, reason in _row_problems(row, actor, seen):
            column = COLUMN_OF.get(name, name)
            errors.append(RowError(row["_row"], column, str(row.get(column) or ""), reason))
    return errors


def _optional(name: str, parse: Any, hint: Any) -> Column:
    return Column(name, Parser(parse, hint), required=False)


def _summary(report: ImportReport) -> str:
    unmatched = report.extra.get("unmatched", 0)
    return ngettext("%(n)s notification could not be matched: the careers service will match it by hand.",
                    "%(n)s notifications could not be matched: the careers service will match them by hand.",
                    unmatched) % {"n": unmatched} if unmatched else ""


NOTIFICATIONS = register(ImportKind(
    name="notifications",
    label=gettext_lazy("Provider notifications: leavers and young people seriously at risk"),
    columns=(
        _optional("provider", _text, gettext_lazy("Your provider's code (UKPRN); empty if you work for one "
                                                  "provider.")),
        _optional("kind", _kind, gettext_lazy("left (the default) or seriously_at_risk.")),
        _optional("uln", _text, gettext_lazy("The learner's ULN (10 digits), if known.")),
        _optional("upn", _text, gettext_lazy("The UPN from school, if known.")),
        _optional("forenames", _text, gettext_lazy("Legal forenames.")),
        _optional("surname", _text, gettext_lazy("Legal surname.")),
        _optional("dob", _date, gettext_lazy("Date of birth: YYYY-MM-DD or DD/MM/YYYY.")),
        _optional("postcode", _text, gettext_lazy("Home postcode, if known.")),
        _optional("date_left", _date, gettext_lazy("The last day at the provider; needed for a leaver.")),
        _optional("reason", _reason, gettext_lazy("If known: seeking, illness, pregnancy, caring, parent or "
                                                  "not_known.")),
        _optional("course", _text, gettext_lazy("The course, if any.")),
        _optional("phone", _text, gettext_lazy("A phone number for the young person, if known.")),
        _optional("email", _text, gettext_lazy("An email address for the young person, if known.")),
        _optional("notes", _text, gettext_lazy("Anything the careers service should know.")),
    ),
    apply=services.record_notification_rows,
    resolve=_resolve,
    permission="track.notify",
    summary=_summary,
))

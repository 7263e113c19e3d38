"""Exports of a run's results (CSV or XLSX): the school's list, the EPC's whole run, or England's RONI list.

Callers pass only the results the user may see (``queries.results_visible_to``) and audit the export."""

import csv
import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Band, Result, RiskModel
from .queries import indicator_labels


def support_text(result: Result) -> str:
    return ", ".join(result.support_labels)


def rows(results: QuerySet[Result], *, roni: bool = False) -> list[list[Any]]:
    """A header and one row per pupil; the RONI list keeps identified pupils only, highest risk first."""
    header = [_("UPN"), _("Surname"), _("Forenames"), _("Date of birth"), _("School"), _("Year group"), _("Score"),
              _("Computed band"), _("Agreed band"), _("Contributing factors"), _("Support in place")]
    out: list[list[Any]] = [header]
    labels: dict[int, list[str]] = {}
    models: dict[int, RiskModel] = {}
    for r in results.select_related("run__model", "person", "school"):
        model = models.setdefault(r.run.model_id, r.run.model)
        if roni and r.current_band == Band.NONE:
            continue
        if model.pk not in labels:
            labels[model.pk] = list(indicator_labels(model).values())
        names = labels[model.pk]
        factors = "; ".join(f"{name} (+{p})" for name, p in zip(names, r.points, strict=True) if p)
        out.append([r.person.upn or "", r.person.legal_surname, r.person.legal_forenames, r.person.dob.isoformat(),
                    r.school.name, r.year_group, r.score, model.band_label(r.band),
                    model.band_label(r.agreed_band) if r.agreed_band else "", factors, support_text(r)])
    if roni:
        out[1:] = sorted(out[1:], key=lambda row: -row[6])
    return out


def render(table: list[list[Any]], fmt: str) -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.writer.excel import save_workbook

        book = Workbook(write_only=True)
        # A write-only sheet takes whole rows, appended in order.
        sheet_rows = book.create_sheet(_("Results"))
        for row in table:
            sheet_rows.append(row)
        buffer = io.BytesIO()
        save_workbook(book, buffer)
        return buffer.getvalue()
    text = io.StringIO()
    csv.writer(text).writerows(table)
    return text.getvalue().encode("utf-8-sig")

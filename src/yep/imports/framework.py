"""The import framework: read a table, validate every row, then apply all of it in one transaction."""

import csv
import hashlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MAX_ERRORS_SHOWN = 200  # a file with thousands of problems is wrong as a whole; the first 200 say how


@dataclass(frozen=True)
class Column:
    """One column: its header, whether it must have a value, and the parser that turns text into a value."""

    name: str
    parse: Callable[[str], Any]
    required: bool = True


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row number, counting the header as row 1
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return _("row %(row)s, %(column)s “%(value)s”: %(reason)s") % {
            "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    file_sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class ImportRefused(Exception):
    """The file was not applied: nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError], message: str = "", total: int | None = None):
        self.errors = errors[:MAX_ERRORS_SHOWN]
        self.total = len(errors) if total is None else total
        super().__init__(message or _("The file was not imported: %(count)s problems found. Nothing was changed.")
                         % {"count": self.total})


@dataclass(frozen=True)
class ImportKind:
    """A kind of file: its columns, a check across the whole row (optional), and how to apply clean rows.

    ``apply(rows, actor=..., context=..., report=...)`` receives every row already parsed, as dicts, with a
    ``_row`` number; it writes through services and fills in the report's counts.
    """

    name: str
    label: str | Promise
    columns: tuple[Column, ...]
    apply: Callable[..., None]
    check_row: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None
    # Checks that need the database (e.g. every UPN is a pupil the importer may see): rows, actor -> errors.
    resolve: Callable[[list[dict[str, Any]], Any], list[RowError]] | None = None
    # The permission a user needs to send this kind of file (the upload page lists only the kinds they may).
    permission: str = "identify.import_indicators"
    # What else the import did, in words for the result page (e.g. rows left for someone to match).
    summary: Callable[["ImportReport"], str] | None = None


KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    KINDS[kind.name] = kind
    return kind


def _rows_from_csv(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.reader(handle)


def _rows_from_xlsx(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield ["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in values]
    finally:
        book.close()


def read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a CSV (UTF-8) or XLSX file (its first sheet)."""
    try:
        if path.suffix.lower() == ".xlsx":
            rows = list(_rows_from_xlsx(path))
        elif path.suffix.lower() == ".csv":
            rows = list(_rows_from_csv(path))
        else:
            raise ImportRefused([], _("Upload a CSV or XLSX file."))
    except UnicodeDecodeError as problem:
        raise ImportRefused([], _("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8” and "
                                  "try again.")) from problem
    except (csv.Error, zipfile.BadZipFile, KeyError, OSError) as problem:
        raise ImportRefused([], _("The file cannot be read as a CSV or XLSX file. Check it opens in a spreadsheet "
                                  "and save it again.")) from problem
    if not rows:
        raise ImportRefused([], _("The file is empty."))
    header = [h.strip().lower() for h in rows[0]]
    return header, [r for r in rows[1:] if any(cell.strip() for cell in r)]


def _check_header(kind: ImportKind, header: list[str]) -> None:
    missing = [c.name for c in kind.columns if c.name not in header]
    if missing:
        raise ImportRefused([RowError(1, name, "", _("this column is missing")) for name in missing])


def validate(kind: ImportKind, header: list[str], rows: list[list[str]],
             actor: Any = None) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Parse every row; collect every problem. Writes nothing."""
    _check_header(kind, header)
    index = {name: header.index(name) for name in (c.name for c in kind.columns)}
    clean, errors = [], []
    for number, raw in enumerate(rows, start=2):
        row: dict[str, Any] = {"_row": number}
        row_errors: list[RowError] = []
        for column in kind.columns:
            text = raw[index[column.name]].strip() if index[column.name] < len(raw) else ""
            if not text:
                if column.required:
                    row_errors.append(RowError(number, column.name, "", _("a value is needed")))
                row[column.name] = None
                continue
            try:
                row[column.name] = column.parse(text)
            except ValueError as problem:
                row_errors.append(RowError(number, column.name, text, str(problem)))
        if kind.check_row and not row_errors:
            row_errors += [RowError(number, col, str(row.get(col, "")), reason) for col, reason in kind.check_row(row)]
        errors += row_errors
        clean.append(row)
    if not errors and kind.resolve:
        errors = kind.resolve(clean, actor)
    return clean, errors


def run_import(kind: ImportKind, path: Path, *, actor: Any, context: Any, dry_run: bool = False) -> ImportReport:
    """Validate the whole file, then apply it in one transaction. Raises ImportRefused, changing nothing, when any
    row is wrong."""
    header, rows = read_table(path)
    clean, errors = validate(kind, header, rows, actor)
    if errors:
        raise ImportRefused(errors)
    report = ImportReport(kind=kind.name, rows=len(clean), file_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    if dry_run:
        return report
    with transaction.atomic():
        kind.apply(clean, actor=actor, context=context, report=report)
    return report

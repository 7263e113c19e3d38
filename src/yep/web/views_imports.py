"""The upload page for partners' files, for every registered import kind: choose the kind, then check a CSV or
XLSX file (nothing changes) or import it (all rows or none). Problems come back as a table: row, column, value,
reason."""

import zipfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.imports import KINDS, ImportKind, ImportRefused, ImportReport, run_import
from yep.imports.uploads import saved_upload, upload_problem

PURPOSE = "import"


def _describe(kind: ImportKind) -> dict[str, Any]:
    """A kind as the page lists it; a column's hint comes from its parser when it has one."""
    return {
        "name": kind.name,
        "label": kind.label,
        "columns": [{"name": c.name, "required": c.required, "hint": getattr(c.parse, "hint", "")}
                    for c in kind.columns],
    }


@requires("web.upload_files")
def import_kinds(request: HttpRequest) -> HttpResponse:
    kinds = [_describe(kind) for _name, kind in sorted(KINDS.items()) if request.user.has_perm(kind.permission)]
    return render(request, "web/import_upload.html", {"kinds": kinds})


def _unreadable(path: Path) -> str:
    """Catch a file the framework could not read (a CSV not in UTF-8, a file renamed to .xlsx) with a message
    instead of an error page ('' when readable)."""
    if path.suffix == ".xlsx":
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as book:
                if "xl/workbook.xml" in book.namelist():
                    return ""
        return _("This file is not an XLSX workbook: save it from your spreadsheet as XLSX or CSV.")
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return _("Save the CSV file as UTF-8 (in Excel: CSV UTF-8) and upload it again.")
    return ""


def _run(kind: ImportKind, upload: UploadedFile, request: HttpRequest, *, check_only: bool) -> ImportReport:
    """Save the upload to a temporary file for ``run_import`` (deleted afterwards) and run it.

    A check applies the file and rolls it back: the framework's dry run only validates, and this gives the same
    counts of new, changed and unchanged rows that the import will report, from the same code.
    """
    context = audit.AuditContext.from_request(request, PURPOSE)
    with saved_upload(upload, prefix="yep-import-") as path:
        problem = _unreadable(path)
        if problem:
            raise ImportRefused([], problem)
        if not check_only:
            return run_import(kind, path, actor=request.user, context=context)
        with transaction.atomic():
            report = run_import(kind, path, actor=request.user, context=context)
            transaction.set_rollback(True)
        return report


@requires("web.upload_files")
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    chosen = KINDS.get(kind)
    if chosen is None:
        raise Http404("No such kind of import")
    if not request.user.has_perm(chosen.permission):
        audit.record(request.user, "denied", audit.AuditContext.from_request(request, PURPOSE),
                     object_type="import", detail={"kind": chosen.name})
        raise PermissionDenied
    page: dict[str, Any] = {"kind": _describe(chosen), "kinds": [_describe(chosen)]}
    if request.method != "POST":
        return render(request, "web/import_upload.html", page)
    check_only = request.POST.get("action") != "import"
    upload = request.FILES.get("file")
    page["problem"] = upload_problem(upload)
    if page["problem"] or upload is None:
        return render(request, "web/import_upload.html", page)
    try:
        report = _run(chosen, upload, request, check_only=check_only)
    except ImportRefused as refused:
        page |= {"problem": str(refused), "errors": refused.errors, "total": refused.total}
        return render(request, "web/import_upload.html", page)
    if check_only:
        page["checked"] = report
        return render(request, "web/import_upload.html", page)
    return render(request, "web/import_result.html", {"kind": page["kind"], "report": report,
                                                      "summary": chosen.summary(report) if chosen.summary else ""})

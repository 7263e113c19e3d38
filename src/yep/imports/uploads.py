"""A file sent through a page or the API, before any row is read: whether it can be a table at all, and a copy of
it on disk for as long as the import needs it (deleted afterwards: it holds personal data)."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

SUFFIXES = (".csv", ".xlsx")
MAX_BYTES = 50 * 1024 * 1024  # a termly return or a year's census for a large LA is about 10 MB as CSV


def upload_problem(upload: UploadedFile | None) -> str:
    """What is wrong with the upload itself, before any row is read ('' when nothing)."""
    if upload is None:
        return _("Choose a CSV or XLSX file to upload.")
    if Path(upload.name or "").suffix.lower() not in SUFFIXES:
        return _("Upload a CSV or XLSX file.")
    if (upload.size or 0) > MAX_BYTES:
        return _("The file is larger than 50 MB: split it into smaller files.")
    return ""


@contextmanager
def saved_upload(upload: UploadedFile, prefix: str = "yep-upload-") -> Iterator[Path]:
    """The upload written to a temporary folder, removed with everything in it when the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        path = Path(folder) / f"upload{Path(upload.name or '').suffix.lower()}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path

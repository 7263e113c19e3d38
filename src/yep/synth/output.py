"""Writing the generated tables as CSV or Parquet, and the manifest that describes them.

Blank values are written as empty CSV fields (nulls in Parquet). Dates are ISO ``YYYY-MM-DD``.
The manifest lists every file with its row count and SHA-256 and holds no timestamps, so the
same options give a byte-identical run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from yep.synth.school_calendar import NULL_DAY

GENERATOR_VERSION = "1.0.0"


def dates(days: np.ndarray) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    blank = days == NULL_DAY
    return pa.array(np.where(blank, 0, days).astype("datetime64[D]"), pa.date32(), mask=blank)


def ints(values: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), pa.int64(), mask=blank)


def strings(values: np.ndarray | list[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def lookup(names: np.ndarray, index: np.ndarray) -> pa.Array:
    """Names by index, blank where the index is -1 (e.g. org_id of an activity without one)."""
    index = np.asarray(index, dtype=np.int64)
    values = np.asarray(names, dtype=object)[np.maximum(index, 0)].copy()
    values[index < 0] = None
    return strings(values)


@dataclass
class FileEntry:
    name: str
    rows: int
    sha256: str


@dataclass
class Manifest:
    """What a run produced; also written to ``manifest.json`` in the output directory."""

    generator: str
    version: str
    seed: int
    as_of: str
    people: int
    la_codes: list[str]
    format: str
    files: list[FileEntry] = field(default_factory=list)

    def rows(self, name: str) -> int:
        return next(f.rows for f in self.files if f.name == name)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_table(out: Path, name: str, columns: dict[str, pa.Array], fmt: str) -> FileEntry:
    """Write one table as ``name.csv`` or ``name.parquet`` (``name`` may contain a folder)."""
    table = pa.table(columns)
    path = out / f"{name}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        options = pacsv.WriteOptions(quoting_style="needed", quoting_header="none", batch_size=65536)
        pacsv.write_csv(table, path, options)
    else:
        pq.write_table(table, path, compression="zstd")
    return FileEntry(path.relative_to(out).as_posix(), table.num_rows, _sha256(path))


def write_manifest(out: Path, manifest: Manifest) -> None:
    (out / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")

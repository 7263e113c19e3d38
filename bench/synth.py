"""Synthetic population: `yep synth` for N people (default 1,000,000) across all 22 LAs.

Budget: 1,000,000 people in under 5 minutes on 2 cores (issue 2). Reference: writing a people.csv of the same
number of rows and columns from ready-made random columns with pyarrow, the floor any generator must pay.
"""

import datetime
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from yep.synth import SynthConfig, generate


def _reference(rows: int, columns: int, out: Path) -> float:
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    table = pa.table({f"c{i}": rng.integers(0, 10**9, rows).astype(str) for i in range(columns)})
    pacsv.write_csv(table, out / "reference.csv")
    return time.perf_counter() - started


def run(size: int | None = None) -> dict:
    people = size or 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "synth"
        started = time.perf_counter()
        generate(SynthConfig(people=people, seed=1, out=out, as_of=datetime.date(2026, 11, 23)),
                            progress=False)
        measured = time.perf_counter() - started
        with (out / "people.csv").open() as handle:
            columns = len(handle.readline().split(","))
        reference = _reference(people, columns, Path(tmp))
        files = {p.name: p.stat().st_size for p in out.rglob("*.csv")}
    return {
        "what": f"yep synth --people {people:,} (all 22 LAs)",
        "measured": measured,
        "reference": reference,
        "reference_what": f"pyarrow writing {people:,} rows x {columns} columns",
        "extra": {"budget": "300 s for 1,000,000 people", "files": len(files),
                  "megabytes": round(sum(files.values()) / 1e6)},
    }

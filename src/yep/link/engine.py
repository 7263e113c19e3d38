"""The linkage engine: link two person-layout tables with a Splink model (DuckDB backend) and keep one-to-one links.

``link_tables(left, right, LinkSpec())`` standardises both tables (``layout``), builds the model (``comparisons``),
trains it without labels (u by random sampling, m by EM over blocking rules), scores the blocked pairs, and keeps
the most probable link of each record on either side above the threshold. Runs repeat: sampling is seeded and ties
are broken by record id.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from yep.link import comparisons
from yep.link.layout import IDENTIFIERS, check_layout, standardise

# The threshold that maximised F1 on the synthetic extracts (bench/link.py; F1 is flat from 0.05 to 0.2), and
# on FEBRL4 and pseudopeople too. The unsupervised model is cautious: on all three, over 99.9% of the links scored
# between 0.1 and 0.9 are true, so 0.9 would only lose recall (250,000 synthetic: F1 0.9972 at 0.1, 0.9936 at 0.9).
DEFAULT_THRESHOLD = 0.1
PAIR_COLUMNS = ("left_id", "right_id", "match_probability")
OPTIONAL_COMPARED = ("postcode", "sex", "address", *IDENTIFIERS)

Progress = Callable[[str], None]


class LinkSpecError(ValueError):
    """The linkage was asked for something impossible (checked before anything runs)."""


@dataclass(frozen=True)
class LinkSpec:
    """How to link: the threshold on the match probability, the seed and the size of the u sample.

    Args:
        threshold: keep links with a match probability at least this (strictly between 0 and 1).
        seed: seed for the u sample, so that runs repeat.
        u_pairs: how many random pairs estimate the u probabilities.
        em_pairs: at most this many pairs per EM session (None: every blocked pair).
        training_records: train on a seeded sample of at most this many records from each side.
        pairs_per_record: a wide blocking rule is used only if it adds at most this many pairs per record.
    """

    threshold: float = DEFAULT_THRESHOLD
    seed: int = 7
    u_pairs: float = 2e6
    em_pairs: float | None = 2e6
    training_records: int = 60_000
    pairs_per_record: float = 4.0

    def check(self) -> None:
        if not 0 < self.threshold < 1:
            raise LinkSpecError(f"the threshold must be between 0 and 1, got {self.threshold}")
        if self.u_pairs < 1:
            raise LinkSpecError("u_pairs must be at least 1")


def shared_columns(left: pd.DataFrame, right: pd.DataFrame) -> set[str]:
    """The optional compared columns that hold some values on both sides."""
    return {c for c in OPTIONAL_COMPARED if left[c].notna().any() and right[c].notna().any()}


def affordable_wide_rules(left: pd.DataFrame, right: pd.DataFrame, spec: LinkSpec) -> tuple[tuple[str, ...], ...]:
    """The wide blocking rules (``comparisons.WIDE_RULES``) that would each add at most
    ``spec.pairs_per_record`` pairs per record, counted exactly with one DuckDB query per rule."""
    budget = spec.pairs_per_record * (len(left) + len(right))
    chosen = []
    with duckdb.connect() as connection:
        connection.register("l", left)
        connection.register("r", right)
        for columns in comparisons.WIDE_RULES:
            keys = ", ".join(columns)
            present = " AND ".join(f"{c} IS NOT NULL" for c in columns)
            count = connection.execute(
                f"SELECT coalesce(sum(a.n * b.n), 0) FROM (SELECT {keys}, count(*) AS n FROM l WHERE {present} "  # noqa: S608 (column names from WIDE_RULES, not input)
                f"GROUP BY ALL) a JOIN (SELECT {keys}, count(*) AS n FROM r WHERE {present} GROUP BY ALL) b "
                f"USING ({keys})").fetchone()
            if count is not None and count[0] <= budget:
                chosen.append(columns)
    return tuple(chosen)


def _settings(shared: set[str], wide: tuple[tuple[str, ...], ...] = ()) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons.comparisons_for(shared),
        blocking_rules_to_generate_predictions=comparisons.prediction_blocking_rules(shared, wide),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _train(linker: Linker, shared: set[str], spec: LinkSpec, progress: Progress) -> None:
    progress("estimating the prior")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "dob")], recall=0.7)
    progress("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_pairs, seed=spec.seed)
    for rule in comparisons.training_blocking_rules(shared):
        progress("estimating m by expectation maximisation")
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=spec.em_pairs, record_sample_proportion=1.0)


def _linker(db_api: DuckDBAPI, left: pd.DataFrame, right: pd.DataFrame, settings: Any) -> Linker:
    tables = [db_api.register(left, table_name="link_left"), db_api.register(right, table_name="link_right")]
    # ERROR, not WARNING: Splink warns of every level the training data never showed (e.g. forename and surname
    # swapped in FEBRL4); those levels keep default m values, which is what we want.
    return Linker(tables, settings, log_level=logging.ERROR)


def _sample(table: pd.DataFrame, spec: LinkSpec) -> pd.DataFrame:
    if len(table) <= spec.training_records:
        return table
    return table.sample(n=spec.training_records, random_state=spec.seed)


def _trained_model(left: pd.DataFrame, right: pd.DataFrame, shared: set[str], spec: LinkSpec,
                   say: Progress) -> dict[str, Any]:
    """Train on a seeded sample of each side: the parameters need tens of thousands of records, not millions.

    Sampling both sides at random keeps the share of pairs that match, so the prior carries over unchanged.
    """
    with duckdb.connect() as connection:
        linker = _linker(DuckDBAPI(connection), _sample(left, spec), _sample(right, spec), _settings(shared))
        _train(linker, shared, spec, say)
        model: dict[str, Any] = linker.misc.save_model_to_json()
    return model


def _oriented(frame: pd.DataFrame) -> pd.DataFrame:
    """Splink orders each pair by source table; make left_id always come from the left table."""
    from_left = frame["source_dataset_l"] == "link_left"
    return pd.DataFrame({
        "left_id": frame["unique_id_l"].where(from_left, frame["unique_id_r"]),
        "right_id": frame["unique_id_r"].where(from_left, frame["unique_id_l"]),
        "match_probability": frame["match_probability"].astype(float),
    })


def score_pairs(left: pd.DataFrame, right: pd.DataFrame, spec: LinkSpec,
                progress: Progress | None = None) -> pd.DataFrame:
    """Every blocked pair with a match probability of at least ``spec.threshold``, before one-to-one."""
    say = progress or (lambda _message: None)
    say("preparing the records")
    left_std, right_std = standardise(left), standardise(right)
    shared = shared_columns(left_std, right_std)
    model = _trained_model(left_std, right_std, shared, spec, say)
    wide = affordable_wide_rules(left_std, right_std, spec)
    if wide:
        # The model was trained with the narrow rules; the wide ones only widen which pairs get scored.
        model["blocking_rules_to_generate_predictions"] = _settings(shared, wide).create_settings_dict("duckdb")[
            "blocking_rules_to_generate_predictions"]
    say("scoring pairs")
    with duckdb.connect() as connection:
        linker = _linker(DuckDBAPI(connection), left_std, right_std, model)
        predictions = linker.inference.predict(threshold_match_probability=spec.threshold)
        # Splink leaves as_pandas_dataframe untyped; it returns a pandas DataFrame.
        return _oriented(predictions.as_pandas_dataframe())  # type: ignore[no-untyped-call]


def no_pairs(columns: tuple[str, ...] | list[str] = PAIR_COLUMNS) -> pd.DataFrame:
    """An empty result with the pair columns (probabilities and weights as numbers)."""
    numeric = {"match_probability", "match_weight"}
    return pd.DataFrame({c: pd.Series(dtype=float if c in numeric else object) for c in columns})


def one_to_one(pairs: pd.DataFrame) -> pd.DataFrame:
    """Greedy by probability: each left and each right record keeps at most its most probable link.

    Ties are broken by left_id then right_id, so the result does not depend on the input order.
    """
    ordered = pairs.sort_values(["match_probability", "left_id", "right_id"], ascending=[False, True, True],
                                kind="mergesort")
    used_left: set[str] = set()
    used_right: set[str] = set()
    keep = []
    for row, left_id, right_id in zip(ordered.index, ordered["left_id"], ordered["right_id"], strict=True):
        if left_id in used_left or right_id in used_right:
            continue
        used_left.add(left_id)
        used_right.add(right_id)
        keep.append(row)
    return ordered.loc[keep, list(PAIR_COLUMNS)].reset_index(drop=True)


def link_tables(left: pd.DataFrame, right: pd.DataFrame, spec: LinkSpec | None = None,
                progress: Progress | None = None) -> pd.DataFrame:
    """Link two person-layout tables.

    Args:
        left, right: tables with ``record_id`` and any of the person columns (see ``layout``).
        spec: the threshold and seed (default ``LinkSpec()``); checked before anything runs.
        progress: called with a short description as each stage starts.

    Returns:
        Columns ``left_id``, ``right_id``, ``match_probability``: at most one link per record on each side, most
        probable first.

    Raises:
        LinkSpecError: the spec is impossible. LayoutError: a table has no, blank or repeated record ids.
    """
    spec = spec or LinkSpec()
    spec.check()
    check_layout(left, "left")
    check_layout(right, "right")
    if left.empty or right.empty:
        return no_pairs()
    return one_to_one(score_pairs(left, right, spec, progress))


def _level_weights(model: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Each comparison's levels as (match weight, label): the weight a pair gets at that level, before any
    term-frequency adjustment."""
    levels: dict[str, list[tuple[float, str]]] = {}
    for comparison in model["comparisons"]:
        found = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                found.append((0.0, level.get("label_for_charts", "")))
            elif level.get("m_probability") and level.get("u_probability"):
                found.append((math.log2(level["m_probability"] / level["u_probability"]),
                              level.get("label_for_charts", "")))
        levels[comparison["output_column_name"]] = found
    return levels


def _explain(row: Any, levels: dict[str, list[tuple[float, str]]]) -> list[dict[str, Any]]:
    """The weight each comparison added to a pair, and the level it reached (the level whose weight it is)."""
    explained = []
    for name, options in levels.items():
        weight = row.get(f"mw_{name}")
        if weight is None or weight != weight:  # NaN: the comparison was not made for this pair
            continue
        label = min(options, key=lambda option: abs(option[0] - weight))[1] if options else ""
        total = float(weight) + float(row.get(f"mw_tf_adj_{name}") or 0.0)
        explained.append({"comparison": name, "level": label, "weight": round(total, 2)})
    return explained


REFERENCE_MODEL = Path(__file__).with_name("reference_model.json")
MIN_TRAINING_RECORDS = 1000  # fewer records a side than this are too few for EM to learn from


def train_reference_model(records: int = 20_000, seed: int = 2026) -> dict[str, Any]:
    """Train the model a source uses until it has enough records to train its own, on two extracts of the
    project's synthetic population (``testsets.synthetic_pair``); written to ``reference_model.json``."""
    from yep.link import testsets

    left, right, _truth = testsets.synthetic_pair(records, seed=seed)
    left_std, right_std = standardise(left), standardise(right)
    model = _trained_model(left_std, right_std, shared_columns(left_std, right_std), LinkSpec(), lambda _m: None)
    REFERENCE_MODEL.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    return model


def reference_model() -> dict[str, Any]:
    """The reference model, prior included: it was trained on 20,000 records a side, so its prior (about one pair
    in 22,000 matches) is cautious for the small files it scores, which is the side to err on.

    Without its term-frequency adjustments: they are counted from the records being scored, and in a small file
    every name is "common" (one in twenty), which would count an exact match on a rare surname against it."""
    model: dict[str, Any] = json.loads(REFERENCE_MODEL.read_text())
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    return model


def score_against(records: pd.DataFrame, spine: pd.DataFrame, spec: LinkSpec, model: dict[str, Any] | None = None,
                  progress: Progress | None = None) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """Score a source's records (left) against the person spine (right), one-to-one, with an explanation of each
    link: what the data hub does with a new dataset.

    Args:
        records, spine: person-layout tables (the spine's ``record_id`` is the person id, as text).
        spec: the threshold on the match probability, and the sampling settings for training.
        model: the source's saved model, or None to train one (without labels) on these two tables; with fewer
            than MIN_TRAINING_RECORDS a side, the reference model scores them instead and none is trained.

    Returns:
        ``(pairs, model)``: pairs with ``left_id``, ``right_id``, ``match_probability``, ``match_weight`` and
        ``explanation`` (a list of {"comparison", "level", "weight"}), at most one per record on each side; and
        the model trained or given, to be saved with the source (None when the reference model was used).
    """
    say = progress or (lambda _message: None)
    spec.check()
    check_layout(records, "records")
    check_layout(spine, "spine")
    columns = [*PAIR_COLUMNS, "match_weight", "explanation"]
    if records.empty or spine.empty:
        return no_pairs(columns), model
    say("preparing the records")
    left_std, right_std = standardise(records), standardise(spine)
    shared = shared_columns(left_std, right_std)
    if model is None and min(len(records), len(spine)) < MIN_TRAINING_RECORDS:
        # Too few records to train on: score with the reference model, and leave the source to train its own.
        scoring_model = reference_model()
    else:
        model = model or _trained_model(left_std, right_std, shared, spec, say)
        scoring_model = model
    scoring = dict(scoring_model, retain_intermediate_calculation_columns=True)
    wide = affordable_wide_rules(left_std, right_std, spec)
    scoring["blocking_rules_to_generate_predictions"] = _settings(shared, wide).create_settings_dict("duckdb")[
        "blocking_rules_to_generate_predictions"]
    say("scoring pairs")
    with duckdb.connect() as connection:
        linker = _linker(DuckDBAPI(connection), left_std, right_std, scoring)
        predicted = linker.inference.predict(threshold_match_probability=spec.threshold)
        frame = predicted.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    if frame.empty:
        return no_pairs(columns), model
    pairs = _oriented(frame)
    pairs["match_weight"] = frame["match_weight"].astype(float)
    levels = _level_weights(scoring_model)
    pairs["explanation"] = [_explain(row, levels) for row in frame.to_dict("records")]
    kept = one_to_one(pairs[list(PAIR_COLUMNS)])
    return kept.merge(pairs, on=list(PAIR_COLUMNS), how="left")[columns], model

"""Scoring links against the ground truth: precision, recall and F1 over (left_id, right_id) pairs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scores:
    """Counts of links found and true links, and the measures derived from them."""

    found: int
    true: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.true if self.true else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _pair_set(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["left_id"].astype(str), frame["right_id"].astype(str), strict=True))


def score(pairs: pd.DataFrame, truth: pd.DataFrame) -> Scores:
    """Compare found pairs with true pairs (both with ``left_id`` and ``right_id``; repeated pairs count once)."""
    found, true = _pair_set(pairs), _pair_set(truth)
    return Scores(found=len(found), true=len(true), correct=len(found & true))

"""Scoring: from each pupil's indicator values to points, a score and a band, for a whole cohort at once.

Pure arithmetic over arrays, so a run and its reproduction from the stored snapshot give the same answer."""

from dataclasses import dataclass

import numpy as np

from .indicators import indicator, levels
from .models import Band, RiskModel


@dataclass(frozen=True)
class Rule:
    key: str
    direction: str
    weight: int
    thresholds: list[float]


def rules_of(model: RiskModel) -> list[Rule]:
    return [Rule(i.key, indicator(i.key).direction, i.weight, list(i.thresholds)) for i in model.indicators.all()]


BAND_CODES = np.array([Band.NONE, Band.LOW, Band.MEDIUM, Band.HIGH], dtype=object)


@dataclass
class Scores:
    points: np.ndarray  # pupils x indicators
    score: np.ndarray
    band: np.ndarray  # band codes (objects)


def score(thresholds: tuple[int, int, int], rules: list[Rule], values: np.ndarray) -> Scores:
    """``values`` is pupils x indicators (NaN for no data), in the rules' order; ``thresholds`` are the scores
    that start the low, medium and high bands."""
    points = np.zeros(values.shape, dtype=np.int64)
    for column, rule in enumerate(rules):
        points[:, column] = rule.weight * levels(values[:, column], rule.direction, rule.thresholds)
    total = points.sum(axis=1)
    low, medium, high = thresholds
    band_index = (total >= low).astype(np.int64) + (total >= medium) + (total >= high)
    return Scores(points, total, BAND_CODES[band_index])


def rounded(values: np.ndarray) -> list[list[float | None]]:
    """Inputs as stored in the snapshot: one decimal place (what the page shows), None for no data."""
    out: list[list[float | None]] = np.round(values, 1).tolist()
    for row in out:
        for i, v in enumerate(row):
            if v != v:  # NaN
                row[i] = None
    return out

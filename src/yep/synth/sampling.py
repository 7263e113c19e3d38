"""Vectorised sampling helpers shared by the generator's stages.

All randomness flows from one ``numpy.random.Generator`` passed in by the caller, so a run is
reproducible from its seed. Nothing here iterates over people in Python.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def weighted_choice(rng: np.random.Generator, weights: npt.ArrayLike, size: int) -> np.ndarray:
    """Indices into ``weights`` drawn with replacement, proportional to the weights."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    picks = np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")
    return np.minimum(picks, len(cumulative) - 1)


def weighted_choice_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows x options) probability matrix; returns option indices."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative /= cumulative[:, -1:]
    picks = (rng.random((len(probabilities), 1)) > cumulative).sum(axis=1)
    return np.minimum(picks, probabilities.shape[1] - 1)


def stochastic_round(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Round down or up at random so that the expected value is ``x``."""
    floor = np.floor(x)
    return (floor + (rng.random(np.shape(x)) < (x - floor))).astype(np.int64)


def group_ranks(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank of each element within its group by descending key (0 = largest)."""
    order = np.lexsort((-keys, groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order)) - run_start
    return ranks


def choose_share(
    rng: np.random.Generator,
    groups: np.ndarray,
    weights: np.ndarray,
    share: np.ndarray,
) -> np.ndarray:
    """Pick a given share of each group, favouring heavier weights.

    ``share[g]`` of the members of group ``g`` are chosen (stochastically rounded to a whole
    number), without replacement and with probability rising with ``weights`` (Efraimidis and
    Spirakis keys). The realised share therefore matches the target exactly up to rounding,
    while who is chosen still depends on the weights, e.g. on the hidden risk.
    """
    selected = np.zeros(len(groups), dtype=bool)
    if len(groups) == 0:
        return selected
    counts = np.bincount(groups, minlength=len(share))
    wanted = stochastic_round(rng, counts * np.asarray(share, dtype=float))
    keys = np.log(rng.random(len(groups)) + 1e-300) / np.maximum(weights, 1e-12)
    return group_ranks(groups, keys) < wanted[groups]


def choose_prevalence(rng: np.random.Generator, weights: np.ndarray, prevalence: float) -> np.ndarray:
    """Pick ``prevalence`` of all elements, favouring heavier weights."""
    groups = np.zeros(len(weights), dtype=np.int64)
    return choose_share(rng, groups, weights, np.array([prevalence]))


def uniform_days(rng: np.random.Generator, first: npt.ArrayLike, last: npt.ArrayLike) -> np.ndarray:
    """A uniformly random day in [first, last] (inclusive) for each pair."""
    span = np.maximum(np.asarray(last) - np.asarray(first), 0) + 1
    return np.asarray(first) + (rng.random(np.shape(span)) * span).astype(np.int64)


def pick_member(
    rng: np.random.Generator, group_start: np.ndarray, group_size: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """A uniformly random member index of each element's group (groups laid out contiguously)."""
    offset = (rng.random(len(groups)) * group_size[groups]).astype(np.int64)
    return group_start[groups] + offset


def segment_starts(sizes: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

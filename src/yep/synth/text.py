"""Building whole string columns at once with pyarrow compute, instead of per-row Python."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def as_strings(values: np.ndarray | pa.Array | str, size: int | None = None) -> pa.Array:
    """A pyarrow string array from numbers, Python strings (None is null) or a scalar."""
    if isinstance(values, str):
        return pa.array([values] * (size or 0), pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else pc.cast(values, pa.string())
    values = np.asarray(values)
    if values.dtype.kind in "iu":
        return pc.cast(pa.array(values, pa.int64()), pa.string())
    return pa.array(values, pa.string())


def join(*parts: np.ndarray | pa.Array | str, size: int, skip_nulls: bool = False) -> pa.Array:
    """Concatenate columns (or constant strings) element-wise."""
    arrays = [as_strings(p, size) for p in parts]
    handling = "skip" if skip_nulls else "emit_null"
    return pc.binary_join_element_wise(*arrays, "", null_handling=handling)


def ascii_fold(values: pa.Array) -> pa.Array:
    """Lower case ASCII letters and digits only (Siân O'Brien -> sianobrien), for e-mails."""
    decomposed = pc.utf8_normalize(values, "NFD")
    return pc.replace_substring_regex(pc.utf8_lower(decomposed), r"[^a-z0-9]", "")


def objects(values: pa.Array) -> np.ndarray:
    """A numpy object array of Python strings (None for null), for the few per-row edits."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False)


def words(*parts: np.ndarray | pa.Array, size: int) -> pa.Array:
    """Join non-blank parts with single spaces ("Dafydd", "Rhys" -> "Dafydd Rhys")."""
    arrays = [as_strings(p, size) for p in parts]
    return pc.binary_join_element_wise(*arrays, " ", null_handling="skip")

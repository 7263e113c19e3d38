"""Imports of partners' files (CSV or XLSX): every row is validated before anything is written, then the whole
file is applied in one transaction, or not at all. Errors come back row by row (row, column, value, reason) in
the user's language. Importing the same file twice changes nothing: rows are matched on their natural key.

An app defines an ``ImportKind`` (its columns, each with a parser that raises ``ValueError`` with a translated
reason, and an ``apply`` function that writes through the app's services) and registers it with ``register``.
"""

from .framework import (
           KINDS,
           Column,
           ImportKind,
           ImportRefused,
           ImportReport,
           RowError,
           read_table,
           register,
           run_import,
)

__all__ = ["KINDS", "Column", "ImportKind", "ImportRefused", "ImportReport", "RowError", "read_table", "register",
           "run_import"]

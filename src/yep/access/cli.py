"""Who an operator at the command line is, for the audit log."""

import getpass


def operator() -> str:
    return f"cli:{getpass.getuser()}"

"""The `yep` command: the operator's command line, running YEP's management commands.

`yep --help` lists every command; `yep COMMAND --help` explains one.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yep.settings")
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["yep", *(sys.argv[1:] if argv is None else argv)])
    utility.prog_name = "yep"
    utility.execute()


if __name__ == "__main__":
    main()

"""The ``parindex`` console command: Django's management commands under one name.

``parindex framework validate FILE`` is ``manage.py framework validate FILE``, and so on;
``parindex runserver`` and ``parindex migrate`` work too.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "parindex"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

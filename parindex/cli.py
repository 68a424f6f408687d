"""The ``parindex`` console command: Django's management commands under one name.

``parindex framework validate FILE`` is ``manage.py framework validate FILE``, and so on;
``parindex runserver`` and ``parindex migrate`` work too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dotenv import load_dotenv


def main(argv: list[str] | None = None) -> None:
    # A .env file in the working directory fills what the environment does not set (make
    # serve's settings); the environment wins.
    load_dotenv(Path.cwd() / ".env", override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "parindex"
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:  # a setting missing or wrong: say which, no traceback
        sys.exit(f"parindex: {exc}")


if __name__ == "__main__":
    main()

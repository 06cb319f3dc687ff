#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netlead.settings")
    if {"-h", "--help", "help"} & set(sys.argv[1:]):
        # Reading a command's help needs no secret; settings refuse to start without one.
        os.environ.setdefault("SECRET_KEY", "help-only-never-serves-a-request")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

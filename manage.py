#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from config.audit import attach_command_context

    attach_command_context(sys.argv)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

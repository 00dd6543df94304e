"""Loads the built-in skills shipped in `marketplace/builtin_skills/` (MKT-63).

Run by a release step or by hand, never at process start: a boot-time sync in every process
races itself and rewrites rows on every restart. Idempotent: `update_or_create` by name, and a
skill whose text is unchanged is left as it is.
"""

from django.core.management.base import BaseCommand

from marketplace.skills import sync_builtin_skills


class Command(BaseCommand):
    help = "Create or update the built-in skills from marketplace/builtin_skills/."

    def handle(self, *args, **options):
        created, updated, unchanged, retired = sync_builtin_skills()
        self.stdout.write(
            f"Built-in skills: {created} created, {updated} updated, {unchanged} unchanged, "
            f"{retired} retired."
        )

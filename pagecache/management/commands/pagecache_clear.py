"""`manage.py pagecache_clear`: make every cached page stale, e.g. after deploying new templates.

A deployment changes what pages look like without any save announcing it; run this once the new
web processes are up. It bumps the tag every cached page carries, so nothing is deleted or scanned.
"""

from django.core.management.base import BaseCommand

from pagecache.core import ALL, bump_now, enabled


class Command(BaseCommand):
    help = "Make every page in the page cache stale (run after a deployment)."

    def handle(self, *args, **options) -> None:
        if not enabled():
            self.stdout.write("The page cache is off (PAGECACHE_ENABLED=0): nothing to do.")
            return
        bump_now([ALL])
        self.stdout.write("Every cached page is stale now.")

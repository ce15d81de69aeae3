"""`manage.py search_create_index`: create the Elasticsearch index and its alias if missing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search import es


class Command(BaseCommand):
    help = "Create the public search index in Elasticsearch (empty, behind its alias) unless it exists."

    def handle(self, *args, **options) -> None:
        if not es.configured():
            raise CommandError("ELASTICSEARCH_URL is not set: the public search uses the database.")
        try:
            name = es.create_index()
        except es.UNAVAILABLE as exc:
            raise CommandError(
                f"Elasticsearch at {es.url()} is not available ({exc.__class__.__name__})."
            ) from exc
        self.stdout.write(f"Index {name} behind alias {es.alias()}. Fill it with: manage.py search_rebuild")

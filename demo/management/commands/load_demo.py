"""`manage.py load_demo`: load the demo once; re-running changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo divisions (崇左市, 西宁市城北区) and fictional firms, advisers and contracts."

    def handle(self, *args, **options) -> None:
        for line in load_demo():
            self.stdout.write(line)

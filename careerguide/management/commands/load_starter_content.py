"""`manage.py load_starter_content`: fill a fresh database from fixtures/starter/,
once (the loader is `careerguide.starter`)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from careerguide.starter import STARTER_DIR, AlreadyLoaded, load
from roadmaps.models import Guide
from salaries.models import SalaryFigure


class Command(BaseCommand):
    help = "Load the starter guide into a fresh database. Never runs twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail (exit 1) instead of skipping when the content was already loaded.",
        )
        parser.add_argument(
            "--directory",
            type=Path,
            default=STARTER_DIR,
            help="Where the fixtures are (default: fixtures/starter/).",
        )

    def handle(self, *args, strict=False, directory=STARTER_DIR, **options):
        try:
            rows = load(directory)
        except AlreadyLoaded as exc:
            if strict:
                raise
            self.stdout.write(str(exc))
            return
        guides = Guide.objects.filter(pk__in=rows.get(Guide, ())).values_list("slug", flat=True)
        figures = len(rows.get(SalaryFigure, ()))
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded starter content: guides {', '.join(guides)}, "
                    f"{figures} salary figures, {sum(map(len, rows.values()))} rows in all."
                )
            )

"""`manage.py load_starter_content`: fill a fresh database, once."""

from django.core.management.base import BaseCommand, CommandError

from careerguide import starter


class Command(BaseCommand):
    help = "Load the starter guide into a fresh database. Never runs twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Fail (exit 1) instead of skipping when the content was already loaded.",
        )

    def handle(self, *args, strict=False, **options):
        try:
            counts = starter.load()
        except starter.AlreadyLoaded:
            message = "Starter content was loaded before; leaving the database as editors left it."
            if strict:
                raise CommandError(message) from None
            self.stdout.write(message)
            return
        guides = [key for key, value in counts.items() if not isinstance(value, int)]
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded starter content: guides {', '.join(guides)}, "
                f"{counts['figures']} salary figures."
            )
        )

"""`manage.py generate_bench_content --scale N --shape large|many`.

Fills a database for benchmarks only: refuses to run unless the database URL
names a bench database, so real content is never mixed with synthetic rows.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from careerguide import benchcontent, starter
from roadmaps.models import Guide


class Command(BaseCommand):
    help = "Fill a benchmark database with N times the starter content."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1)
        parser.add_argument(
            "--shape",
            choices=["large", "many"],
            default="large",
            help="large: one guide with N times the rows; many: N guides of starter size.",
        )

    def handle(self, *args, scale, shape, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in name:
            raise CommandError(f"Refusing: database {name!r} is not a bench database.")
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be between 1 and 1000.")
        call_command("flush", interactive=False, verbosity=0)
        starter.load()
        guide = Guide.objects.get(slug="backend-developer")
        if shape == "large":
            benchcontent.multiply_rows(guide, scale)
        else:
            benchcontent.clone_guides(guide, scale - 1)
        self.stdout.write(f"bench content: shape={shape} scale={scale}")

"""Fill the bench database: `bench/fill.py --scale N --shape large|many`.

Run by bench/run.py (and by hand, with the environment it uses). Empties the
database, loads the starter content and grows it with bench/content.py. Refuses
to run unless the database name contains "bench", so real content is never
mixed with synthetic rows.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerguide.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from bench import content  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--slug", default="backend-developer")
    parser.add_argument(
        "--shape",
        choices=["large", "many"],
        default="large",
        help="large: one guide with N times the rows; many: N guides of starter size.",
    )
    args = parser.parse_args()
    name = str(settings.DATABASES["default"]["NAME"])
    if "bench" not in name:
        sys.exit(f"fill.py: refusing database {name!r}: not a bench database")
    if not 1 <= args.scale <= 1000:
        parser.error("--scale must be between 1 and 1000")
    content.fill(args.slug, args.scale, args.shape)
    print(f"bench content: shape={args.shape} scale={args.scale}")


if __name__ == "__main__":
    main()

"""Edits for `make bench`, made from a process of their own, as an app server
saving an editor's change would make them (run by bench/run.py).

Each edit saves one FAQ answer of the guide with a new marker through the ORM,
so the signals move the guide's `content_changed_at` and, after the commit,
the content stamp in the shared cache: every stored page is stale at once.
Prints one JSON line per edit: its marker and the wall-clock time of its commit
(time.time(), comparable with the app's access log and with the bench).

    DJANGO_SETTINGS_MODULE=careerguide.settings CACHE_URL=redis://… \
    DATABASE_URL=postgres://…/careerguide_bench \
    .venv/bin/python bench/edit.py --edits 3 --every 2 [--after 2]
"""

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerguide.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from roadmaps.models import FAQ  # noqa: E402

MARK = "bench-edit-"


def edit(slug):
    """One edit, committed; returns its marker and the time of the commit."""
    marker = MARK + uuid.uuid4().hex[:10]
    with transaction.atomic():
        faq = FAQ.objects.filter(guide__slug=slug).order_by("position", "pk").first()
        if faq is None:
            sys.exit(f"edit.py: the guide {slug!r} has no FAQ to edit")
        # The answer keeps its text; the marker replaces the previous one.
        answer = faq.answer.split(f" {MARK}")[0]
        faq.answer = f"{answer} {marker}"
        faq.save()
    return marker, time.time()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="backend-developer")
    parser.add_argument("--edits", type=int, default=1)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between edits")
    parser.add_argument("--after", type=float, default=0.0, help="seconds before the first")
    args = parser.parse_args()
    if "bench" not in str(settings.DATABASES["default"]["NAME"]):
        sys.exit("edit.py: refusing a database that is not a bench database")
    time.sleep(args.after)
    for i in range(args.edits):
        if i:
            time.sleep(args.every)
        marker, committed = edit(args.slug)
        print("EDIT-JSON " + json.dumps({"marker": marker, "committed": committed}), flush=True)


if __name__ == "__main__":
    main()

"""In-process render timing for `make bench` (run by bench/run.py, one process per scale).

Renders a page N times through the whole Django stack (middleware included) with
`django.test.Client`, against whatever database DATABASE_URL names, and prints
one JSON line: status, HTML size, median/p90/min/max wall time per render, the
number of SQL queries one render runs, and a breakdown (the page's query
function alone, and gzip of the body, which the page-cache middleware does on
every render). Refuses to run unless the cache is the dummy cache (otherwise it
would time cache hits) and the database name contains "bench".

    DJANGO_SETTINGS_MODULE=careerguide.settings CACHE_URL=dummycache:// \
    ALLOWED_HOSTS=testserver DATABASE_URL=postgres://…/careerguide_bench \
    .venv/bin/python bench/render.py --renders 50 [--save-static bench/guide-page.html]
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerguide.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from careerguide import pages  # noqa: E402


def timed(fn, n, cpu=None):
    """Wall milliseconds per call; this process's CPU milliseconds into `cpu`."""
    times = []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slug", default="backend-developer")
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--save-static", metavar="NAME", help="write the rendered HTML to STATIC_ROOT/NAME"
    )
    args = parser.parse_args()

    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("DummyCache"):
        sys.exit(f"render.py: needs CACHE_URL=dummycache:// (got {backend})")
    db_name = str(settings.DATABASES["default"]["NAME"])
    if "bench" not in db_name:
        sys.exit(f"render.py: refusing database {db_name!r}: not a bench database")

    path = f"/careers/{args.slug}/"
    client = Client()  # sends no Accept-Encoding, like wrk: the plain HTML
    first = client.get(path)
    if first.status_code != 200:
        sys.exit(f"render.py: GET {path} answered {first.status_code}")
    body = first.content
    for _ in range(args.warmup):
        client.get(path)

    statuses = set()

    def render():
        statuses.add(client.get(path).status_code)

    cpu = []
    times = timed(render, args.renders, cpu)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    data_times = timed(lambda: pages.guide_page(args.slug), max(5, args.renders // 2))
    gzip_times = timed(lambda: gzip.compress(body, compresslevel=6, mtime=0), 5)

    saved = None
    if args.save_static:
        saved = Path(settings.STATIC_ROOT) / args.save_static
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_bytes(body)
    print(
        "RENDER-JSON "
        + json.dumps(
            {
                "path": path,
                "status": sorted(statuses),
                "bytes": len(body),
                "renders": args.renders,
                "median_ms": statistics.median(times),
                "p90_ms": statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0],
                "min_ms": min(times),
                "max_ms": max(times),
                # Python only: the queries' time inside PostgreSQL is not in it.
                "cpu_median_ms": statistics.median(cpu),
                "queries": len(queries),
                "query_fn_median_ms": statistics.median(data_times),
                "gzip_median_ms": statistics.median(gzip_times),
                "saved": str(saved) if saved else None,
                "database": db_name,
            }
        )
    )


if __name__ == "__main__":
    main()

"""`make bench`: throughput and latency of the guide page as served in production.

What it does (about 3 minutes; everything it starts is stopped on exit, also on
Ctrl-C or SIGTERM):

1. Installs wrk and nginx-light with apt-get when they are missing, then
   starts PostgreSQL and Redis when they are down (`bin/services
   careerguide_bench`, which also creates the separate database
   `careerguide_bench`).
2. `manage.py collectstatic`, then fills that database: `manage.py migrate`
   and `bench/fill.py --scale 1 --shape large` (bench/content.py: the starter
   content, grown). Both run with the Redis cache settings, so the content
   stamp moves.
3. Renders the guide page in-process (bench/render.py: `django.test.Client`,
   dummy cache, 5 warm-up + 50 timed renders) for the median render time and
   the query count, and writes the exact HTML into
   STATIC_ROOT/bench/guide-page.html: a static file of the same byte size,
   written before gunicorn starts because whitenoise indexes files at start-up.
4. Starts gunicorn as in production (gunicorn.conf.py: gthread, 2 × CPUs + 1
   workers, 4 threads unless WEB_CONCURRENCY / GUNICORN_THREADS say otherwise;
   DEBUG=false, HTTPS=false, CACHE_URL=redis://127.0.0.1:6379/2 with its own
   key prefix `cgbench`, and a RELEASE fixed for the run as a deploy sets it)
   on a free port in 8200-8299, without gunicorn's control socket (its default
   path is shared by every gunicorn of the user). Drives it with wrk (-t2 -c32
   --latency, 2 s of warm-up then 10 s measured per run, 127.0.0.1 only):
   (1) the cached guide page /careers/backend-developer/ (checked to be in
   Redis first), (3) the static file.
   Then (4) the edge: nginx from the repo's configuration (`bin/edge render
   --run-dir`, --edge-workers, default 1) in front of that gunicorn, its
   micro-cache on tmpfs: the guide page (warm) and the same bytes as a static
   file from the same nginx; then 3 edits (bench/edit.py, another process)
   while wrk loads the edge with 64 connections and a reader polls it every
   20 ms: the delay from each commit until the edge shows it. (5) No stampede:
   3 more edits while wrk loads gunicorn directly with 64 connections; the
   app's access log says how many requests rendered the guide page (its
   `page_cache` field: miss, waited, hit). Then restarts gunicorn with
   CACHE_URL=dummycache:// and measures (2) the uncached page.
5. Growth: regenerates the bench database at scale 10 and 100 (one guide with
   N times the rows) and repeats the in-process render timing.
6. Prints requests/s, p50/p99 latency, the ratios to static, the error count
   (wrk socket errors + non-2xx/3xx responses over every wrk run, warm-ups
   included), the CPU each run cost (gunicorn, wrk, PostgreSQL + Redis, other
   processes; psutil), the growth table and PASS/FAIL per target. It
   exits 0 when the bench ran, whatever the targets say; non-zero only when
   something crashed.

Targets (issue 17, TARGETS below): edge ≥ 0.5 × the same bytes static from
the same nginx; cached ≥ 0.6 × static (whitenoise); uncached ≥ 0.05 × static;
gunicorn CPU per uncached request ≤ 12 ms; median uncached render ≤ 9 ms at
scale 1; 1 render per edit; an edit visible through the edge ≤ 2 s; 0 errors.
See docs/PERFORMANCE.md for the recorded runs.

On exit it also deletes its static file and its Redis keys (prefix `cgbench`),
and stops PostgreSQL / Redis if it was the one that started them.

Stdlib and psutil (run with the project's venv python, which `make bench` does).
Logs of each gunicorn run and the last report go to bench/.out/ (git-ignored).
Options: `.venv/bin/python bench/run.py --help`.
"""

import argparse
import contextlib
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import PY, get, say  # noqa: E402

RUN = harness.Run(
    "bench",
    db_name="careerguide_bench",
    redis_db=2,
    # Its own key prefix: nothing else sharing this Redis database is ever touched.
    key_prefix="cgbench",
    ports=range(8200, 8300),
)
# As a deploy sets it (docs/DEPLOY.md): one release id for every process of the
# run, so a worker recycled by max_requests while someone edits the code keeps
# the same cache keys. Unique per run: nothing cached by an earlier run is used.
RELEASE = f"bench-{uuid.uuid4().hex[:12]}"
GUIDE_PATH = "/careers/backend-developer/"
STATIC_NAME = "bench/guide-page.html"

# Issue 17's targets (docs/PERFORMANCE.md).
TARGETS = {
    "edge": 0.5,
    "cached": 0.6,
    "uncached": 0.05,
    "render_ms": 9.0,
    "uncached_cpu_ms": 12.0,
    "renders_per_edit": 1,
    "edit_visible_s": 2.0,
    "errors": 0,
}
EDGE_ADDRESS = "127.0.0.2"  # bin/edge's proxy_bind: the edge connects from it


def fill_database(env, scale):
    harness.run(
        [PY, str(RUN.dir / "fill.py"), "--scale", str(scale), "--shape", "large"],
        env=env,
        capture=True,
    )


def render_stats(env, renders, save_static=None):
    cmd = [PY, str(RUN.dir / "render.py"), "--renders", str(renders)]
    if save_static:
        cmd += ["--save-static", save_static]
    out = harness.run(cmd, env=env, capture=True, timeout=900)
    lines = [line for line in out.splitlines() if line.startswith("RENDER-JSON ")]
    if not lines:
        print(out, file=sys.stderr)
        harness.die("bench/render.py printed no result")
    return json.loads(lines[-1].split(" ", 1)[1])


def start_gunicorn(env, port, label, extra=()):
    log_path = RUN.out / f"gunicorn-{label}.log"
    return RUN.start_gunicorn(env, port, log_path, f"/static/{STATIC_NAME}", extra)


def wrk_cmd(args, url, seconds):
    return harness.wrk_cmd(args, url, seconds, RUN.dir / "summary.lua", timeout=2)


def with_edit_connections(args):
    """wrk's options with the connections of the runs that make edits (64)."""
    return argparse.Namespace(**{**vars(args), "connections": args.edit_connections})


def wrk(args, url, seconds):
    cmd = wrk_cmd(args, url, seconds)
    result = harness.wrk(cmd, seconds)
    result["errors"] = result["socket_errors"] + result["status"]
    result["bytes_per_response"] = result["bytes"] / result["requests"] if result["requests"] else 0
    return result


def start_edge(env, port, app_ports, workers):
    """nginx from the repo's configuration (`bin/edge render --run-dir`) on
    127.0.0.1:port in front of the app servers, with its micro-cache on tmpfs."""
    run_dir = RUN.out / "edge"
    shm = Path("/dev/shm")
    cache_dir = (shm if shm.is_dir() else run_dir) / f"careerguide-bench-edge-{port}"
    harness.run(
        [PY, "bin/edge", "render", "--run-dir", str(run_dir), "--listen", f"127.0.0.1:{port}",
         *[f"--app=127.0.0.1:{p}" for p in app_ports], "--cache-dir", str(cache_dir),
         "--proxy-bind", EDGE_ADDRESS, "--workers", str(workers)],
        env=env, capture=True,
    )  # fmt: skip
    proc = harness.spawn_server(
        ["nginx", "-p", str(run_dir), "-c", str(run_dir / "nginx.conf"), "-e", "stderr"],
        RUN.out / "nginx.log",
    )
    RUN.started.append(("gunicorn", proc))  # a process group, stopped the same way
    RUN.started.append(("tree", cache_dir))

    def up():
        if proc.poll() is not None:
            harness.die(f"nginx exited ({proc.returncode}); see {RUN.out / 'nginx.log'}")
        try:
            return get(f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200
        except OSError:  # not listening yet
            return False

    if not harness.wait_for(up, 30):
        harness.die(f"nginx did not answer on :{port}; see {RUN.out / 'nginx.log'}")
    return proc


def log_lines(server, since=0):
    """The app's JSON log lines from byte offset `since` (its access lines carry
    `page_cache`: hit, miss or waited)."""
    text = server.log_path.read_bytes()[since:].decode(errors="replace")
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(ValueError):  # a line cut by the log's end
                lines.append(json.loads(line))
    return lines


def edits(env, count, every, after):
    """bench/edit.py in the background: `count` edits, the first after `after` s."""
    return harness.spawn(
        [PY, str(RUN.dir / "edit.py"), "--edits", str(count), "--every", str(every),
         "--after", str(after)],
        env=env, capture=True,
    )  # fmt: skip


def edit_times(proc, timeout=60):
    out = harness.finish(proc, timeout)
    return [
        json.loads(line.split(" ", 1)[1])
        for line in (out or "").splitlines()
        if line.startswith("EDIT-JSON ")
    ]


def renders_per_edit(args, env, base, server, errors):
    """64 connections on the guide page straight to gunicorn (Redis), and edits
    from another process meanwhile: how many requests rendered the page."""
    count, every, after = 3, 2.5, 1.5
    seconds = int(after + every * count + 1)
    since = server.log_path.stat().st_size
    editor = edits(env, count, every, after)
    loaded = with_edit_connections(args)
    result = wrk(loaded, base + GUIDE_PATH, seconds)
    done = edit_times(editor)
    errors.append(("guide page with edits", result))
    time.sleep(0.5)  # the log's last lines
    lines = [x for x in log_lines(server, since) if x.get("path") == GUIDE_PATH]
    outcomes = {
        k: sum(1 for x in lines if x.get("page_cache") == k) for k in ("miss", "waited", "hit")
    }
    per_edit = outcomes["miss"] / max(len(done), 1)
    say(
        f"  {len(done)} edits from another process during {seconds} s of wrk with "
        f"{args.edit_connections} connections ({result['requests']} requests, "
        f"errors {result['errors']}): the guide page was rendered {outcomes['miss']} times "
        f"({per_edit:.2f} per edit); {outcomes['waited']} requests waited for a render, "
        f"{outcomes['hit']} were plain hits"
    )
    return per_edit, len(done)


def edit_visible_through_edge(args, env, edge_base, errors):
    """Edits made while wrk loads the edge: seconds from each commit until a
    reader polling the edge (its own connection, every 20 ms) sees the change."""
    count, every, after = 3, 2.0, 1.0
    seconds = int(after + every * count + 2)
    editor = edits(env, count, every, after)
    loaded = with_edit_connections(args)
    wrk_proc = harness.spawn(wrk_cmd(loaded, edge_base + GUIDE_PATH, seconds), capture=True)
    seen = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _, _, body = get(edge_base + GUIDE_PATH, timeout=2)
        except OSError:
            continue
        now = time.time()
        text = body.decode(errors="replace")
        for marker in set(re.findall(r"bench-edit-[0-9a-f]{10}", text)) - set(seen):
            seen[marker] = now
        time.sleep(0.02)
    result = harness.wrk_summary(harness.finish(wrk_proc, seconds + 60))
    result["errors"] = result["socket_errors"] + result["status"]
    errors.append(("edge with edits", result))
    done = edit_times(editor)
    delays = [seen[e["marker"]] - e["committed"] for e in done if e["marker"] in seen]
    missing = len(done) - len(delays)
    say(
        f"  {len(done)} edits during {seconds} s of wrk on the edge with {args.edit_connections} "
        f"connections: seen through the edge after "
        + ", ".join(f"{d:.2f} s" for d in delays)
        + (f"; {missing} never seen" if missing else "")
    )
    return max(delays) if delays and not missing else float("inf")


def booted(server):
    """Workers gunicorn has booted so far (from its log): max_requests recycles them."""
    return server.log_path.read_text(errors="replace").count("Booting worker with pid")


def measure(args, url, name, results, errors, server, who="gunicorn"):
    warm = wrk(args, url, args.warmup)
    errors.append((f"{name} (warm-up)", warm))
    boots_before = booted(server)
    before = harness.cpu_sample(server)
    result = wrk(args, url, args.duration)
    cpu = harness.cpu_share(before, harness.cpu_sample(server))
    result["cpu"] = cpu
    errors.append((name, result))
    results[name] = result
    say(
        f"  {name:<26} {result['rps']:9.1f} req/s   p50 {result['p50_us'] / 1000:7.2f} ms   "
        f"p99 {result['p99_us'] / 1000:7.2f} ms   {result['bytes_per_response']:8.0f} B/resp   "
        f"errors {result['errors']}"
    )
    say(
        f"  {'':<26} CPUs busy {cpu['busy']:.2f} of {os.cpu_count()}: {who} "
        f"{cpu['gunicorn']:.2f}, wrk {cpu['children']:.2f}, "
        f"PostgreSQL+Redis (any client) {cpu['services']:.2f}, "
        f"other processes {cpu['other']:.2f}; {who} CPU per request "
        f"{cpu['gunicorn'] * cpu['wall'] / max(result['requests'], 1) * 1000:.2f} ms"
    )
    say(
        f"  {'':<26} {who} workers alive at the end, CPUs each: "
        + " ".join(f"{w:.2f}" for w in cpu["workers"])
        + (f"; workers booted during the run: {booted(server) - boots_before}"
           if who == "gunicorn" else "")
    )  # fmt: skip


# --- the bench ---------------------------------------------------------------


def bench(args):
    t0 = time.monotonic()
    harness.ensure_wrk()
    harness.ensure_nginx()
    RUN.ensure_services("the bench")
    redis_env = RUN.env(RELEASE)
    dummy_env = RUN.env(RELEASE, cache_url="dummycache://")
    # In-process rendering answers as the test client's host.
    render_env = dict(dummy_env, ALLOWED_HOSTS="testserver")

    say("== Machine")
    for line in harness.machine(("gunicorn", "whitenoise", "psycopg", "redis"), cpu_count=True):
        say(f"  {line}")

    say()
    say(f"== Setup: database {RUN.db_name}, scale 1, shape large")
    RUN.manage(redis_env, "collectstatic", "--noinput", "-v0")
    RUN.own_keys()
    RUN.manage(redis_env, "migrate", "--noinput", "-v0")
    fill_database(redis_env, 1)

    scale1 = render_stats(render_env, args.renders, save_static=STATIC_NAME)
    static_file = Path(scale1["saved"])
    RUN.started.append(("file", static_file))
    say(
        f"  guide page {GUIDE_PATH}: {scale1['bytes']} B of HTML, {scale1['queries']} queries; "
        f"static copy: {static_file.relative_to(ROOT)} ({static_file.stat().st_size} B)"
    )

    port = harness.free_port(args.port, RUN.ports)
    base = f"http://127.0.0.1:{port}"
    workers, threads = harness.gunicorn_size()
    say()
    say(
        f"== HTTP: gunicorn gthread, {workers} workers × {threads} threads on 127.0.0.1:{port}; "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
        f"(after {args.warmup} s warm-up), no Accept-Encoding"
        + ("; max_requests OFF (--no-recycle)" if args.no_recycle else "")
    )
    results, errors = {}, []

    extra = ["--max-requests", "0"] if args.no_recycle else []
    server = start_gunicorn(redis_env, port, "redis", extra)
    status, _, body = get(base + GUIDE_PATH)
    for _ in range(3):
        get(base + GUIDE_PATH)
    cached_ok = status == 200 and RUN.page_cached(GUIDE_PATH)
    static_size = static_file.stat().st_size
    if len(body) != static_size:
        say(f"  note: gunicorn's page is {len(body)} B, the static copy {static_size} B")
    if not cached_ok:
        say("  WARNING: the guide page is not in Redis after warm-up: 'cached' is not a cache hit")
    measure(args, base + GUIDE_PATH, "cached guide page", results, errors, server)
    static_url = f"{base}/static/{STATIC_NAME}"
    measure(args, static_url, "static file (same size)", results, errors, server)

    edge_port = harness.free_port(0, RUN.ports)
    edge_base = f"http://127.0.0.1:{edge_port}"
    say()
    say(
        f"== Edge: nginx ({args.edge_workers} worker(s), deploy/nginx/ via bin/edge render) on "
        f":{edge_port} in front of that gunicorn, micro-cache on tmpfs; the same wrk"
    )
    edge = start_edge(redis_env, edge_port, [port], args.edge_workers)
    for _ in range(3):
        status, headers, _ = get(edge_base + GUIDE_PATH)
    if headers.get("X-Cache") != "HIT":
        say(f"  WARNING: the edge answered X-Cache {headers.get('X-Cache')} after warm-up")
    measure(args, edge_base + GUIDE_PATH, "edge: guide page", results, errors, edge, "nginx")
    measure(
        args, f"{edge_base}/static/{STATIC_NAME}", "edge: static file (same bytes)",
        results, errors, edge, "nginx",
    )  # fmt: skip
    edge_static = results["edge: static file (same bytes)"]["rps"]
    edge_ratio = results["edge: guide page"]["rps"] / edge_static
    say(f"  ratio: edge guide page / the same bytes static from the same nginx {edge_ratio:.3f}")
    visible_s = edit_visible_through_edge(args, redis_env, edge_base, errors)
    RUN.stop_gunicorn(edge)  # nginx's process group, stopped the same way

    say()
    say("== No stampede: edits while wrk loads gunicorn on Redis directly (no edge)")
    per_edit, _ = renders_per_edit(args, redis_env, base, server, errors)
    RUN.stop_gunicorn(server)

    server = start_gunicorn(dummy_env, port, "dummycache", extra)
    get(base + GUIDE_PATH)
    measure(args, base + GUIDE_PATH, "uncached guide page", results, errors, server)
    RUN.stop_gunicorn(server)

    static_rps = results["static file (same size)"]["rps"]
    cached_ratio = results["cached guide page"]["rps"] / static_rps
    uncached_ratio = results["uncached guide page"]["rps"] / static_rps
    error_count = sum(r["errors"] for _, r in errors)
    say(f"  ratios: cached/static {cached_ratio:.3f}, uncached/static {uncached_ratio:.3f}")

    def cost(name):
        r = results[name]
        return r["cpu"]["gunicorn"] * r["cpu"]["wall"] / max(r["requests"], 1)

    static_cost = cost("static file (same size)")
    say(
        f"  by gunicorn CPU per request (less sensitive to other load): "
        f"cached/static {static_cost / cost('cached guide page'):.3f}, "
        f"uncached/static {static_cost / cost('uncached guide page'):.3f}"
    )
    say(
        f"  errors: {error_count} (socket connect/read/write/timeout + non-2xx/3xx, "
        f"{len(errors)} wrk runs incl. warm-ups)"
    )
    for name, r in errors:
        if r["errors"]:
            say(
                f"    {name}: connect {r['connect']} read {r['read']} write {r['write']} "
                f"timeout {r['timeout']} non-2xx/3xx {r['status']}"
            )

    say()
    say(
        f"== In-process render (django.test.Client, dummy cache, {args.renders} renders "
        "after 5 warm-up, no Accept-Encoding)"
    )
    growth = {1: scale1}
    for scale in args.scales:
        if scale == 1:
            continue
        fill_database(redis_env, scale)
        growth[scale] = render_stats(render_env, args.renders)
    base_ms = scale1["median_ms"]
    say(
        f"  {'scale':>5} {'HTML bytes':>10} {'median ms':>10} {'min ms':>8} {'p90 ms':>8} "
        f"{'× scale 1':>9} {'CPU ms':>8} {'queries':>7} {'query fn ms':>11} {'gzip ms':>7}"
    )
    for scale, g in sorted(growth.items()):
        say(
            f"  {scale:>5} {g['bytes']:>10} {g['median_ms']:>10.2f} {g['min_ms']:>8.2f} "
            f"{g['p90_ms']:>8.2f} {g['median_ms'] / base_ms:>9.2f} {g['cpu_median_ms']:>8.2f} "
            f"{g['queries']:>7} {g['query_fn_median_ms']:>11.2f} {g['gzip_median_ms']:>7.2f}"
        )
    say(
        "  (median/min/p90: wall time per render; CPU ms: this Python process's CPU per render, "
        "without PostgreSQL's; query fn: careerguide.pages.guide_page alone, all its queries and "
        "the ORM; gzip: compressing the body, which the page-cache middleware does per render)"
    )
    linear = all(g["median_ms"] <= base_ms * s for s, g in growth.items() if s > 1)
    constant = len({g["queries"] for g in growth.values()}) == 1
    marginal = [
        f"scale {s}: {(g['median_ms'] - base_ms) / (s - 1):.2f} ms per extra scale unit"
        for s, g in sorted(growth.items())
        if s > 1
    ]
    if marginal:
        say(
            f"  growth: {'at most linear' if linear else 'MORE than linear'} "
            f"(median at scale N ≤ N × scale 1); {'; '.join(marginal)}"
        )
    say(
        f"  queries per render: {'constant' if constant else 'NOT constant'} "
        f"({', '.join(str(g['queries']) for _, g in sorted(growth.items()))})"
    )

    uncached_cpu_ms = cost("uncached guide page") * 1000
    checks = [
        (
            edge_ratio >= TARGETS["edge"],
            f"edge (warm) ≥ {TARGETS['edge']} × the same bytes static from that nginx: "
            f"{edge_ratio:.3f}",
        ),
        (
            cached_ratio >= TARGETS["cached"],
            f"cached ≥ {TARGETS['cached']} × static: {cached_ratio:.3f}",
        ),
        (
            uncached_ratio >= TARGETS["uncached"],
            f"uncached ≥ {TARGETS['uncached']} × static: {uncached_ratio:.3f}",
        ),
        (
            uncached_cpu_ms <= TARGETS["uncached_cpu_ms"],
            f"gunicorn CPU per uncached guide request ≤ {TARGETS['uncached_cpu_ms']:.0f} ms: "
            f"{uncached_cpu_ms:.2f} ms",
        ),
        (
            base_ms <= TARGETS["render_ms"],
            f"median uncached render ≤ {TARGETS['render_ms']:.0f} ms at scale 1: {base_ms:.2f} ms",
        ),
        (
            per_edit <= TARGETS["renders_per_edit"],
            f"renders per edit, {args.edit_connections} connections straight to gunicorn on "
            f"Redis: {per_edit:.2f} (target 1 per page)",
        ),
        (
            visible_s <= TARGETS["edit_visible_s"],
            f"an edit visible through the edge ≤ {TARGETS['edit_visible_s']:.0f} s: "
            f"{visible_s:.2f} s (the slowest of the edits)",
        ),
        (error_count == TARGETS["errors"], f"0 errors: {error_count}"),
    ]
    busy = {n: r["cpu"]["other"] for n, r in results.items() if r["cpu"]["other"] > 0.2}
    caution = [
        "CAUTION: other processes used "
        + ", ".join(f"{cpus:.2f} CPUs during '{n}'" for n, cpus in busy.items())
        + ": the machine was not quiet, so these figures are pessimistic."
    ]
    harness.report_targets(checks, "bench", t0, caution if busy else ())


def main():
    parser = RUN.parser("Throughput and latency of the guide page", 10, 2, 32)
    parser.add_argument("--renders", type=int, default=50, help="timed in-process renders")
    parser.add_argument(
        "--edit-connections", type=int, default=64, help="wrk connections while edits are made"
    )
    parser.add_argument(
        "--edge-workers", default="1", help="nginx worker processes for the edge (or auto)"
    )
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=[1, 10, 100],
        help="content scales for the growth table",
    )
    parser.add_argument(
        "--no-recycle",
        action="store_true",
        help="diagnosis: --max-requests 0 (gunicorn.conf.py recycles workers every ~2000 "
        "requests, which costs a worker boot every second or two at these rates)",
    )
    args = parser.parse_args()
    if 1 not in args.scales:
        args.scales.insert(0, 1)
    RUN.main(bench, args)


if __name__ == "__main__":
    main()

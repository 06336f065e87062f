"""`make bench`: throughput and latency of the guide page as served in production.

What it does (about 3 minutes; everything it starts is stopped on exit, also on
Ctrl-C or SIGTERM):

1. Installs wrk with apt-get when it is missing, then starts PostgreSQL and
   Redis when they are down (`bin/services careerguide_bench`, which also
   creates the separate database `careerguide_bench`).
2. `manage.py collectstatic`, then fills that database: `manage.py migrate`
   and `manage.py generate_bench_content --scale 1 --shape large`. Management
   commands run with the Redis cache settings, so the content stamp moves.
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
   Redis first), (3) the static file. Then restarts gunicorn with
   CACHE_URL=dummycache:// and measures (2) the uncached page.
5. Growth: regenerates the bench database at scale 10 and 100 (one guide with
   N times the rows) and repeats the in-process render timing.
6. Prints requests/s, p50/p99 latency, the ratios to static, the error count
   (wrk socket errors + non-2xx/3xx responses over every wrk run, warm-ups
   included), the CPU each run cost (gunicorn, wrk, PostgreSQL + Redis, other
   processes; from /proc), the growth table and PASS/FAIL per target. It
   exits 0 when the bench ran, whatever the targets say; non-zero only when
   something crashed.

Targets: cached ≥ 0.6 × static; uncached ≥ 0.05 × static; median uncached
render ≤ 25 ms at scale 1; 0 errors. See docs/PERFORMANCE.md for a recorded run.

On exit it also deletes its static file and its Redis keys (prefix `cgbench`),
and stops PostgreSQL / Redis if it was the one that started them.

Stdlib only (run with the project's venv python, which `make bench` does).
Logs of each gunicorn run and the last report go to bench/.out/ (git-ignored).
Options: `.venv/bin/python bench/run.py --help`.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from hashlib import blake2b
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / ".out"
PY = sys.executable
DB_NAME = "careerguide_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_DB = 2
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
# Its own key prefix: nothing else sharing this Redis database is ever touched.
CACHE_KEY_PREFIX = "cgbench"
# As a deploy sets it (docs/DEPLOY.md): one release id for every process of the
# run, so a worker recycled by max_requests while someone edits the code keeps
# the same cache keys. Unique per run: nothing cached by an earlier run is used.
RELEASE = f"bench-{uuid.uuid4().hex[:12]}"
GUIDE_PATH = "/careers/backend-developer/"
STATIC_NAME = "bench/guide-page.html"

TARGETS = {"cached": 0.6, "uncached": 0.05, "render_ms": 25.0, "errors": 0}

report_lines = []
started = []  # ("gunicorn", Popen), ("file", Path), ("redis-keys" | "redis" | "postgresql", …)
foreground = []  # the child process currently being waited for, if any


def say(line=""):
    print(line, flush=True)
    report_lines.append(line)


def die(message):
    raise SystemExit(f"bench: {message}")


# --- processes ---------------------------------------------------------------


def run(cmd, env=None, timeout=600, capture=False, check=True):
    """Run a foreground command; cleanup can terminate it if we are interrupted."""
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
        text=True,
    )
    foreground.append(proc)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        die(f"timed out after {timeout} s: {' '.join(map(str, cmd))}")
    finally:
        foreground.remove(proc)
    if check and proc.returncode != 0:
        if capture and out:
            print(out, file=sys.stderr)
        die(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}")
    return out if capture else proc.returncode


def quiet(cmd):
    """Output of a small command, or '' when it fails or is missing."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def stop_group(proc, grace=30):
    """SIGTERM the process group we started (gunicorn master + workers), then SIGKILL."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    # Workers left behind by a killed master share its group: make sure.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def cleanup():
    for proc in list(foreground):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    while started:
        kind, what = started.pop()
        try:
            if kind == "gunicorn":
                stop_group(what)
            elif kind == "redis-keys":
                clear_bench_keys()
            elif kind == "file":
                what.unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # only if empty
                    what.parent.rmdir()
            elif kind == "redis":
                print("bench: stopping the Redis it started", flush=True)
                quiet(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"])
            elif kind == "postgresql":
                print("bench: stopping the PostgreSQL it started", flush=True)
                quiet(["pg_ctlcluster", "--skip-systemctl-redirect", what, "main", "stop"])
        except Exception as exc:  # keep cleaning up the rest
            print(f"bench: cleanup of {kind} failed: {exc}", file=sys.stderr)


def on_signal(signum, frame):
    raise SystemExit(f"bench: interrupted by signal {signum}")


# --- environment -------------------------------------------------------------


def base_env(cache_url):
    env = dict(os.environ)
    if not env.get("SECRET_KEY"):
        key_file = ROOT / ".secret-key"
        if not key_file.exists():
            die("SECRET_KEY is not set and there is no .secret-key (run `make bench`)")
        env["SECRET_KEY"] = key_file.read_text().strip()
    env.update(
        DJANGO_SETTINGS_MODULE="careerguide.settings",
        DEBUG="false",
        DATABASE_URL=DATABASE_URL,
        CACHE_URL=cache_url,
        CACHE_KEY_PREFIX=CACHE_KEY_PREFIX,
        RELEASE=RELEASE,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no SSL redirect, whatever a local .env says.
        HTTPS="false",
        BEHIND_PROXY="false",
        PYTHONUNBUFFERED="1",
    )
    env.pop("PORT", None)
    return env


def ensure_wrk():
    if shutil.which("wrk"):
        return
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    if os.geteuid() != 0 and not shutil.which("sudo"):
        die("wrk is missing: install it with `apt-get install -y wrk` (needs root)")
    print("bench: installing wrk", flush=True)
    noninteractive = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run([*apt, "install", "-y", "-q", "wrk"], env=noninteractive, check=False) != 0:
        run([*apt, "update", "-q"], env=noninteractive)
        run([*apt, "install", "-y", "-q", "wrk"], env=noninteractive)
    if not shutil.which("wrk"):
        die("wrk is still missing after apt-get install")


def postgres_up():
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0


def redis_up():
    return quiet(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"]) == "PONG"


def ensure_services():
    for tool in ("pg_isready", "psql", "redis-cli"):
        if not shutil.which(tool):
            die(f"{tool} is missing: the bench needs PostgreSQL and Redis installed")
    pg_was_up, redis_was_up = postgres_up(), redis_up()
    run(["bin/services", DB_NAME])
    if not redis_was_up:
        started.append(("redis", None))
    if not pg_was_up:
        versions = sorted(os.listdir("/etc/postgresql"))
        started.append(("postgresql", versions[0]))


def manage(env, *args, timeout=600):
    run([PY, "manage.py", *args], env=env, timeout=timeout, capture=True)


def fill_database(env, scale):
    manage(env, "generate_bench_content", "--scale", str(scale), "--shape", "large")


def render_stats(env, renders, save_static=None):
    cmd = [PY, str(BENCH / "render.py"), "--renders", str(renders)]
    if save_static:
        cmd += ["--save-static", save_static]
    out = run(cmd, env=env, capture=True, timeout=900)
    lines = [line for line in out.splitlines() if line.startswith("RENDER-JSON ")]
    if not lines:
        print(out, file=sys.stderr)
        die("bench/render.py printed no result")
    return json.loads(lines[-1].split(" ", 1)[1])


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    pg = quiet(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"])
    redis = re.search(
        r"redis_version:(\S+)", quiet(["redis-cli", "-h", "127.0.0.1", "INFO", "server"])
    )
    wrk = quiet(["sh", "-c", "wrk -v 2>&1 | head -n1"]).split(" Copyright")[0]

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    load = Path("/proc/loadavg").read_text().split()[:3]
    commit = quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "?"
    dirty = quiet(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines()
    return [
        f"CPU: {cpu or '?'} × {os.cpu_count()} (nproc {quiet(['nproc']) or '?'}), "
        f"memory {mem_kb / 1024 / 1024:.1f} GiB, {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, Django {version('Django')}, "
        f"gunicorn {version('gunicorn')}, whitenoise {version('whitenoise')}, "
        f"psycopg {version('psycopg')}, redis-py {version('redis')}",
        f"PostgreSQL {pg or '?'}, Redis {redis.group(1) if redis else '?'}, {wrk or 'wrk ?'}",
        f"code: git {commit}"
        + (f" with {len(dirty)} uncommitted paths" if dirty else " (clean tree)"),
        f"load average at start: {' '.join(load)} (1, 5, 15 min)",
    ]


# --- gunicorn and wrk --------------------------------------------------------


def free_port(preferred):
    candidates = [preferred] if preferred else range(8200, 8300)
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    die("no free port in 8200-8299")


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def start_gunicorn(env, port, label, extra=()):
    log = open(OUT / f"gunicorn-{label}.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "careerguide.wsgi",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            # gunicorn 27's control socket has one default path per user
            # (~/.gunicorn/gunicorn.ctl): a second server would take it over from
            # any other gunicorn on the machine and delete it when it stops.
            "--no-control-socket",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stop_group reaches the workers
    )
    proc.label = label
    started.append(("gunicorn", proc))
    log.close()
    url = f"http://127.0.0.1:{port}/static/{STATIC_NAME}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            die(f"gunicorn exited ({proc.returncode}); see {log.name}")
        try:
            if get(url, timeout=2)[0] == 200:
                return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    die(f"gunicorn did not answer within 60 s; see {log.name}")


def stop_gunicorn(proc):
    started.remove(("gunicorn", proc))
    stop_group(proc)


def wrk(args, url, seconds):
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "2s",
        "--latency",
        "-s",
        str(BENCH / "summary.lua"),
        url,
    ]
    out = run(cmd, capture=True, timeout=seconds + 60)
    line = next((x for x in out.splitlines() if x.startswith("BENCH-JSON ")), None)
    if line is None:
        print(out, file=sys.stderr)
        die("wrk printed no summary")
    result = json.loads(line.split(" ", 1)[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout", "status"))
    result["bytes_per_response"] = result["bytes"] / result["requests"] if result["requests"] else 0
    return result


# --- who used the CPUs during a run ----------------------------------------

TICK = os.sysconf("SC_CLK_TCK")
SERVICES = {"postgres", "redis-server"}


def cpu_sample(server):
    """CPU seconds so far: the whole machine (busy), the gunicorn group (workers
    that exited are in the master's children times), PostgreSQL + Redis, and
    our reaped children (wrk)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    busy = sum(fields) - fields[3] - fields[4]  # minus idle and iowait
    gunicorn, services, workers = 0, {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        rest = text[text.rindex(")") + 2 :].split()
        pgrp, utime, stime, cutime, cstime = int(rest[2]), *map(int, rest[11:15])
        if pgrp == server.pid:
            gunicorn += utime + stime + (cutime + cstime if int(stat.parent.name) == pgrp else 0)
            if int(stat.parent.name) != pgrp:
                workers[stat.parent.name] = (utime + stime) / TICK
        elif comm in SERVICES:
            services[stat.parent.name] = (utime + stime) / TICK
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "busy": busy / TICK,
        "gunicorn": gunicorn / TICK,
        "services": services,
        "workers": workers,
        "wrk": children.ru_utime + children.ru_stime,
        "at": time.monotonic(),
    }


def cpu_share(before, after):
    """CPUs busy on average between two samples, by who."""
    wall = after["at"] - before["at"]
    used = {k: (after[k] - before[k]) / wall for k in ("busy", "gunicorn", "wrk")}
    # Per process: a PostgreSQL backend that exited meanwhile (another client's)
    # leaves its time in "other" rather than making this negative.
    services = after["services"]
    used["services"] = sum(t - before["services"].get(pid, 0) for pid, t in services.items()) / wall
    used["wall"] = wall
    # Workers alive at the end (max_requests recycles some mid-run), busiest first.
    used["workers"] = sorted(
        ((t - before["workers"].get(pid, 0)) / wall for pid, t in after["workers"].items()),
        reverse=True,
    )
    used["other"] = max(0.0, used["busy"] - used["gunicorn"] - used["services"] - used["wrk"])
    return used


def booted(server):
    """Workers gunicorn has booted so far (from its log): max_requests recycles them."""
    log = OUT / f"gunicorn-{server.label}.log"
    return log.read_text(errors="replace").count("Booting worker with pid")


def measure(args, url, name, results, errors, server):
    warm = wrk(args, url, args.warmup)
    errors.append((f"{name} (warm-up)", warm))
    boots_before = booted(server)
    before = cpu_sample(server)
    result = wrk(args, url, args.duration)
    cpu = cpu_share(before, cpu_sample(server))
    result["cpu"] = cpu
    errors.append((name, result))
    results[name] = result
    say(
        f"  {name:<26} {result['rps']:9.1f} req/s   p50 {result['p50_us'] / 1000:7.2f} ms   "
        f"p99 {result['p99_us'] / 1000:7.2f} ms   {result['bytes_per_response']:8.0f} B/resp   "
        f"errors {result['errors']}"
    )
    say(
        f"  {'':<26} CPUs busy {cpu['busy']:.2f} of {os.cpu_count()}: gunicorn "
        f"{cpu['gunicorn']:.2f}, wrk {cpu['wrk']:.2f}, "
        f"PostgreSQL+Redis (any client) {cpu['services']:.2f}, "
        f"other processes {cpu['other']:.2f}; gunicorn CPU per request "
        f"{cpu['gunicorn'] * cpu['wall'] / max(result['requests'], 1) * 1000:.2f} ms"
    )
    say(
        f"  {'':<26} gunicorn workers alive at the end, CPUs each: "
        + " ".join(f"{w:.2f}" for w in cpu["workers"])
        + f"; workers booted during the run: {booted(server) - boots_before}"
    )


def redis_cli(*args):
    return quiet(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "-n", str(REDIS_DB), *args])


def redis_keys(pattern):
    return redis_cli("--scan", "--pattern", pattern).split()


def clear_bench_keys():
    """Delete the bench's own keys (its prefix, any release id) and nothing else."""
    keys = redis_keys(f"{CACHE_KEY_PREFIX}:*")
    for i in range(0, len(keys), 500):
        redis_cli("DEL", *keys[i : i + 500])


def page_cached(path):
    # Keys are PREFIX:RELEASE:VERSION:page:HASH (settings put the release id in
    # the prefix; careerguide.middleware.page_key hashes the path).
    digest = blake2b(path.encode(), digest_size=16).hexdigest()
    return bool(redis_keys(f"{CACHE_KEY_PREFIX}:*:page:{digest}"))


# --- the bench ---------------------------------------------------------------


def bench(args):
    OUT.mkdir(exist_ok=True)
    t0 = time.monotonic()
    ensure_wrk()
    ensure_services()
    redis_env = base_env(REDIS_URL)
    dummy_env = base_env("dummycache://")
    # In-process rendering answers as the test client's host.
    render_env = dict(dummy_env, ALLOWED_HOSTS="testserver")

    say("== Machine")
    for line in machine():
        say(f"  {line}")

    say()
    say(f"== Setup: database {DB_NAME}, scale 1, shape large")
    manage(redis_env, "collectstatic", "--noinput", "-v0")
    clear_bench_keys()
    started.append(("redis-keys", None))
    manage(redis_env, "migrate", "--noinput", "-v0")
    fill_database(redis_env, 1)

    scale1 = render_stats(render_env, args.renders, save_static=STATIC_NAME)
    static_file = Path(scale1["saved"])
    started.append(("file", static_file))
    say(
        f"  guide page {GUIDE_PATH}: {scale1['bytes']} B of HTML, {scale1['queries']} queries; "
        f"static copy: {static_file.relative_to(ROOT)} ({static_file.stat().st_size} B)"
    )

    port = free_port(args.port)
    base = f"http://127.0.0.1:{port}"
    workers = os.environ.get("WEB_CONCURRENCY") or f"{2 * os.cpu_count() + 1} (2 × CPUs + 1)"
    threads = os.environ.get("GUNICORN_THREADS") or "4"
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
    status, body = get(base + GUIDE_PATH)
    for _ in range(3):
        get(base + GUIDE_PATH)
    cached_ok = status == 200 and page_cached(GUIDE_PATH)
    static_size = static_file.stat().st_size
    if len(body) != static_size:
        say(f"  note: gunicorn's page is {len(body)} B, the static copy {static_size} B")
    if not cached_ok:
        say("  WARNING: the guide page is not in Redis after warm-up: 'cached' is not a cache hit")
    measure(args, base + GUIDE_PATH, "cached guide page", results, errors, server)
    static_url = f"{base}/static/{STATIC_NAME}"
    measure(args, static_url, "static file (same size)", results, errors, server)
    stop_gunicorn(server)

    server = start_gunicorn(dummy_env, port, "dummycache", extra)
    get(base + GUIDE_PATH)
    measure(args, base + GUIDE_PATH, "uncached guide page", results, errors, server)
    stop_gunicorn(server)

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
        "without PostgreSQL's; query fn: careerguide.pages.guide_page alone, all 12 queries and "
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

    say()
    say("== Targets")
    checks = [
        (
            cached_ratio >= TARGETS["cached"],
            f"cached ≥ {TARGETS['cached']} × static: {cached_ratio:.3f}",
        ),
        (
            uncached_ratio >= TARGETS["uncached"],
            f"uncached ≥ {TARGETS['uncached']} × static: {uncached_ratio:.3f}",
        ),
        (
            base_ms <= TARGETS["render_ms"],
            f"median uncached render ≤ {TARGETS['render_ms']:.0f} ms at scale 1: {base_ms:.2f} ms",
        ),
        (error_count == TARGETS["errors"], f"0 errors: {error_count}"),
    ]
    for ok, text in checks:
        say(f"  {'PASS' if ok else 'FAIL'}  {text}")
    busy = {n: r["cpu"]["other"] for n, r in results.items() if r["cpu"]["other"] > 0.2}
    if busy:
        say(
            "  CAUTION: other processes used "
            + ", ".join(f"{cpus:.2f} CPUs during '{n}'" for n, cpus in busy.items())
            + ": the machine was not quiet, so these figures are pessimistic."
        )
    say()
    say(
        f"bench finished in {time.monotonic() - t0:.0f} s "
        f"({sum(ok for ok, _ in checks)}/{len(checks)} targets met)"
    )
    (OUT / "last-report.txt").write_text("\n".join(report_lines) + "\n")


def main():
    parser = argparse.ArgumentParser(
        description="Throughput and latency of the guide page (see the module docstring)."
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--renders", type=int, default=50, help="timed in-process renders")
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=[1, 10, 100],
        help="content scales for the growth table",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("BENCH_PORT", 0)),
        help="gunicorn port (default: the first free one in 8200-8299)",
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
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    try:
        bench(args)
    finally:
        cleanup()


if __name__ == "__main__":
    main()

"""`make loadtest`: the site under 64 concurrent connections, steady and while
PostgreSQL restarts, straight to one gunicorn and then through the nginx edge
in front of two app servers, with an app server killed and an edit on one.

What it does (about 4 minutes; everything it starts is stopped on exit, also on
Ctrl-C or SIGTERM, and PostgreSQL is always left running):

1. Installs wrk (and, for the edge run, nginx-light) with apt-get when
   missing, then starts PostgreSQL and Redis when they are down
   (`bin/services careerguide_load`, which also creates the separate
   database `careerguide_load`).
2. Prepares that database as `make run` does: `collectstatic`, `migrate`,
   `load_starter_content` (it only loads into an empty database).
3. Starts gunicorn with gunicorn.conf.py (gthread, 2 × CPUs + 1 workers,
   4 threads, unless WEB_CONCURRENCY / GUNICORN_THREADS say otherwise) on the
   first free port in 8300-8399, with the production settings except HTTPS:
   DEBUG=false, HTTPS=false, the real SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,
   localhost, PostgreSQL, CACHE_URL=redis://127.0.0.1:6379/3, and a RELEASE
   fixed for the run (so a worker recycled by max_requests while someone edits
   the code still finds the cached pages).
4. Checks every URL once, warms the page cache (guide and home must be in
   Redis), then runs wrk on 127.0.0.1 with loadtest/mix.lua, which rotates
   through the guide, home, /sitemap.xml, a 404 and /readyz and counts the
   status codes per URL (and the Retry-After of every 503):
   - a 3 s warm-up (reported, not judged);
   - the STEADY run: 30 s, 64 connections. Targets: 0 socket errors, 0 5xx,
     every URL answers its normal status;
   - the FAULT run: 30 s, 64 connections; at 10 s PostgreSQL is stopped
     (`pg_ctlcluster --skip-systemctl-redirect -m fast VERSION main stop`),
     and 3 s after the stop has completed it is started again (`... start`),
     so the outage is long enough to see. Side threads poll /readyz and
     pg_isready every 100 ms to time the outage and the recovery. Targets:
     0 socket errors; no 5xx but 503; every 503 carries Retry-After; no 503 on
     the page-cached guide and home; 503s only while the database is down
     (from the app's JSON log: from the stop until pg_isready says accepting,
     plus a 1 s grace); /readyz sees the outage and is 200 again before the
     run ends.
5. The EDGE run (issue 17; `--no-edge` skips it, `--only-edge` skips the
   direct runs above). The direct gunicorn is stopped; two app servers A and B
   start (`harness.Run.start_gunicorn`, the same settings plus SITE_URL = the
   edge, TRUSTED_PROXIES=127.0.0.2/32, STAFF_2FA_REQUIRED=false), sharing the
   database and the Redis page cache (same key prefix and release). nginx runs
   from `bin/edge render --run-dir loadtest/.out/edge` (the repo's
   deploy/nginx/, micro-cache in /dev/shm, proxy_bind 127.0.0.2, access log)
   as `bin/edge run` starts it, on ports of the same range. Then, with the
   same mix through the edge:
   - a 3 s warm-up, then the EDGE STEADY run (30 s): 0 socket errors, 0 5xx,
     normal statuses only, 0 5xx in the edge's access log;
   - the EDGE KILL run (30 s): at 10 s app server A's process group (master
     and workers) gets SIGKILL (`--edge-stop term`: SIGTERM), at 15 s A is
     started again. Targets: no socket error, no 5xx, normal statuses (nginx
     retries the other server: `proxy_next_upstream error timeout`), and A
     answers again after its restart. The edge log gives the requests
     answered per upstream (A, B, or the edge's cache) and the retries, per
     phase and per second;
   - the EDGE EDIT run (10 s): a superuser made for the run signs in to server
     A's admin over HTTP (login form, CSRF token, session cookie) and at 3 s
     saves an FAQ answer of the guide with a new sentence through the FAQ's
     change form (a publisher's plain Save writes live). A poller GETs the
     guide through the edge every 50 ms from 127.0.0.3 (its own lines in the
     edge log) until the run ends. Each answer's X-Request-ID names the request
     whose render it is (a cache hit carries the one that filled the entry),
     found in A's or B's JSON log. Target: the new text rendered by server B
     seen within 2 s of the POST (the first sight overall is printed too). The
     admin puts the old answer back afterwards (a `manage.py shell` does, if
     the run stops first); the user is deleted on exit;
   - the EDGE FAULT run: the PostgreSQL restart above through the edge (same
     waiting for other clients, same targets: the cached guide and home are
     still served, no 5xx but 503).
6. Prints requests/s, p50/p99 latency (wrk, all URLs), the status codes per
   URL and overall, the app's own per-URL latency (from its JSON access log),
   any error or warning lines in the gunicorn log, for the edge runs the edge
   log's cache statuses, upstreams and times per URL, and PASS/FAIL per target.
   It exits 0 when the load test ran, whatever the targets say; non-zero only
   when something crashed.

The fault run restarts the machine's shared PostgreSQL cluster: anything else
using it at that moment (another bench, a `make run` on PostgreSQL, tests)
would see the outage too. So before stopping it the script waits (up to
--wait-others, 300 s) until no other database of the cluster has a client
connection; if some still do, the fault run is SKIPPED and reported as a FAIL
line. `--force-fault` restarts anyway; `--no-fault` skips the fault run.

Stdlib and psutil, with bench/harness.py and loadtest/parsing.py (the edge
log and the admin form), run with the project's venv python, as `make
loadtest` does. The gunicorn logs (gunicorn.log, edge-app-a.log, edge-app-a1.log
after A's restart, edge-app-b.log), the edge's configuration and access log
(edge/) and the last report go to loadtest/.out/ (git-ignored).
Options: `.venv/bin/python loadtest/run.py --help`.
"""

import contextlib
import datetime
import gzip
import http.client
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import PY, die, say  # noqa: E402
from loadtest import parsing  # noqa: E402

# name, path, normal status, served from the page cache when warm
URLS = [
    ("guide", "/careers/backend-developer/", 200, True),
    ("home", "/", 200, True),
    ("sitemap", "/sitemap.xml", 200, False),
    ("404", "/careers/no-such-guide/", 404, False),
    ("readyz", "/readyz", 200, False),
]
READYZ = "/readyz"
CHECK_HEADERS = {"User-Agent": "loadtest-check"}


class LoadRun(harness.Run):
    """The load test's run; PostgreSQL is always left running, even after an
    interrupted fault run."""

    release = None  # this run's cache key release id
    server = None  # the gunicorn it drives
    pg_stopped_by_us = False

    def before_cleanup(self):
        if self.pg_stopped_by_us:
            try:
                ensure_postgres_running()
            except Exception as exc:
                harness.note(f"restarting PostgreSQL failed: {exc}", error=True)

    def undo(self, kind, what):
        """Besides the harness's kinds, the edge run's: ("process", Popen) nginx's
        group, ("dir", Path) its cache, ("shell", (env, code)) a `manage.py shell -c`
        that undoes a change to the database (the run's staff user, its edit)."""
        if kind == "process":
            harness.stop_group(what)
        elif kind == "dir":
            shutil.rmtree(what, ignore_errors=True)
        elif kind == "shell":
            env, code = what
            self.manage(env, "shell", "-c", code, timeout=120)
        else:
            super().undo(kind, what)


# Its own key prefix in its own Redis database: cleanup deletes these keys only.
RUN = LoadRun(
    "loadtest", db_name="careerguide_load", redis_db=3, key_prefix="cgload", ports=range(8300, 8400)
)


def ensure_postgres_running():
    """Start PostgreSQL again if the fault run left it stopped."""
    if not RUN.pg_version or harness.postgres_up():
        RUN.pg_stopped_by_us = False
        return
    harness.note("PostgreSQL is down: starting it again")
    for _ in range(3):
        harness.pg_ctlcluster(RUN.pg_version, "start")
        if harness.wait_for(harness.postgres_up, 30):
            RUN.pg_stopped_by_us = False
            return
    harness.note("PostgreSQL did NOT come back: start it by hand", error=True)


def get(url, timeout=10, headers=None):
    """(status, headers, body) for any status; raises on socket errors."""
    return harness.get(url, timeout, {**CHECK_HEADERS, **(headers or {})}, http_errors=False)


def page_cached(path):
    return RUN.page_cached(path, RUN.release)


def check_urls(base):
    """One request per URL: each must answer its normal status; warm the page cache."""
    bad = []
    for name, path, expected, cached in URLS:
        for _ in range(3 if cached else 1):
            status, _, body = get(base + path)
        note = ""
        if cached:
            note = ", in the Redis page cache" if page_cached(path) else ", NOT in the page cache"
            if not page_cached(path):
                bad.append(f"{name} not cached")
        say(f"  {name:<8} {path:<30} {status} ({len(body)} B{note})")
        if status != expected:
            bad.append(f"{name} answered {status}")
    if bad:
        die("the site is not ready for load: " + "; ".join(bad))


# --- wrk and the app log -----------------------------------------------------


def wrk_cmd(args, base, seconds, tag):
    paths = [path for _, path, _, _ in URLS]
    script = RUN.dir / "mix.lua"
    return harness.wrk_cmd(args, base, seconds, script, args.timeout, script_args=[tag, *paths])


def per_url(r):
    """mix.lua's counters by URL index (0: no X-Request-ID, not made by the app):
    per_url {index: Counter(status)}, retry {index: Counter(Retry-After)},
    why {index: Counter(failed /readyz check)}, and overall Counter(status)."""
    tables = {"per_url": ("counts", ":"), "retry": ("retry_after", ":"), "why": ("reasons", "|")}
    for name, (key, sep) in tables.items():
        r[name] = defaultdict(Counter)
        for k, n in r[key].items():
            index, value = k.split(sep, 1)
            r[name][int(index)][int(value) if name == "per_url" else value] = n
    r["overall"] = sum(r["per_url"].values(), Counter())
    return r


def run_wrk(args, base, seconds, tag):
    return per_url(harness.wrk(wrk_cmd(args, base, seconds, tag), seconds))


def log_time(text):
    return datetime.datetime.fromisoformat(text).timestamp()


def read_log(tag, paths=None):
    """The app's JSON access lines for this run's requests (their X-Request-ID starts
    with the tag), the JSON warning/error records of those requests, and gunicorn's
    own warning/error lines (whatever the request); from the given server logs
    (default: the one gunicorn of the direct runs)."""
    access, errors, gunicorn = [], [], []
    prefix = f"{tag}-"
    text = "".join(p.read_text(errors="replace") for p in paths or [RUN.server.log_path])
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not rec.get("request_id", "").startswith(prefix):
                continue
            if rec.get("logger") == "careerguide.access":
                access.append(rec)
            elif rec.get("level") in ("WARNING", "ERROR", "CRITICAL"):
                errors.append(rec)
        elif re.search(r"\[(WARNING|ERROR|CRITICAL)\]", line):
            gunicorn.append(line)
    return access, errors, gunicorn


def pct(values, p):
    """The p-th percentile (linear between the closest ranks), nan for no values."""
    if len(values) < 2:
        return values[0] if values else float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[p - 1] if p < 100 else max(values)
    )


def fmt_counts(counts):
    return ", ".join(f"{s}: {n}" for s, n in sorted(counts.items())) or "none"


# --- reports -----------------------------------------------------------------


def cpu_line(before, after, restarted=False):
    """CPUs busy on average between two samples, by who. PostgreSQL + Redis count
    their reaped children (a postmaster's exited backends); "wrk and pollers": our
    reaped children (wrk, pg_isready, pg_ctlcluster); nginx in the edge runs."""
    used = harness.cpu_share(before, after)
    other = used["other"]
    edge = ""
    if "nginx" in before:
        nginx = (after["nginx"] - before["nginx"]) / used["wall"]
        other = max(0.0, other - nginx)
        edge = f"nginx {nginx:.2f}, "
    say(
        f"  CPUs busy {used['busy']:.2f} of {os.cpu_count()}: gunicorn {used['gunicorn']:.2f}, "
        + edge
        + f"wrk and pollers {used['children']:.2f}, PostgreSQL+Redis {used['services']:.2f}, "
        f"other processes {other:.2f}"
        + (" (including the PostgreSQL processes that exited in the restart)" if restarted else "")
    )
    if other > 0.2 and not restarted:
        say(
            f"  CAUTION: other processes used {other:.2f} CPUs during this run: the machine was "
            "not quiet, so the throughput and latency figures are pessimistic"
        )


def cpu_sample():
    return harness.cpu_sample(RUN.server, services_children=True)


def report_run(r, access):
    say(
        f"  {r['requests']} responses in {r['duration_us'] / 1e6:.1f} s = {r['rps']:.1f} req/s; "
        f"latency (wrk, all URLs) p50 {r['p50_us'] / 1000:.2f} ms, "
        f"p90 {r['p90_us'] / 1000:.2f} ms, "
        f"p99 {r['p99_us'] / 1000:.2f} ms, max {r['max_us'] / 1000:.1f} ms"
    )
    say(
        f"  socket errors: {r['socket_errors']} (connect {r['connect']}, read {r['read']}, "
        f"write {r['write']}, timeout {r['timeout']})"
    )
    by_path = defaultdict(list)
    for rec in access:
        by_path[rec.get("path")].append(rec.get("duration_ms", 0.0))
    say(f"  {'URL':<38} {'responses':>9}  {'status codes':<28} app time p50 / p99 ms")
    for index, (name, path, _, _) in enumerate(URLS, start=1):
        counts = r["per_url"][index]
        times = by_path[path]
        say(
            f"  {name + ' ' + path:<38} {counts.total():>9}  {fmt_counts(counts):<28} "
            f"{pct(times, 50):.1f} / {pct(times, 99):.1f}"
        )
    unknown = r["per_url"][0]
    if unknown:
        say(f"  {'unidentified (no X-Request-ID)':<38} {unknown.total():>9}  {fmt_counts(unknown)}")
    say(f"  {'overall':<38} {r['overall'].total():>9}  {fmt_counts(r['overall'])}")
    if r["overall"][503]:
        say("  503s, their Retry-After (every 503 wrk saw) and, for /readyz, the failed check:")
        for index, (name, path, _, _) in enumerate([("?", "", 0, False), *URLS]):
            n503 = r["per_url"][index][503]
            if not n503:
                continue
            values = r["retry"][index]
            say(
                f"    {name + ' ' + path:<36} {n503:>6} × 503, Retry-After: "
                + ", ".join(f"{v} ({n})" for v, n in sorted(values.items()))
            )
            for why, n in r["why"][index].most_common():
                say(f"      {n:>6} × {why}")


def exception_line(text):
    """The 'module.Error: message' line of a logged traceback."""
    lines = [x for x in (text or "").splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", x)]
    return lines[-1][:200] if lines else ""


def report_log(errors, gunicorn):
    if errors:
        kinds = Counter()
        for rec in errors:
            message = re.sub(r": /\S*", "", rec.get("message", ""))  # one kind, any path
            key = f"{rec.get('level')} {rec.get('logger')}: {message}"
            exc = exception_line(rec.get("exception"))
            kinds[key + (f" [{exc}]" if exc else "")] += 1
        say("  app log, warnings and errors of this run's requests:")
        for key, n in kinds.most_common():
            say(f"    {n:>6} × {key}")
    else:
        say("  app log: no warning or error for this run's requests")
    if gunicorn:
        say(f"  gunicorn log: {len(gunicorn)} warning/error lines in all, e.g.:")
        for line in gunicorn[:5]:
            say(f"    {line[:200]}")


def report_wrk_run(r, logged, before, after, restarted=False):
    """The run's figures, its CPU and its log lines; logged: read_log(tag)."""
    access, errors, gunicorn = logged
    report_run(r, access)
    cpu_line(before, after, restarted)
    report_log(errors, gunicorn)


def wrong_statuses(r, allow_503):
    """{name: {status: n}} of responses other than a URL's normal status (and 503
    on the URLs in allow_503)."""
    wrong = {}
    for index, (name, _, expected, _) in enumerate(URLS, start=1):
        allowed = {expected, 503} if name in allow_503 else {expected}
        other = {s: n for s, n in r["per_url"][index].items() if s not in allowed}
        if other:
            wrong[name] = other
    if r["per_url"][0]:
        wrong["unidentified"] = r["per_url"][0]
    return wrong


def describe(wrong):
    return "; ".join(f"{k} {fmt_counts(v)}" for k, v in wrong.items())


# --- side pollers for the fault run ------------------------------------------


class Poller(threading.Thread):
    """Calls probe() every `every` s; records (sent, received, result) in wall-clock s."""

    def __init__(self, probe, every=0.1):
        super().__init__(daemon=True)
        self.probe = probe
        self.every = every
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            sent = time.time()
            try:
                result = self.probe()
            except Exception as exc:
                result = (f"error {exc.__class__.__name__}", None)
            self.samples.append((sent, time.time(), *result))
            self.halt.wait(max(0.0, self.every - (time.time() - sent)))


def readyz_probe(base):
    def probe():
        status, headers, _ = get(
            base + READYZ, timeout=5, headers={"User-Agent": "loadtest-poller"}
        )
        return status, headers.get("Retry-After")

    return probe


def pg_probe():
    rc = harness.pg_isready(timeout=10, connect_timeout=2)
    return {0: "accepting", 1: "rejecting", 2: "no response"}.get(rc, f"rc {rc}"), None


# --- the steady run ----------------------------------------------------------


def steady(args, base):
    say()
    say(
        f"== Steady run: {args.duration} s, {args.connections} connections, wrk -t{args.threads} "
        f"--timeout {args.timeout}s, {len(URLS)} URLs in rotation, Accept-Encoding: gzip"
    )
    before = cpu_sample()
    r = run_wrk(args, base, args.duration, "st")
    report_wrk_run(r, read_log("st"), before, cpu_sample())
    five = {s: n for s, n in r["overall"].items() if s >= 500}
    wrong = wrong_statuses(r, allow_503=())
    return [
        (r["socket_errors"] == 0, f"steady: 0 socket errors: {r['socket_errors']}"),
        (not five, f"steady: 0 5xx: {sum(five.values())} ({fmt_counts(five)})"),
        (
            not wrong,
            "steady: every URL answers its normal status only"
            + (f": {describe(wrong)}" if wrong else ""),
        ),
    ]


# --- the fault run, step by step ---------------------------------------------


def other_clients():
    """'database: n' for client connections to other databases of this cluster."""
    rows = harness.psql(
        "SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
        f"AND datname IS DISTINCT FROM '{RUN.db_name}' AND pid <> pg_backend_pid() "
        "GROUP BY datname ORDER BY datname"
    )
    return [row.replace("|", ": ") for row in rows.splitlines() if row]


def cluster_is_ours(args):
    """Wait (bounded) until nobody else is connected to the cluster the fault run restarts."""
    if args.force_fault:
        others = other_clients()
        if others:
            say(f"  --force-fault: restarting although others are connected: {', '.join(others)}")
        return True
    deadline = time.monotonic() + args.wait_others
    others = other_clients()
    if others:
        say(
            f"  others are connected to this PostgreSQL ({', '.join(others)}); waiting up to "
            f"{args.wait_others} s for them to finish before restarting it"
        )
    while others and time.monotonic() < deadline:
        time.sleep(5)
        others = other_clients()
    if others:
        say(
            f"  SKIPPED: still connected after {args.wait_others} s: {', '.join(others)}. "
            "Restarting the cluster would break their work; rerun when they are done, "
            "or with --force-fault."
        )
        return False
    return True


def warm_cached_pages(base):
    """The page cache must be warm for the outage."""
    for _, path, _, cached in URLS:
        if cached:
            get(base + path)
            if not page_cached(path):
                die(f"{path} is not in the page cache before the fault run")


def stop_and_start_postgres(args, t0):
    """At fault_at s after t0 stop PostgreSQL, start it outage s later, wait until it
    accepts connections; returns the events' wall-clock times."""
    ev = {}
    time.sleep(max(0.0, t0 + args.fault_at - time.time()))
    RUN.pg_stopped_by_us = True
    for action, pause in (("stop", args.outage), ("start", 0)):
        ev[f"{action} issued"] = time.time()
        rc = harness.pg_ctlcluster(RUN.pg_version, action)
        ev[f"{action} returned"] = time.time()
        if rc != 0:
            say(f"  WARNING: pg_ctlcluster {action} exited {rc}")
        time.sleep(pause)
    if not harness.wait_for(harness.postgres_up, 30, every=0.02):
        ensure_postgres_running()
    RUN.pg_stopped_by_us = False
    return ev


def wrk_through_restart(args, base, tag):
    """wrk for the whole run while PostgreSQL is restarted, /readyz and pg_isready
    polled on the side: (wrk's result, events, t0, /readyz poller, pg_isready poller)."""
    readyz, pg = Poller(readyz_probe(base)), Poller(pg_probe)
    proc = harness.spawn(wrk_cmd(args, base, args.duration, tag), capture=True)
    t0 = time.time()
    readyz.start()
    pg.start()
    try:
        ev = stop_and_start_postgres(args, t0)
        out = harness.finish(proc, timeout=args.duration + 60)
    finally:
        for poller in (readyz, pg):
            poller.halt.set()
        for poller in (readyz, pg):
            poller.join(timeout=10)
    return per_url(harness.wrk_summary(out)), ev, t0, readyz.samples, pg.samples


def outage_window(ev, pg_samples):
    """When the database was down, (from, to): from the stop until pg_isready said
    accepting again. Adds pg_isready's view to the events."""
    down = next((s for s in pg_samples if s[0] >= ev["stop issued"] and s[2] != "accepting"), None)
    back = next((s for s in pg_samples if s[0] >= ev["start issued"] and s[2] == "accepting"), None)
    if down:
        ev["pg_isready: not accepting"] = down[0]
    if back:
        ev["pg_isready: accepting again"] = back[1]
    return ev["stop issued"], back[1] if back else ev["start returned"]


def readyz_outage(samples, down_from, ev):
    """/readyz as the side poller saw it: the non-200 polls since the stop, the first
    of them, and the first 200 after it (/readyz cannot be 200 while the database is
    down); adds them to the events."""
    bad = [s for s in samples if s[2] != 200 and s[0] >= down_from]
    first_bad = bad[0] if bad else None
    first_ok = None
    if first_bad:
        first_ok = next((s for s in samples if s[0] > first_bad[0] and s[2] == 200), None)
        ev["/readyz poller: first non-200"] = first_bad[0]
    if first_ok:
        ev["/readyz poller: first 200 again"] = first_ok[1]
    return bad, first_bad, first_ok


def report_timeline(ev, t0):
    say("  timeline (seconds since wrk started):")
    for name, t in sorted(ev.items(), key=lambda kv: kv[1]):
        label = name if name.startswith(("/", "pg_")) else f"PostgreSQL {name}"
        say(f"    {t - t0:6.2f}  {label}")


def report_readyz(samples, outage, ev, seen):
    """The poller's figures; seen: readyz_outage(). Returns (first non-200, first 200
    again, recovery: s from the database accepting connections to that 200, or None)."""
    (down_from, down_to), (bad, first_bad, first_ok) = outage, seen
    statuses = Counter(s[2] for s in samples)
    early = Counter(s[2] for s in samples if s[2] != 200 and s[0] < down_from)
    # Any non-200 after the first 200 again is flapping, not the outage.
    after_ok = [s for s in bad if first_ok and s[0] > first_ok[0]]
    poll_ms = [1000 * (s[1] - s[0]) for s in samples]
    say(
        f"  /readyz poller: {len(samples)} polls ({fmt_counts(statuses)}); poll time p50 "
        f"{pct(poll_ms, 50):.0f} ms, max {max(poll_ms, default=0):.0f} ms"
        + (f"; before the outage: {fmt_counts(early)}" if early else "")
        + (f"; after recovering: {len(after_ok)} not 200" if after_ok else "")
    )
    if first_bad and first_ok:
        recovery = first_ok[1] - down_to
        retry_values = sorted({str(s[3]) for s in bad if s[2] == 503})
        say(
            f"    not 200 for {first_ok[1] - first_bad[0]:.2f} s (503 Retry-After: "
            f"{', '.join(retry_values) or '-'}); first 200 {recovery:.2f} s after PostgreSQL "
            f"accepted connections again, {first_ok[1] - ev['start issued']:.2f} s after its "
            f"start was issued"
        )
        return first_bad, first_ok, recovery
    if first_bad:
        say("    /readyz was NOT 200 again before the run ended")
    else:
        say("    /readyz never left 200: the outage was too short for a 100 ms poller to see")
    return first_bad, first_ok, None


def report_5xx_in_time(access, t0, outage, grace):
    """5xx per second from the app's access log; returns {path: n} outside the outage."""
    down_from, down_to = outage
    five = [rec for rec in access if rec.get("status", 0) >= 500]
    outside, per_second = Counter(), defaultdict(Counter)
    for rec in five:
        t = log_time(rec["time"])
        if not (down_from <= t <= down_to + grace):
            outside[rec["path"]] += 1
        per_second[int(t - t0)][rec["path"]] += 1
    if per_second:
        say("  5xx per second since wrk started (app log):")
        for second, paths in sorted(per_second.items()):
            say(f"    {second:>3} s  " + ", ".join(f"{p} {n}" for p, n in sorted(paths.items())))
        times = [log_time(rec["time"]) for rec in five]
        say(
            f"    first 5xx at {min(times) - t0:.2f} s, last at {max(times) - t0:.2f} s; "
            f"the database was down from {down_from - t0:.2f} s to {down_to - t0:.2f} s"
        )
    return outside


def fault_checks(r, outside, readyz, grace, label="fault"):
    first_bad, first_ok, recovery = readyz
    overall = r["overall"]
    other_5xx = {s: n for s, n in overall.items() if s >= 500 and s != 503}
    missing_retry = sum(v["-"] for v in r["retry"].values())
    cached = [name for name, _, _, is_cached in URLS if is_cached]
    cached_503 = {
        name: r["per_url"][i][503]
        for i, (name, _, _, is_cached) in enumerate(URLS, start=1)
        if is_cached and r["per_url"][i][503]
    }
    wrong = wrong_statuses(r, allow_503=[n for n, _, _, c in URLS if not c])
    return [
        (r["socket_errors"] == 0, f"{label}: 0 socket errors: {r['socket_errors']}"),
        (
            not other_5xx,
            f"{label}: no 5xx but 503: {sum(other_5xx.values())} ({fmt_counts(other_5xx)})",
        ),
        (
            missing_retry == 0,
            f"{label}: every 503 has Retry-After: {overall[503] - missing_retry} of {overall[503]}",
        ),
        (
            not cached_503,
            f"{label}: no 503 on the page-cached {' and '.join(cached)}"
            + (f": {fmt_counts(cached_503)}" if cached_503 else ""),
        ),
        (
            not wrong,
            f"{label}: no status but the normal one (or 503 on uncached URLs)"
            + (f": {describe(wrong)}" if wrong else ""),
        ),
        (
            not outside,
            f"{label}: 5xx only while the database was down (+{grace:g} s): "
            f"{outside.total()} outside" + (f" ({fmt_counts(outside)})" if outside else ""),
        ),
        (
            first_bad is not None,
            f"{label}: /readyz saw the outage (503)" + ("" if first_bad else ": it never left 200"),
        ),
        (
            first_ok is not None,
            f"{label}: /readyz 200 again before the run ended"
            + (f", {recovery:.2f} s after PostgreSQL accepted connections" if first_ok else ""),
        ),
    ]


def fault(args, base, tag="ft", label="fault", logs=None, sample=None, title="Fault run"):
    """The PostgreSQL restart under load, against base (the one gunicorn, or the
    edge: then logs are the app servers' logs and sample their CPU sampler)."""
    sample = sample or cpu_sample
    say()
    say(
        f"== {title}: {args.duration} s, {args.connections} connections; at {args.fault_at:g} s "
        f"PostgreSQL is stopped (pg_ctlcluster -m fast stop), {args.outage:g} s after it has "
        "stopped it is started again (pg_ctlcluster start); /readyz and pg_isready polled "
        "every 100 ms"
    )
    if not cluster_is_ours(args):
        return [(False, f"{label}: run SKIPPED (others were using PostgreSQL)")]
    warm_cached_pages(base)
    before = sample()
    r, ev, t0, readyz_samples, pg_samples = wrk_through_restart(args, base, tag)
    after = sample()
    outage = outage_window(ev, pg_samples)
    seen = readyz_outage(readyz_samples, outage[0], ev)
    report_timeline(ev, t0)
    readyz = report_readyz(readyz_samples, outage, ev, seen)
    logged = read_log(tag, logs)
    outside = report_5xx_in_time(logged[0], t0, outage, args.grace)
    report_wrk_run(r, logged, before, after, restarted=True)
    return fault_checks(r, outside, readyz, args.grace, label)


# --- the edge run --------------------------------------------------------------

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
EDGE_ADDRESS = "127.0.0.2"  # nginx connects to the app servers from here (bin/edge)
# The edit phase's pollers, each from its own address: their lines in the edge
# log (which has no query strings) are their own.
POLLER_ADDRESS = "127.0.0.3"  # the cached page, as readers get it
BYPASS_ADDRESS = "127.0.0.4"  # with a query string: always passed to an app server
GUIDE_PATH = URLS[0][1]
GUIDE_SLUG = "backend-developer"
ADMIN = "/admin/"  # ADMIN_URL's default, which the run does not change


def free_ports(count):
    """count ports of the load test's range that can be listened on now."""
    found = []
    for port in RUN.ports:
        with socket.socket() as s:
            try:
                s.bind((harness.HOST, port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    die(f"fewer than {count} free ports in {RUN.ports.start}-{RUN.ports.stop - 1}")


class AppServer:
    """One of the edge's gunicorns: its name (A, B), port, process and every log
    it wrote (a restarted server writes a new one, so the old one stays whole)."""

    def __init__(self, name, port):
        self.name, self.port = name, port
        self.proc = None
        self.logs = []

    @property
    def address(self):
        return f"{harness.HOST}:{self.port}"

    @property
    def base(self):
        return f"http://{self.address}"

    def start(self, env):
        log = RUN.out / f"edge-app-{self.name.lower()}{len(self.logs) or ''}.log"
        self.logs.append(log)
        self.proc = RUN.start_gunicorn(env, self.port, log, "/healthz", headers=CHECK_HEADERS)

    def stop(self, sig, grace):
        """The whole process group at once (master and workers): SIGKILL, or
        SIGTERM, gunicorn's graceful stop, waited for up to grace s (then SIGKILL)."""
        RUN.started.remove(("gunicorn", self.proc))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            say(f"  server {self.name} still running {grace:g} s after SIGTERM: SIGKILL")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


class Edge:
    """nginx from the repo's configuration (`bin/edge render --run-dir`), as
    `bin/edge run` starts it, in front of app servers A and B; its access log."""

    def __init__(self, env):
        edge_port, port_a, port_b = free_ports(3)
        self.port = edge_port
        self.base = f"http://{harness.HOST}:{edge_port}"
        self.servers = {"A": AppServer("A", port_a), "B": AppServer("B", port_b)}
        self.run_dir = RUN.out / "edge"
        self.access_log = self.run_dir / "access.log"
        shm = Path("/dev/shm")
        self.cache_dir = (
            shm / f"careerguide-loadtest-{edge_port}"
            if shm.is_dir() and os.access(shm, os.W_OK)
            else self.run_dir / "cache"
        )
        # As `make edge`: the edge's address is the site's and its own address
        # the only trusted proxy. The edit phase signs in with a password only.
        self.env = dict(
            env,
            SITE_URL=self.base,
            TRUSTED_PROXIES=f"{EDGE_ADDRESS}/32",
            STAFF_2FA_REQUIRED="false",
        )
        self.nginx = None

    def names(self):
        return {srv.address: name for name, srv in self.servers.items()}

    def logs(self):
        return [log for srv in self.servers.values() for log in srv.logs]

    def start(self):
        for server in self.servers.values():
            server.start(self.env)
        shutil.rmtree(self.run_dir, ignore_errors=True)
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        apps = [arg for srv in self.servers.values() for arg in ("--app", srv.address)]
        harness.run(
            [PY, "bin/edge", "render", "--run-dir", str(self.run_dir),
             "--listen", f"{harness.HOST}:{self.port}", *apps,
             "--cache-dir", str(self.cache_dir), "--proxy-bind", EDGE_ADDRESS,
             "--access-log", str(self.access_log)],
            env=self.env, capture=True, timeout=120,
        )  # fmt: skip
        RUN.started.append(("dir", self.cache_dir))
        out = open(self.run_dir / "nginx.out", "w")  # noqa: SIM115 (as long as nginx runs)
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
             "-e", "stderr"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        out.close()
        RUN.started.append(("process", self.nginx))
        pid_file = self.run_dir / "nginx.pid"

        def ready():
            if self.nginx.poll() is not None:
                die(f"nginx exited ({self.nginx.returncode}); see {self.run_dir / 'nginx.out'}")
            # nginx writes its pid once it has bound its port: this nginx listens.
            if not pid_file.is_file() or pid_file.read_text().strip() != str(self.nginx.pid):
                return False
            try:
                return get(self.base + "/healthz", timeout=2)[0] == 200
            except OSError:
                return False

        if not harness.wait_for(ready, 30, every=0.1):
            die(f"nginx did not answer within 30 s; see {self.run_dir / 'nginx.out'}")

    def mark(self):
        """Where the access log ends now: lines(mark) are the ones written since."""
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def lines(self, since=0):
        with open(self.access_log, "rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        return [rec for rec in map(parsing.parse_edge_line, text.splitlines()) if rec]


def edge_cpu_sample(edge):
    """As harness.cpu_sample, with both app servers' groups as "gunicorn" and
    nginx (its group) apart."""
    servers = [srv.proc for srv in edge.servers.values()]
    return harness.cpu_sample(servers, services_children=True, nginx=edge.nginx)


def edge_tally(lines, names):
    """Counters of edge log lines: who answered (A, B, edge), cache status,
    retried (more than one server tried), 5xx."""
    tally = {"by": Counter(), "cache": Counter(), "retried": 0, "5xx": Counter(), "n": 0}
    tally["times"] = sorted(1000 * rec["request_time"] for rec in lines)
    tally["499"] = sum(rec["status"] == 499 for rec in lines)
    for rec in lines:
        tally["n"] += 1
        tally["by"][parsing.answered_by(rec, names)] += 1
        tally["cache"][rec["cache"] or "-"] += 1
        tally["retried"] += len(rec["upstreams"]) > 1
        if rec["status"] >= 500:
            tally["5xx"][rec["status"]] += 1
    return tally


def fmt_tally(t):
    by = ", ".join(f"{k} {n}" for k, n in sorted(t["by"].items()))
    return f"answered by {by or 'nobody'}; retried on another server {t['retried']}"


def report_edge_log(edge, lines):
    """The edge's view of a run from its access log: per URL the cache statuses
    and who answered; returns the tally of all lines."""
    names = edge.names()
    total = edge_tally(lines, names)
    by_uri = defaultdict(list)
    for rec in lines:
        by_uri[rec["uri"]].append(rec)
    say(
        f"  edge access log: {total['n']} requests; {fmt_tally(total)}; "
        f"5xx {sum(total['5xx'].values())}"
        + (f" ({fmt_counts(total['5xx'])})" if total["5xx"] else "")
        + f"; closed by the client before the answer (499, wrk's timeouts) {total['499']}"
    )
    say(f"  {'URL':<30} {'X-Cache':<44} {'answered by':<26} edge time p50 / p90 / max ms")
    rows = [(name + " " + path, by_uri.pop(path, [])) for name, path, _, _ in URLS]
    for label, recs in [*rows, *sorted(by_uri.items())]:
        t = edge_tally(recs, names)
        times = t["times"]
        say(
            f"  {label[:30]:<30} {fmt_counts(t['cache']):<44} {fmt_counts(t['by']):<26} "
            f"{pct(times, 50):.1f} / {pct(times, 90):.1f} / {max(times, default=0):.0f}"
        )
    return total


def wrk_checks(r, label):
    five = {s: n for s, n in r["overall"].items() if s >= 500}
    wrong = wrong_statuses(r, allow_503=())
    return [
        (r["socket_errors"] == 0, f"{label}: 0 socket errors: {r['socket_errors']}"),
        (not five, f"{label}: 0 5xx: {sum(five.values())} ({fmt_counts(five)})"),
        (
            not wrong,
            f"{label}: every URL answers its normal status only"
            + (f": {describe(wrong)}" if wrong else ""),
        ),
    ]


def edge_steady(args, edge):
    say()
    say(
        f"== Edge steady run: {args.duration} s, {args.connections} connections through nginx "
        f"({edge.base}) to app servers A and B, wrk -t{args.threads} --timeout {args.timeout}s, "
        "the same mix"
    )
    since = edge.mark()
    before = edge_cpu_sample(edge)
    r = run_wrk(args, edge.base, args.duration, "es")
    after = edge_cpu_sample(edge)
    report_wrk_run(r, read_log("es", edge.logs()), before, after)
    tally = report_edge_log(edge, edge.lines(since))
    n5 = sum(tally["5xx"].values())
    return [
        *wrk_checks(r, "edge steady"),
        (n5 == 0, f"edge steady: 0 5xx in the edge log: {n5} of {tally['n']}"),
    ]


def kill_phases(lines, names, t0, ev):
    """Edge log lines by phase of the kill run. The log has whole seconds: a line
    belongs to the phase its second's middle falls in."""
    bounds = [
        ("before the kill", ev["A killed"]),
        ("A down", ev["A answers again"]),
        ("after the restart", float("inf")),
    ]
    phases = {name: [] for name, _ in bounds}
    per_second = defaultdict(list)
    for rec in lines:
        mid = rec["time"] + 0.5
        phases[next(name for name, end in bounds if mid < end)].append(rec)
        per_second[int(mid - t0)].append(rec)
    return phases, per_second


def edge_kill(args, edge):
    sig = signal.SIGTERM if args.edge_stop == "term" else signal.SIGKILL
    how = (
        "SIGTERM to its process group (gunicorn's graceful stop)"
        if sig == signal.SIGTERM
        else "SIGKILL to its process group (master and workers at once)"
    )
    say()
    say(
        f"== Edge kill run: {args.duration} s, {args.connections} connections through the "
        f"edge; at {args.kill_at:g} s app server A is stopped with {how}, at "
        f"{args.restart_at:g} s it is started again"
    )
    server = edge.servers["A"]
    since = edge.mark()
    proc = harness.spawn(wrk_cmd(args, edge.base, args.duration, "ek"), capture=True)
    t0 = time.time()
    ev = {}
    time.sleep(max(0.0, t0 + args.kill_at - time.time()))
    ev["A killed"] = time.time()
    server.stop(sig, grace=max(0.5, args.restart_at - args.kill_at - 0.5))
    ev["A's processes gone"] = time.time()
    time.sleep(max(0.0, t0 + args.restart_at - time.time()))
    ev["A restart issued"] = time.time()
    server.start(edge.env)
    ev["A answers again"] = time.time()
    r = per_url(harness.wrk_summary(harness.finish(proc, timeout=args.duration + 60)))
    say("  timeline (seconds since wrk started):")
    for name, t in ev.items():
        say(f"    {t - t0:6.2f}  {name}" + (" (/healthz 200)" if name == "A answers again" else ""))
    access, errors, gunicorn = read_log("ek", edge.logs())
    report_run(r, access)
    report_log(errors, gunicorn)
    lines = edge.lines(since)
    tally = report_edge_log(edge, lines)
    names = edge.names()
    phases, per_second = kill_phases(lines, names, t0, ev)
    say("  by phase (edge log; whole seconds, each in the phase its middle falls in):")
    for name, recs in phases.items():
        t = edge_tally(recs, names)
        say(f"    {name:<18} {t['n']:>6} requests: {fmt_tally(t)}")
    back_lines = [
        rec for rec in phases["after the restart"] if parsing.answered_by(rec, names) == "A"
    ]
    if back_lines:
        at = back_lines[0]["time"] - t0
        say(
            f"  first request answered by A after its restart: in the log's second from "
            f"{at:.1f} s ({at - (ev['A answers again'] - t0):.1f} s after its /healthz 200, ±1 s; "
            "nginx tries a failed server again after fail_timeout=2s)"
        )
    first = int(args.kill_at) - 2
    last = int(ev["A answers again"] - t0) + 4
    say("  per second around the fault (s since wrk started): answered by A / B / edge; retried")
    for second in range(first, last + 1):
        t = edge_tally(per_second.get(second, []), names)
        say(
            f"    {second:>3} s  A {t['by']['A']:>5}  B {t['by']['B']:>5}  "
            f"edge {t['by']['edge']:>5}  retried {t['retried']:>3}"
        )
    n5 = sum(tally["5xx"].values())
    back = edge_tally(phases["after the restart"], names)["by"]["A"]
    return [
        *wrk_checks(r, "edge kill"),
        (n5 == 0, f"edge kill: 0 failed requests (5xx) in the edge log: {n5} of {tally['n']}"),
        (back > 0, f"edge kill: A answers again after its restart: {back} requests"),
    ]


# --- the edit phase ------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A staff member's browser on one app server: cookies, no redirects followed."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers=CHECK_HEADERS)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers, exc.read().decode(errors="replace")

    def login(self, username, password):
        status, _, page = self.request(ADMIN + "login/")
        if status != 200:
            die(f"the admin login page answered {status}")
        fields = parsing.form_fields(page, "login-form")
        fields = parsing.replace_field(fields, "username", username)
        fields = parsing.replace_field(fields, "password", password)
        status, _, page = self.request(ADMIN + "login/", fields)
        if status != 302:
            die(f"admin login failed ({status}): {'; '.join(parsing.error_texts(page))}")

    def change_form(self, path):
        status, _, page = self.request(path)
        if status != 200:
            die(f"{path} answered {status}")
        return parsing.form_fields(page, "faq_form")

    def save(self, path, fields):
        """POST the change form with Save (302 when saved)."""
        status, _, page = self.request(path, [*fields, ("_save", "Save")])
        if status != 302:
            die(f"saving {path} failed ({status}): {'; '.join(parsing.error_texts(page))}")


def create_editor(env):
    """A superuser for this run (a publisher: a plain Save writes live), deleted on
    exit, and the FAQ entry of the guide the edit phase changes: (user, password, id)."""
    user = f"loadtest-{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    out = RUN.manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from roadmaps.models import FAQ; "
        f"User.objects.create_superuser({user!r}, '', {password!r}); "
        f"f = FAQ.objects.filter(guide__slug={GUIDE_SLUG!r}).order_by('position', 'pk').first(); "
        "print('FAQ', f.pk if f else '-')",
    )
    RUN.started.append(
        ("shell", (env, f"from django.contrib.auth.models import User; "
                   f"User.objects.filter(username={user!r}).delete()"))
    )  # fmt: skip
    match = re.search(r"^FAQ (\d+)$", out, re.M)
    if not match:
        die(f"the guide {GUIDE_SLUG} has no FAQ entry to edit")
    return user, password, int(match.group(1))


class EdgePoller(threading.Thread):
    """GETs the guide through the edge every `every` s from `address` (so its
    lines in the edge log are its own), as a browser (gzip); with bypass, with a
    query string, which the edge always passes to an app server (round robin).
    Records when each answer came, its X-Cache and X-Request-ID (the request
    whose render it is: a cache hit carries the one that filled the entry) and
    whether it has the text."""

    def __init__(self, edge, text, address, bypass=False, every=0.05):
        super().__init__(daemon=True)
        self.edge, self.text, self.every = edge, text.encode(), every
        self.address, self.bypass = address, bypass
        self.samples = []
        self.halt = threading.Event()

    def poll(self, n):
        conn = http.client.HTTPConnection(
            harness.HOST, self.edge.port, timeout=5, source_address=(self.address, 0)
        )
        # mix.lua's form (TAG-THREAD-URL-N, the guide is URL 1, threads 8 and 9 are
        # the pollers'): a cache entry a poll filled is then served to wrk, which
        # counts it by this id.
        thread = 8 if self.bypass else 9
        try:
            conn.request(
                "GET",
                GUIDE_PATH + (f"?loadtest-poll={n}" if self.bypass else ""),
                headers={
                    "Accept-Encoding": "gzip",
                    "User-Agent": "loadtest-poller",
                    "X-Request-ID": f"ee-{thread}-1-{n:06d}",
                },
            )
            response = conn.getresponse()
            body = response.read()
            if response.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return (
                response.status,
                response.getheader("X-Cache"),
                response.getheader("X-Request-ID"),
                self.text in body,
            )
        finally:
            conn.close()

    def run(self):
        n = 0
        while not self.halt.is_set():
            n += 1
            sent = time.time()
            try:
                status, cache, rid, seen = self.poll(n)
            except (OSError, http.client.HTTPException) as exc:
                status, cache, rid, seen = f"error {exc.__class__.__name__}", None, None, False
            self.samples.append(
                {"sent": sent, "got": time.time(), "status": status, "cache": cache,
                 "rid": rid, "seen": seen}
            )  # fmt: skip
            self.halt.wait(max(0.0, self.every - (time.time() - sent)))


def vouched_for(lines, names, address):
    """For each of the poller's edge log lines, in order: (line, who answered for
    its content, the refresh that did). A line with an upstream was answered by
    it (a 200, or a 304 revalidating the entry: that server has the same
    version); a cache hit by whoever last filled or revalidated the guide's entry
    before it in the log (the log is in order of completion)."""
    out, refresh = [], None
    for rec in lines:
        if rec["uri"] != GUIDE_PATH:
            continue
        if rec["upstreams"] and rec["cache"] != "BYPASS":
            refresh = rec
        if rec["addr"] == address:
            source = rec if rec["upstreams"] else refresh
            by = parsing.answered_by(source, names) if source else "?"
            out.append((rec, by, None if source is rec else refresh))
    return out


def who_rendered(edge, rids):
    """{request id: (server name, its access record)} from the app servers' logs."""
    wanted = {rid for rid in rids if rid}
    found = {}
    for name, server in edge.servers.items():
        for log in server.logs:
            for line in log.read_text(errors="replace").splitlines():
                match = re.search(r'"request_id": "([^"]*)"', line)
                if not match or match.group(1) not in wanted:
                    continue
                with contextlib.suppress(ValueError):
                    rec = json.loads(line)
                    if rec.get("logger") == "careerguide.access":
                        found[rec["request_id"]] = (name, rec)
    return found


def edge_edit(args, edge):
    say()
    say(
        f"== Edge edit run: {args.edit_duration} s, {args.connections} connections through the "
        f"edge; at {args.edit_at:g} s a staff member saves an FAQ answer in server A's admin "
        "(signed in over HTTP, the change form POSTed with its CSRF token); the guide is "
        f"polled through the edge every 50 ms from {POLLER_ADDRESS} for {args.edit_poll:g} s "
        "after the POST"
    )
    user, password, faq_id = create_editor(edge.env)
    server_a = edge.servers["A"]
    browser = Browser(server_a.base)
    browser.login(user, password)
    path = f"{ADMIN}roadmaps/faq/{faq_id}/change/"
    fields = browser.change_form(path)
    original = parsing.field(fields, "answer")
    marker = "Edge check " + "".join(random.choices(string.ascii_lowercase, k=12))
    edited = parsing.replace_field(fields, "answer", f"{original}\n\n{marker}.")
    # Should the run stop before the admin puts the text back, this does.
    restore = (
        "shell",
        (edge.env, f"from roadmaps.models import FAQ; f = FAQ.objects.get(pk={faq_id}); "
                   f"f.answer = {original!r}; f.save()"),
    )  # fmt: skip
    RUN.started.append(restore)
    since = edge.mark()
    before = edge_cpu_sample(edge)
    proc = harness.spawn(wrk_cmd(args, edge.base, args.edit_duration, "ee"), capture=True)
    t0 = time.time()
    pollers = [
        EdgePoller(edge, marker, POLLER_ADDRESS),
        EdgePoller(edge, marker, BYPASS_ADDRESS, bypass=True),
    ]
    try:
        time.sleep(max(0.0, t0 + args.edit_at - time.time()))
        for poller in pollers:
            poller.start()
        sent = time.time()
        browser.save(path, edited)
        saved = time.time()
        r = per_url(harness.wrk_summary(harness.finish(proc, timeout=args.edit_duration + 60)))
        # Polls (alone now) until edit_poll s after the POST, should B not have
        # answered for the new text under load yet.
        time.sleep(max(0.0, sent + args.edit_poll - time.time()))
    finally:
        for poller in pollers:
            poller.halt.set()
        for poller in pollers:
            poller.join(timeout=10)
    after = edge_cpu_sample(edge)
    # The admin puts the answer back (the database keeps editors' work between runs).
    browser.save(path, parsing.replace_field(browser.change_form(path), "answer", original))
    RUN.started.remove(restore)
    say(
        f"  FAQ entry {faq_id}: POST {path} sent at {sent - t0:.2f} s, its 302 at "
        f"{saved - t0:.2f} s ({1000 * (saved - sent):.0f} ms; the commit is in between); "
        f"answer restored through the admin after the run"
    )
    report_wrk_run(r, read_log("ee", edge.logs()), before, after)
    lines = edge.lines(since)
    report_edge_log(edge, lines)

    names = edge.names()
    found = {}  # label: (first sight, first answered for by B)
    for poller in pollers:
        polls = poller.samples
        own = vouched_for(lines, names, poller.address)
        if len(own) == len(polls):
            for poll, (rec, by, refresh) in zip(polls, own, strict=True):
                poll["edge"], poll["by"], poll["refresh"] = rec, by, refresh
        rendered = who_rendered(edge, [p["rid"] for p in polls])
        for poll in polls:
            poll["server"] = rendered.get(poll["rid"], ("?", {}))
        label = "query-string poller" if poller.bypass else "cached-page poller"
        say(
            f"  {label} ({poller.address}): {len(polls)} polls "
            f"({fmt_counts(Counter(p['status'] for p in polls))}), X-Cache "
            f"{fmt_counts(Counter(p['cache'] for p in polls))}; its edge log lines: {len(own)}"
            + ("" if len(own) == len(polls) else " (not one per poll: no edge view)")
        )
        first = next((p for p in polls if p["seen"]), None)
        first_b = next((p for p in polls if p["seen"] and p.get("by") == "B"), None)
        stale = [p for p in polls if first and p["sent"] > first["got"] and not p["seen"]]
        found[label] = (first, first_b, stale)

    def describe_poll(p):
        name, rec = p["server"]
        edge_rec, refresh = p.get("edge"), p.get("refresh")
        if not edge_rec:
            view = "edge log: ?"
        elif edge_rec["upstreams"]:
            view = (
                f"edge log: cache={edge_rec['cache']}, answered by upstream {p['by']} "
                f"(upstream_status={edge_rec['upstream_status']})"
            )
        elif refresh:
            view = (
                f"edge log: cache={edge_rec['cache'] or '-'} upstream=-, the entry last filled or "
                f"revalidated by upstream {p['by']} (cache={refresh['cache']}, "
                f"upstream_status={refresh['upstream_status']})"
            )
        else:
            view = f"edge log: cache={edge_rec['cache'] or '-'}, no refresh of the entry in the run"
        made = (
            f"body rendered by server {name} (request {p['rid']}, page_cache="
            f"{rec.get('page_cache', '?')}, at {log_time(rec['time']) - t0:.2f} s)"
            if rec
            else f"body from request {p['rid']} (not in this run's logs)"
        )
        return (
            f"{p['got'] - sent:.2f} s after the POST was sent ({p['got'] - saved:.2f} s after its "
            f"302), X-Cache {p['cache']}; {view}; {made}"
        )

    for label, (first, first_b, stale) in found.items():
        if first:
            say(f"  {label}, first sight of the new text: {describe_poll(first)}")
        if first_b and first_b is not first:
            say(f"  {label}, first sight answered for by server B: {describe_poll(first_b)}")
        if stale:
            say(f"    {len(stale)} of its polls after the first sight still showed the old text")
    cached, bypass = found["cached-page poller"], found["query-string poller"]
    seen = cached[0]["got"] - sent if cached[0] else None
    by_b = [p["got"] - sent for p in (cached[1], bypass[1]) if p]
    delay = min(by_b, default=None)
    return [
        *wrk_checks(r, "edge edit"),
        (
            seen is not None and seen <= 2.0,
            "edge edit: the new text on the cached page through the edge within 2 s of the "
            "POST: " + (f"{seen:.2f} s" if seen is not None else "never"),
        ),
        (
            delay is not None and delay <= 2.0,
            "edge edit: through the edge, answered by server B, within 2 s of the POST: "
            + (
                f"{delay:.2f} s (cached page "
                + (f"{by_b[0]:.2f} s" if cached[1] else "never")
                + ", query string "
                + (f"{bypass[1]['got'] - sent:.2f} s)" if bypass[1] else "never)")
                if delay is not None
                else "never seen from B"
            ),
        ),
    ]


def edge_run(args, env):
    """The edge in front of app servers A and B, steady and with faults."""
    edge = Edge(env)
    say()
    say(
        f"== The edge: nginx ({NGINX}, workers auto, config from bin/edge render in "
        f"{edge.run_dir.relative_to(ROOT)}, micro-cache in {edge.cache_dir}) on {edge.base}, "
        f"app servers A {edge.servers['A'].base} and B {edge.servers['B'].base}"
    )
    edge.start()
    workers, threads = harness.gunicorn_size()
    say(
        f"  each app server: gunicorn.conf.py, {workers} workers × {threads} threads; "
        f"the direct runs' settings plus SITE_URL={edge.base} TRUSTED_PROXIES={EDGE_ADDRESS}/32 "
        "STAFF_2FA_REQUIRED=false; nginx connects from "
        f"{EDGE_ADDRESS}; logs loadtest/.out/edge-app-*.log, {edge.access_log.relative_to(ROOT)}"
    )
    check_urls(edge.base)
    say()
    say(f"== Edge warm-up: {args.warmup} s (not judged)")
    w = run_wrk(args, edge.base, args.warmup, "ew")
    say(
        f"  {w['rps']:.1f} req/s, socket errors {w['socket_errors']}, "
        f"statuses {fmt_counts(w['overall'])}"
    )
    checks = edge_steady(args, edge)
    checks += edge_kill(args, edge)
    checks += edge_edit(args, edge)
    if args.no_fault:
        say()
        say("== Edge PostgreSQL restart skipped (--no-fault)")
    else:
        since = edge.mark()
        checks += fault(
            args,
            edge.base,
            tag="ep",
            label="edge fault",
            logs=edge.logs(),
            sample=lambda: edge_cpu_sample(edge),
            title="Edge fault run (through the edge)",
        )
        report_edge_log(edge, edge.lines(since))
    return checks


# --- the load test -----------------------------------------------------------


def prepare(args):
    """Services and the database as `make run` prepares it; returns the app's
    environment."""
    commit = harness.quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "nogit"
    RUN.release = f"loadtest-{commit}-{uuid.uuid4().hex[:8]}"
    harness.ensure_wrk()
    if not args.no_edge:
        harness.ensure_nginx()
    RUN.ensure_services(
        "the load test", tools=("pg_ctlcluster",), require_cluster=True, timeout=120
    )
    env = RUN.env(RUN.release, drop=("PORT", "GUNICORN_ACCESS_LOG", "LOG_LEVEL"))

    say("== Machine")
    for line in harness.machine():
        say(f"  {line}")

    say()
    say(
        f"== Setup: database {RUN.db_name}, cache {RUN.cache_url} "
        f"(prefix {RUN.key_prefix}:{RUN.release})"
    )
    RUN.started.append(("redis-keys", None))
    RUN.manage(env, "collectstatic", "--noinput", "-v0")
    RUN.manage(env, "migrate", "--noinput", "-v0")
    loaded = RUN.manage(env, "load_starter_content").strip().splitlines()
    say(f"  load_starter_content: {loaded[-1] if loaded else '(no output)'}")
    return env


def start_direct(args, env):
    """The one gunicorn of the direct runs; returns its URL."""
    port = harness.free_port(args.port, RUN.ports)
    base = f"http://127.0.0.1:{port}"
    log_path = RUN.out / "gunicorn.log"
    workers, threads = harness.gunicorn_size()
    RUN.server = RUN.start_gunicorn(env, port, log_path, "/healthz", headers=CHECK_HEADERS)
    say(
        f"  gunicorn (gunicorn.conf.py: gthread, {workers} workers × {threads} threads, "
        f"settings as in production) on {base}, log {log_path.relative_to(ROOT)}"
    )
    say("  DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1,localhost, PostgreSQL, Redis cache")
    check_urls(base)
    return base


def direct_runs(args, env):
    """Warm-up, steady and fault runs straight to one gunicorn."""
    base = start_direct(args, env)
    say()
    say(f"== Warm-up: {args.warmup} s (not judged)")
    w = run_wrk(args, base, args.warmup, "wu")
    say(
        f"  {w['rps']:.1f} req/s, socket errors {w['socket_errors']}, "
        f"statuses {fmt_counts(w['overall'])}"
    )

    checks = steady(args, base)
    if args.no_fault:
        say()
        say("== Fault run skipped (--no-fault)")
    else:
        checks += fault(args, base)

    restarts = RUN.server.log_path.read_text(errors="replace").count("Autorestarting worker")
    say()
    say(f"gunicorn recycled a worker {restarts} times (max_requests) during the direct runs")
    # Its CPUs are the edge's now.
    RUN.stop_gunicorn(RUN.server)
    return checks


def loadtest(args):
    t_start = time.monotonic()
    env = prepare(args)
    checks = []
    if args.only_edge:
        say()
        say("== Direct runs skipped (--only-edge)")
    else:
        checks += direct_runs(args, env)
    if args.no_edge:
        say()
        say("== Edge run skipped (--no-edge)")
    else:
        checks += edge_run(args, env)
    harness.report_targets(checks, "load test", t_start)


def main():
    parser = RUN.parser("Load test: steady and with faults, direct and through the edge", 30, 3, 64)
    parser.add_argument(
        "--timeout",
        type=int,
        default=5,
        help="wrk socket timeout, s (> the 3 s DB connect timeout)",
    )
    parser.add_argument("--fault-at", type=float, default=10, help="s before PostgreSQL is stopped")
    parser.add_argument("--outage", type=float, default=3, help="s between stopped and start")
    parser.add_argument(
        "--grace", type=float, default=1, help="s after PostgreSQL is back that 503s still count"
    )
    parser.add_argument(
        "--no-fault", action="store_true", help="skip the PostgreSQL restarts (direct and edge)"
    )
    parser.add_argument(
        "--wait-others",
        type=int,
        default=300,
        help="s to wait for other PostgreSQL clients to leave before a fault run (then skip it)",
    )
    parser.add_argument(
        "--force-fault", action="store_true", help="restart PostgreSQL even if others use it"
    )
    skip = parser.add_mutually_exclusive_group()
    skip.add_argument("--no-edge", action="store_true", help="skip the edge run")
    skip.add_argument(
        "--only-edge", action="store_true", help="only the edge run (skip the direct runs)"
    )
    parser.add_argument(
        "--edge-stop",
        choices=("kill", "term"),
        default="kill",
        help="how app server A is stopped in the edge kill run: SIGKILL (default) or SIGTERM",
    )
    parser.add_argument("--kill-at", type=float, default=10, help="s before A is stopped")
    parser.add_argument("--restart-at", type=float, default=15, help="s before A is started again")
    parser.add_argument(
        "--edit-duration", type=int, default=12, help="seconds of the edge edit run"
    )
    parser.add_argument("--edit-at", type=float, default=3, help="s before the edit is saved")
    parser.add_argument(
        "--edit-poll", type=float, default=10, help="s after the edit the poller polls at least"
    )
    args = parser.parse_args()
    if not 0 < args.fault_at < args.duration:
        parser.error("--fault-at must be inside --duration")
    if not 0 < args.kill_at < args.restart_at < args.duration:
        parser.error("--kill-at < --restart-at must be inside --duration")
    if not 0 < args.edit_at < args.edit_duration:
        parser.error("--edit-at must be inside --edit-duration")
    RUN.main(loadtest, args)


if __name__ == "__main__":
    main()

"""`make loadtest`: the site under 64 concurrent connections, steady and while
PostgreSQL restarts.

What it does (about 2 minutes; everything it starts is stopped on exit, also on
Ctrl-C or SIGTERM, and PostgreSQL is always left running):

1. Installs wrk with apt-get when it is missing, then starts PostgreSQL and
   Redis when they are down (`bin/services careerguide_load`, which also
   creates the separate database `careerguide_load`).
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
5. Prints requests/s, p50/p99 latency (wrk, all URLs), the status codes per
   URL and overall, the app's own per-URL latency (from its JSON access log),
   any error or warning lines in the gunicorn log, and PASS/FAIL per target.
   It exits 0 when the load test ran, whatever the targets say; non-zero only
   when something crashed.

The fault run restarts the machine's shared PostgreSQL cluster: anything else
using it at that moment (another bench, a `make run` on PostgreSQL, tests)
would see the outage too. So before stopping it the script waits (up to
--wait-others, 300 s) until no other database of the cluster has a client
connection; if some still do, the fault run is SKIPPED and reported as a FAIL
line. `--force-fault` restarts anyway; `--no-fault` skips the fault run.

Stdlib and psutil, with bench/harness.py (run with the project's venv python,
which `make loadtest` does).
The gunicorn log and the last report go to loadtest/.out/ (git-ignored).
Options: `.venv/bin/python loadtest/run.py --help`.
"""

import datetime
import json
import os
import re
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import die, say  # noqa: E402

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


def read_log(tag):
    """The app's JSON access lines for this run's requests (their X-Request-ID starts
    with the tag), the JSON warning/error records of those requests, and gunicorn's
    own warning/error lines (whatever the request)."""
    access, errors, gunicorn = [], [], []
    prefix = f"{tag}-"
    for line in RUN.server.log_path.read_text(errors="replace").splitlines():
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
    reaped children (wrk, pg_isready, pg_ctlcluster)."""
    used = harness.cpu_share(before, after)
    other = used["other"]
    say(
        f"  CPUs busy {used['busy']:.2f} of {os.cpu_count()}: gunicorn {used['gunicorn']:.2f}, "
        f"wrk and pollers {used['children']:.2f}, PostgreSQL+Redis {used['services']:.2f}, "
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


def wrk_through_restart(args, base):
    """wrk for the whole run while PostgreSQL is restarted, /readyz and pg_isready
    polled on the side: (wrk's result, events, t0, /readyz poller, pg_isready poller)."""
    readyz, pg = Poller(readyz_probe(base)), Poller(pg_probe)
    proc = harness.spawn(wrk_cmd(args, base, args.duration, "ft"), capture=True)
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


def fault_checks(r, outside, readyz, grace):
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
        (r["socket_errors"] == 0, f"fault: 0 socket errors: {r['socket_errors']}"),
        (
            not other_5xx,
            f"fault: no 5xx but 503: {sum(other_5xx.values())} ({fmt_counts(other_5xx)})",
        ),
        (
            missing_retry == 0,
            f"fault: every 503 has Retry-After: {overall[503] - missing_retry} of {overall[503]}",
        ),
        (
            not cached_503,
            f"fault: no 503 on the page-cached {' and '.join(cached)}"
            + (f": {fmt_counts(cached_503)}" if cached_503 else ""),
        ),
        (
            not wrong,
            "fault: no status but the normal one (or 503 on uncached URLs)"
            + (f": {describe(wrong)}" if wrong else ""),
        ),
        (
            not outside,
            f"fault: 5xx only while the database was down (+{grace:g} s): "
            f"{outside.total()} outside" + (f" ({fmt_counts(outside)})" if outside else ""),
        ),
        (
            first_bad is not None,
            "fault: /readyz saw the outage (503)" + ("" if first_bad else ": it never left 200"),
        ),
        (
            first_ok is not None,
            "fault: /readyz 200 again before the run ended"
            + (f", {recovery:.2f} s after PostgreSQL accepted connections" if first_ok else ""),
        ),
    ]


def fault(args, base):
    say()
    say(
        f"== Fault run: {args.duration} s, {args.connections} connections; at {args.fault_at:g} s "
        f"PostgreSQL is stopped (pg_ctlcluster -m fast stop), {args.outage:g} s after it has "
        "stopped it is started again (pg_ctlcluster start); /readyz and pg_isready polled "
        "every 100 ms"
    )
    if not cluster_is_ours(args):
        return [(False, "fault: run SKIPPED (others were using PostgreSQL)")]
    warm_cached_pages(base)
    before = cpu_sample()
    r, ev, t0, readyz_samples, pg_samples = wrk_through_restart(args, base)
    after = cpu_sample()
    outage = outage_window(ev, pg_samples)
    seen = readyz_outage(readyz_samples, outage[0], ev)
    report_timeline(ev, t0)
    readyz = report_readyz(readyz_samples, outage, ev, seen)
    logged = read_log("ft")
    outside = report_5xx_in_time(logged[0], t0, outage, args.grace)
    report_wrk_run(r, logged, before, after, restarted=True)
    return fault_checks(r, outside, readyz, args.grace)


# --- the load test -----------------------------------------------------------


def prepare(args):
    """Services, the database as `make run` prepares it, gunicorn; returns its URL."""
    commit = harness.quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "nogit"
    RUN.release = f"loadtest-{commit}-{uuid.uuid4().hex[:8]}"
    harness.ensure_wrk()
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


def loadtest(args):
    t_start = time.monotonic()
    base = prepare(args)

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
    say(f"gunicorn recycled a worker {restarts} times (max_requests) during the load test")
    harness.report_targets(checks, "load test", t_start)


def main():
    parser = RUN.parser("Load test: steady and with a PostgreSQL restart", 30, 3, 64)
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
    parser.add_argument("--no-fault", action="store_true", help="skip the fault run")
    parser.add_argument(
        "--wait-others",
        type=int,
        default=300,
        help="s to wait for other PostgreSQL clients to leave before the fault run (then skip it)",
    )
    parser.add_argument(
        "--force-fault", action="store_true", help="restart PostgreSQL even if others use it"
    )
    args = parser.parse_args()
    if not 0 < args.fault_at < args.duration:
        parser.error("--fault-at must be inside --duration")
    RUN.main(loadtest, args)


if __name__ == "__main__":
    main()

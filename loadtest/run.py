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

Stdlib only (run with the project's venv python, which `make loadtest` does).
The gunicorn log and the last report go to loadtest/.out/ (git-ignored).
Options: `.venv/bin/python loadtest/run.py --help`.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import (  # noqa: E402
    die,
    ensure_wrk,
    foreground,
    free_port,
    machine,
    manage,
    psql,
    quiet,
    run,
    say,
)

harness.NAME = "loadtest"

HERE = ROOT / "loadtest"
OUT = HERE / ".out"
DB_NAME = "careerguide_load"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_DB = 3
CACHE_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
# Its own key prefix in its own Redis database: cleanup deletes these keys only.
CACHE_KEY_PREFIX = "cgload"
PORTS = range(8300, 8400)

# name, path, normal status, served from the page cache when warm
URLS = [
    ("guide", "/careers/backend-developer/", 200, True),
    ("home", "/", 200, True),
    ("sitemap", "/sitemap.xml", 200, False),
    ("404", "/careers/no-such-guide/", 404, False),
    ("readyz", "/readyz", 200, False),
]
READYZ = "/readyz"

# ("gunicorn", Popen) | ("postgresql", version) | ("redis", None) | ("redis-keys", None)
started = []
state = {"pg_version": None, "pg_stopped_by_us": False, "release": None, "server": None}


# --- processes ---------------------------------------------------------------


def pg_ctl(action, timeout=60):
    # -m fast: disconnect clients and stop at once (pg_ctlcluster's default, made explicit).
    cmd = ["pg_ctlcluster", "--skip-systemctl-redirect"]
    if action in ("stop", "restart"):
        cmd += ["-m", "fast"]
    return run([*cmd, state["pg_version"], "main", action], timeout=timeout, check=False)


def ensure_postgres_running():
    """Start PostgreSQL again if the fault run left it stopped."""
    if not state["pg_version"] or postgres_up():
        state["pg_stopped_by_us"] = False
        return
    print("loadtest: PostgreSQL is down: starting it again", flush=True)
    for _ in range(3):
        quiet(
            ["pg_ctlcluster", "--skip-systemctl-redirect", state["pg_version"], "main", "start"],
            timeout=60,
        )
        if wait_for(postgres_up, 30):
            state["pg_stopped_by_us"] = False
            return
    print("loadtest: PostgreSQL did NOT come back: start it by hand", file=sys.stderr, flush=True)


def cleanup():
    harness.stop_foreground()
    # Before anything else that needs it, and even if the fault run was interrupted.
    if state["pg_stopped_by_us"]:
        try:
            ensure_postgres_running()
        except Exception as exc:
            print(f"loadtest: restarting PostgreSQL failed: {exc}", file=sys.stderr)
    harness.stop_started(started, REDIS_DB, CACHE_KEY_PREFIX)


def wait_for(check, seconds, every=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


# --- environment -------------------------------------------------------------


def app_env():
    return harness.app_env(
        DATABASE_URL,
        CACHE_URL,
        CACHE_KEY_PREFIX,
        state["release"],
        "loadtest",
        drop=("PORT", "GUNICORN_ACCESS_LOG", "LOG_LEVEL"),
    )


def postgres_up():
    return harness.postgres_up(timeout=10)


def ensure_services():
    state["pg_version"] = harness.ensure_services(
        DB_NAME,
        started,
        "the load test",
        tools=("pg_isready", "psql", "pg_ctlcluster", "redis-cli"),
        require_cluster=True,
        timeout=120,
        pg_timeout=10,
    )


# --- gunicorn, cache, HTTP ---------------------------------------------------


def get(url, timeout=10, headers=None):
    """(status, headers, body) for any status; raises on socket errors."""
    headers = {"User-Agent": "loadtest-check", **(headers or {})}
    return harness.get(url, timeout=timeout, headers=headers, http_errors=False)


def start_gunicorn(env, port, log_path):
    return harness.start_gunicorn(
        env, port, log_path, started, "/healthz", headers={"User-Agent": "loadtest-check"}
    )


def page_cached(path):
    return harness.page_cached(REDIS_DB, f"{CACHE_KEY_PREFIX}:{state['release']}", path)


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
    return harness.wrk_cmd(
        args, base, seconds, HERE / "mix.lua", args.timeout, script_args=[tag, *paths]
    )


def parse_wrk(out):
    r = harness.wrk_summary(out, "LOADTEST-JSON")
    r["socket_errors"] = sum(r[k] for k in ("connect", "read", "write", "timeout"))
    # {index: {status: n}}, index 0 = no X-Request-ID (not made by the app)
    per_url, retry, reasons = {}, {}, {}
    for key, n in r["counts"].items():
        index, status = key.split(":")
        per_url.setdefault(int(index), {})[int(status)] = n
    for key, n in r["retry_after"].items():
        index, value = key.split(":", 1)
        retry.setdefault(int(index), {})[value] = n
    for key, n in r["reasons"].items():
        index, value = key.split("|", 1)
        reasons.setdefault(int(index), {})[value] = n
    r.update(per_url=per_url, retry=retry, why=reasons)
    r["overall"] = {}
    for counts in per_url.values():
        for status, n in counts.items():
            r["overall"][status] = r["overall"].get(status, 0) + n
    return r


def run_wrk(args, base, seconds, tag):
    out = run(wrk_cmd(args, base, seconds, tag), capture=True, timeout=seconds + 60)
    return parse_wrk(out)


def log_time(text):
    return (
        datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
        .replace(tzinfo=datetime.UTC)
        .timestamp()
    )


def read_log(log_path, tag):
    """The app's JSON access lines for this run's requests (their X-Request-ID starts
    with the tag), the JSON warning/error records of those requests, and gunicorn's
    own warning/error lines (whatever the request)."""
    access, errors, gunicorn = [], [], []
    prefix = f"{tag}-"
    for line in log_path.read_text(errors="replace").splitlines():
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
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def fmt_counts(counts):
    return ", ".join(f"{s}: {n}" for s, n in sorted(counts.items())) or "none"


# --- who used the CPUs during a run ------------------------------------------


def cpu_sample(server):
    """CPU seconds so far (harness.cpu_sample), PostgreSQL + Redis with their reaped
    children (a postmaster's exited backends); "tools": our reaped children (wrk,
    pg_isready, pg_ctlcluster)."""
    sample = harness.cpu_sample(server, services_children=True)
    sample["tools"] = sample.pop("children")
    return sample


def cpu_line(before, after, restarted=False):
    """CPUs busy on average between two samples, by who."""
    wall = after["at"] - before["at"]
    used = {k: (after[k] - before[k]) / wall for k in ("busy", "gunicorn", "tools")}
    # Processes that exited in between (a restarted PostgreSQL) lose their last CPU
    # time here, so it shows up under "other" instead.
    used["services"] = (
        sum(t - before["services"].get(pid, 0.0) for pid, t in after["services"].items()) / wall
    )
    other = max(0.0, used["busy"] - used["gunicorn"] - used["services"] - used["tools"])
    say(
        f"  CPUs busy {used['busy']:.2f} of {os.cpu_count()}: gunicorn {used['gunicorn']:.2f}, "
        f"wrk and pollers {used['tools']:.2f}, PostgreSQL+Redis {used['services']:.2f}, "
        f"other processes {other:.2f}"
        + (" (including the PostgreSQL processes that exited in the restart)" if restarted else "")
    )
    if other > 0.2 and not restarted:
        say(
            f"  CAUTION: other processes used {other:.2f} CPUs during this run: the machine was "
            "not quiet, so the throughput and latency figures are pessimistic"
        )


# --- reports -----------------------------------------------------------------


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
    by_path = {}
    for rec in access:
        by_path.setdefault(rec.get("path"), []).append(rec.get("duration_ms", 0.0))
    say(f"  {'URL':<38} {'responses':>9}  {'status codes':<28} app time p50 / p99 ms")
    for index, (name, path, _, _) in enumerate(URLS, start=1):
        counts = r["per_url"].get(index, {})
        times = by_path.get(path, [])
        say(
            f"  {name + ' ' + path:<38} {sum(counts.values()):>9}  {fmt_counts(counts):<28} "
            f"{pct(times, 50):.1f} / {pct(times, 99):.1f}"
        )
    unknown = r["per_url"].get(0, {})
    if unknown:
        say(
            f"  {'unidentified (no X-Request-ID)':<38} {sum(unknown.values()):>9}  "
            f"{fmt_counts(unknown)}"
        )
    say(f"  {'overall':<38} {sum(r['overall'].values()):>9}  {fmt_counts(r['overall'])}")
    if r["overall"].get(503):
        say("  503s, their Retry-After (every 503 wrk saw) and, for /readyz, the failed check:")
        for index, (name, path, _, _) in enumerate([("?", "", 0, False), *URLS]):
            n503 = r["per_url"].get(index, {}).get(503, 0)
            if not n503:
                continue
            values = r["retry"].get(index, {})
            say(
                f"    {name + ' ' + path:<36} {n503:>6} × 503, Retry-After: "
                + ", ".join(f"{v} ({n})" for v, n in sorted(values.items()))
            )
            for why, n in sorted(r["why"].get(index, {}).items(), key=lambda kv: -kv[1]):
                say(f"      {n:>6} × {why}")


def exception_line(text):
    """The 'module.Error: message' line of a logged traceback."""
    lines = [x for x in (text or "").splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", x)]
    return lines[-1][:200] if lines else ""


def report_log(errors, gunicorn):
    if errors:
        kinds = {}
        for rec in errors:
            message = re.sub(r": /\S*", "", rec.get("message", ""))  # one kind, any path
            key = f"{rec.get('level')} {rec.get('logger')}: {message}"
            exc = exception_line(rec.get("exception"))
            if exc:
                key += f" [{exc}]"
            kinds[key] = kinds.get(key, 0) + 1
        say("  app log, warnings and errors of this run's requests:")
        for key, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            say(f"    {n:>6} × {key}")
    else:
        say("  app log: no warning or error for this run's requests")
    if gunicorn:
        say(f"  gunicorn log: {len(gunicorn)} warning/error lines in all, e.g.:")
        for line in gunicorn[:5]:
            say(f"    {line[:200]}")


def wrong_statuses(r, allow_503):
    """{name: {status: n}} of responses other than a URL's normal status (and 503
    on the URLs in allow_503)."""
    wrong = {}
    for index, (name, _, expected, _) in enumerate(URLS, start=1):
        allowed = {expected, 503} if name in allow_503 else {expected}
        other = {s: n for s, n in r["per_url"].get(index, {}).items() if s not in allowed}
        if other:
            wrong[name] = other
    if r["per_url"].get(0):
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
    # pg_isready: 0 accepting, 1 rejecting (starting up / shutting down), 2 no response
    rc = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q", "-t", "2"], timeout=10
    ).returncode
    return {0: "accepting", 1: "rejecting", 2: "no response"}.get(rc, f"rc {rc}"), None


# --- the runs ----------------------------------------------------------------


def steady(args, base, log_path):
    say()
    say(
        f"== Steady run: {args.duration} s, {args.connections} connections, wrk -t{args.threads} "
        f"--timeout {args.timeout}s, {len(URLS)} URLs in rotation, Accept-Encoding: gzip"
    )
    before = cpu_sample(state["server"])
    r = run_wrk(args, base, args.duration, "st")
    after = cpu_sample(state["server"])
    access, errors, gunicorn = read_log(log_path, "st")
    report_run(r, access)
    cpu_line(before, after)
    report_log(errors, gunicorn)
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


def other_clients():
    """'database: n' for client connections to other databases of this cluster."""
    rows = psql(
        "SELECT datname, count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
        f"AND datname IS DISTINCT FROM '{DB_NAME}' AND pid <> pg_backend_pid() "
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


def fault(args, base, log_path):
    say()
    say(
        f"== Fault run: {args.duration} s, {args.connections} connections; at {args.fault_at:g} s "
        f"PostgreSQL is stopped (pg_ctlcluster -m fast stop), {args.outage:g} s after it has "
        "stopped it is started again (pg_ctlcluster start); /readyz and pg_isready polled "
        "every 100 ms"
    )
    if not cluster_is_ours(args):
        return [(False, "fault: run SKIPPED (others were using PostgreSQL)")]
    for _, path, _, cached in URLS:  # the page cache must be warm for the outage
        if cached:
            get(base + path)
            if not page_cached(path):
                die(f"{path} is not in the page cache before the fault run")

    readyz = Poller(readyz_probe(base))
    pg = Poller(pg_probe)
    before = cpu_sample(state["server"])
    proc = subprocess.Popen(
        wrk_cmd(args, base, args.duration, "ft"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    foreground.append(proc)
    t0 = time.time()
    readyz.start()
    pg.start()
    ev = {}
    try:
        time.sleep(max(0.0, t0 + args.fault_at - time.time()))
        state["pg_stopped_by_us"] = True
        ev["stop issued"] = time.time()
        rc = pg_ctl("stop")
        ev["stop returned"] = time.time()
        if rc != 0:
            say(f"  WARNING: pg_ctlcluster stop exited {rc}")
        time.sleep(args.outage)
        ev["start issued"] = time.time()
        rc = pg_ctl("start")
        ev["start returned"] = time.time()
        if rc != 0:
            say(f"  WARNING: pg_ctlcluster start exited {rc}")
        if not wait_for(postgres_up, 30, every=0.02):
            ensure_postgres_running()
        state["pg_stopped_by_us"] = False
        out, _ = proc.communicate(timeout=args.duration + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        die("wrk did not finish in time")
    finally:
        if proc in foreground:
            foreground.remove(proc)
        for poller in (readyz, pg):
            poller.halt.set()
        for poller in (readyz, pg):
            poller.join(timeout=10)
    after = cpu_sample(state["server"])
    r = parse_wrk(out)
    access, errors, gunicorn = read_log(log_path, "ft")

    # PostgreSQL as pg_isready saw it: when it stopped accepting, when it accepted again
    pg_down = next(
        (s for s in pg.samples if s[0] >= ev["stop issued"] and s[2] != "accepting"), None
    )
    pg_back = next(
        (s for s in pg.samples if s[0] >= ev["start issued"] and s[2] == "accepting"), None
    )
    if pg_down:
        ev["pg_isready: not accepting"] = pg_down[0]
    if pg_back:
        ev["pg_isready: accepting again"] = pg_back[1]
    down_from = ev["stop issued"]
    down_to = pg_back[1] if pg_back else ev["start returned"]

    # /readyz as the side poller saw it
    samples = readyz.samples
    bad = [s for s in samples if s[2] != 200 and s[0] >= down_from]
    first_bad = bad[0] if bad else None
    # The first 200 once the outage was seen (/readyz cannot be 200 while the
    # database is down), and any non-200 after it (flapping, not the outage).
    first_ok = (
        next((s for s in samples if s[0] > first_bad[0] and s[2] == 200), None)
        if first_bad
        else None
    )
    after_ok = [s for s in bad if first_ok and s[0] > first_ok[0]]
    if first_bad:
        ev["/readyz poller: first non-200"] = first_bad[0]
    if first_ok:
        ev["/readyz poller: first 200 again"] = first_ok[1]

    say("  timeline (seconds since wrk started):")
    for name, t in sorted(ev.items(), key=lambda kv: kv[1]):
        label = name if name.startswith(("/", "pg_")) else f"PostgreSQL {name}"
        say(f"    {t - t0:6.2f}  {label}")
    statuses, early = {}, {}
    for s in samples:
        statuses[s[2]] = statuses.get(s[2], 0) + 1
        if s[2] != 200 and s[0] < down_from:
            early[s[2]] = early.get(s[2], 0) + 1
    poll_ms = [1000 * (s[1] - s[0]) for s in samples]
    say(
        f"  /readyz poller: {len(samples)} polls ({fmt_counts(statuses)}); poll time p50 "
        f"{pct(poll_ms, 50):.0f} ms, max {max(poll_ms, default=0):.0f} ms"
        + (f"; before the outage: {fmt_counts(early)}" if early else "")
        + (f"; after recovering: {len(after_ok)} not 200" if after_ok else "")
    )
    recovery = None
    if first_bad and first_ok:
        recovery = first_ok[1] - down_to
        retry_values = sorted({str(s[3]) for s in bad if s[2] == 503})
        say(
            f"    not 200 for {first_ok[1] - first_bad[0]:.2f} s (503 Retry-After: "
            f"{', '.join(retry_values) or '-'}); first 200 {recovery:.2f} s after PostgreSQL "
            f"accepted connections again, {first_ok[1] - ev['start issued']:.2f} s after its "
            f"start was issued"
        )
    elif first_bad:
        say("    /readyz was NOT 200 again before the run ended")
    else:
        say("    /readyz never left 200: the outage was too short for a 100 ms poller to see")

    # 5xx in time, from the app's access log
    five = [rec for rec in access if rec.get("status", 0) >= 500]
    outside, per_second = {}, {}
    for rec in five:
        t = log_time(rec["time"])
        if not (down_from <= t <= down_to + args.grace):
            outside[rec["path"]] = outside.get(rec["path"], 0) + 1
        paths = per_second.setdefault(int(t - t0), {})
        paths[rec["path"]] = paths.get(rec["path"], 0) + 1
    if per_second:
        say("  5xx per second since wrk started (app log):")
        for second, paths in sorted(per_second.items()):
            say(f"    {second:>3} s  " + ", ".join(f"{p} {n}" for p, n in sorted(paths.items())))
        times = [log_time(rec["time"]) for rec in five]
        say(
            f"    first 5xx at {min(times) - t0:.2f} s, last at {max(times) - t0:.2f} s; "
            f"the database was down from {down_from - t0:.2f} s to {down_to - t0:.2f} s"
        )

    report_run(r, access)
    cpu_line(before, after, restarted=True)
    report_log(errors, gunicorn)

    overall = r["overall"]
    other_5xx = {s: n for s, n in overall.items() if s >= 500 and s != 503}
    missing_retry = sum(v.get("-", 0) for v in r["retry"].values())
    cached = [name for name, _, _, is_cached in URLS if is_cached]
    cached_503 = {
        name: r["per_url"].get(i, {}).get(503, 0)
        for i, (name, _, _, is_cached) in enumerate(URLS, start=1)
        if is_cached and r["per_url"].get(i, {}).get(503)
    }
    wrong = wrong_statuses(r, allow_503=[n for n, _, _, c in URLS if not c])
    checks = [
        (r["socket_errors"] == 0, f"fault: 0 socket errors: {r['socket_errors']}"),
        (
            not other_5xx,
            f"fault: no 5xx but 503: {sum(other_5xx.values())} ({fmt_counts(other_5xx)})",
        ),
        (
            missing_retry == 0,
            f"fault: every 503 has Retry-After: {overall.get(503, 0) - missing_retry} of "
            f"{overall.get(503, 0)}",
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
            f"fault: 5xx only while the database was down (+{args.grace:g} s): "
            f"{sum(outside.values())} outside" + (f" ({fmt_counts(outside)})" if outside else ""),
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
    return checks


def loadtest(args):
    OUT.mkdir(exist_ok=True)
    t_start = time.monotonic()
    commit = quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "nogit"
    state["release"] = f"loadtest-{commit}-{uuid.uuid4().hex[:8]}"
    ensure_wrk()
    ensure_services()
    env = app_env()

    say("== Machine")
    for line in machine():
        say(f"  {line}")

    say()
    say(
        f"== Setup: database {DB_NAME}, cache {CACHE_URL} "
        f"(prefix {CACHE_KEY_PREFIX}:{state['release']})"
    )
    started.append(("redis-keys", None))
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    loaded = manage(env, "load_starter_content").strip().splitlines()
    say(f"  load_starter_content: {loaded[-1] if loaded else '(no output)'}")

    port = free_port(args.port, PORTS)
    base = f"http://127.0.0.1:{port}"
    log_path = OUT / "gunicorn.log"
    workers, threads = harness.gunicorn_size()
    state["server"] = start_gunicorn(env, port, log_path)
    say(
        f"  gunicorn (gunicorn.conf.py: gthread, {workers} workers × {threads} threads, "
        f"settings as in production) on {base}, log {log_path.relative_to(ROOT)}"
    )
    say("  DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1,localhost, PostgreSQL, Redis cache")
    check_urls(base)

    say()
    say(f"== Warm-up: {args.warmup} s (not judged)")
    w = run_wrk(args, base, args.warmup, "wu")
    say(
        f"  {w['rps']:.1f} req/s, socket errors {w['socket_errors']}, "
        f"statuses {fmt_counts(w['overall'])}"
    )

    checks = steady(args, base, log_path)
    if args.no_fault:
        say()
        say("== Fault run skipped (--no-fault)")
    else:
        checks += fault(args, base, log_path)

    restarts = log_path.read_text(errors="replace").count("Autorestarting worker")
    say()
    say(f"gunicorn recycled a worker {restarts} times (max_requests) during the load test")
    say()
    say("== Targets")
    for ok, text in checks:
        say(f"  {'PASS' if ok else 'FAIL'}  {text}")
    say()
    say(
        f"load test finished in {time.monotonic() - t_start:.0f} s "
        f"({sum(ok for ok, _ in checks)}/{len(checks)} targets met)"
    )
    harness.write_report(OUT / "last-report.txt")


def main():
    parser = argparse.ArgumentParser(
        description="Load test: steady and with a PostgreSQL restart (see the module docstring)."
    )
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up load")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
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
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("LOADTEST_PORT", 0)),
        help="gunicorn port (default: the first free one in 8300-8399)",
    )
    args = parser.parse_args()
    if not 0 < args.fault_at < args.duration:
        parser.error("--fault-at must be inside --duration")
    harness.handle_signals()
    try:
        loadtest(args)
    finally:
        cleanup()


if __name__ == "__main__":
    main()

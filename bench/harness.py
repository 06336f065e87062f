"""Helpers shared by `make bench` (bench/run.py) and `make loadtest` (loadtest/run.py).

Running commands and stopping what was started, PostgreSQL / Redis / wrk set-up,
the production-like environment, gunicorn start-up, the machine description,
wrk's command line and summary, the Redis page-cache keys and CPU accounting
from /proc. Stdlib only. One script per process: each sets NAME (the prefix of
its messages) and shares this module's report lines and foreground children.
"""

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
from hashlib import blake2b
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

NAME = "harness"  # set by the script: its messages read "bench: …" / "loadtest: …"
report_lines = []  # everything say() printed, for the script's last-report.txt
foreground = []  # the child processes currently being waited for


def say(line=""):
    print(line, flush=True)
    report_lines.append(line)


def die(message):
    raise SystemExit(f"{NAME}: {message}")


def write_report(path):
    path.write_text("\n".join(report_lines) + "\n")


# --- processes ---------------------------------------------------------------


def run(cmd, env=None, timeout=600, capture=False, check=True):
    """Run a foreground command, bounded in time; cleanup can stop it if we are interrupted."""
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


def quiet(cmd, timeout=20):
    """Output of a small command, or '' when it fails or is missing."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout.strip()
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


def stop_foreground():
    """Terminate the foreground children still running (on exit or interruption)."""
    for proc in list(foreground):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def stop_started(started, redis_db, key_prefix):
    """Undo `started` in reverse: ("gunicorn", Popen), ("file", Path), ("redis-keys", None)
    (the keys under key_prefix in redis_db), ("redis", None), ("postgresql", version)."""
    while started:
        kind, what = started.pop()
        try:
            if kind == "gunicorn":
                stop_group(what)
            elif kind == "redis-keys":
                clear_keys(redis_db, key_prefix)
            elif kind == "file":
                what.unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # only if empty
                    what.parent.rmdir()
            elif kind == "redis":
                print(f"{NAME}: stopping the Redis it started", flush=True)
                quiet(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"])
            elif kind == "postgresql":
                print(f"{NAME}: stopping the PostgreSQL it started", flush=True)
                quiet(["pg_ctlcluster", "--skip-systemctl-redirect", what, "main", "stop"])
        except Exception as exc:  # keep cleaning up the rest
            print(f"{NAME}: cleanup of {kind} failed: {exc}", file=sys.stderr)


def on_signal(signum, frame):
    raise SystemExit(f"{NAME}: interrupted by signal {signum}")


def handle_signals():
    """SIGINT, SIGTERM and SIGHUP raise SystemExit, so the script's cleanup runs."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)


# --- environment -------------------------------------------------------------


def app_env(database_url, cache_url, cache_key_prefix, release, make_target, drop=("PORT",)):
    """The production settings, but plain HTTP on loopback (no SSL redirect, whatever a
    local .env says); SECRET_KEY from the environment or .secret-key."""
    env = dict(os.environ)
    if not env.get("SECRET_KEY"):
        key_file = ROOT / ".secret-key"
        if not key_file.exists():
            die(f"SECRET_KEY is not set and there is no .secret-key (run `make {make_target}`)")
        env["SECRET_KEY"] = key_file.read_text().strip()
    env.update(
        DJANGO_SETTINGS_MODULE="careerguide.settings",
        DEBUG="false",
        HTTPS="false",
        BEHIND_PROXY="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        CACHE_KEY_PREFIX=cache_key_prefix,
        RELEASE=release,
        PYTHONUNBUFFERED="1",
    )
    for name in drop:
        env.pop(name, None)
    return env


def ensure_wrk():
    if shutil.which("wrk"):
        return
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    if os.geteuid() != 0 and not shutil.which("sudo"):
        die("wrk is missing: install it with `apt-get install -y wrk` (needs root)")
    print(f"{NAME}: installing wrk", flush=True)
    noninteractive = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run([*apt, "install", "-y", "-q", "wrk"], env=noninteractive, check=False) != 0:
        run([*apt, "update", "-q"], env=noninteractive)
        run([*apt, "install", "-y", "-q", "wrk"], env=noninteractive)
    if not shutil.which("wrk"):
        die("wrk is still missing after apt-get install")


def postgres_up(timeout=None):
    cmd = ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]
    return subprocess.run(cmd, timeout=timeout).returncode == 0


def redis_up():
    return quiet(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"]) == "PONG"


def ensure_services(
    db_name,
    started,
    needed_by,
    tools=("pg_isready", "psql", "redis-cli"),
    require_cluster=False,
    timeout=600,
    pg_timeout=None,
):
    """Start PostgreSQL and Redis when they are down (`bin/services db_name`, which also
    creates the database); record in `started` what to stop on exit. With
    require_cluster, the PostgreSQL version in /etc/postgresql must exist up front.
    Returns that version (None when not required and PostgreSQL was already up)."""
    for tool in tools:
        if not shutil.which(tool):
            die(f"{tool} is missing: {needed_by} needs PostgreSQL and Redis installed")
    version = None
    if require_cluster:
        versions = sorted(os.listdir("/etc/postgresql"))
        if not versions:
            die("no PostgreSQL cluster in /etc/postgresql")
        version = versions[0]
    pg_was_up, redis_was_up = postgres_up(pg_timeout), redis_up()
    run(["bin/services", db_name], timeout=timeout)
    if not redis_was_up:
        started.append(("redis", None))
    if not pg_was_up:
        version = version or sorted(os.listdir("/etc/postgresql"))[0]
        started.append(("postgresql", version))
    return version


def manage(env, *args, timeout=600):
    return run([PY, "manage.py", *args], env=env, timeout=timeout, capture=True)


def psql(sql):
    return quiet(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", sql])


def machine(packages=("gunicorn", "psycopg", "redis"), cpu_count=False):
    """Lines describing the machine, the versions in use and the code."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    pg = psql("SHOW server_version")
    redis = re.search(
        r"redis_version:(\S+)", quiet(["redis-cli", "-h", "127.0.0.1", "INFO", "server"])
    )
    wrk = quiet(["sh", "-c", "wrk -v 2>&1 | head -n1"]).split(" Copyright")[0]

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    labels = {"redis": "redis-py"}
    load = Path("/proc/loadavg").read_text().split()[:3]
    commit = quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "?"
    dirty = quiet(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines()
    return [
        f"CPU: {cpu or '?'}{f' × {os.cpu_count()}' if cpu_count else ''} "
        f"(nproc {quiet(['nproc']) or '?'}), "
        f"memory {mem_kb / 1024 / 1024:.1f} GiB, {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, Django {version('Django')}, "
        + ", ".join(f"{labels.get(dist, dist)} {version(dist)}" for dist in packages),
        f"PostgreSQL {pg or '?'}, Redis {redis.group(1) if redis else '?'}, {wrk or 'wrk ?'}",
        f"code: git {commit}"
        + (f" with {len(dirty)} uncommitted paths" if dirty else " (clean tree)"),
        f"load average at start: {' '.join(load)} (1, 5, 15 min)",
    ]


# --- gunicorn, HTTP, Redis ---------------------------------------------------


def free_port(preferred, ports):
    for port in [preferred] if preferred else ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    die(f"no free port in {ports.start}-{ports.stop - 1}")


def get(url, timeout=10, headers=None, http_errors=True):
    """(status, headers, body). An error status raises urllib.error.HTTPError when
    http_errors is true, and is returned like any other otherwise."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        if http_errors:
            raise
        with exc:
            return exc.code, exc.headers, exc.read()


def gunicorn_size():
    """(workers, threads) as gunicorn.conf.py will choose them, for the report."""
    workers = os.environ.get("WEB_CONCURRENCY") or f"{2 * os.cpu_count() + 1} (2 × CPUs + 1)"
    threads = os.environ.get("GUNICORN_THREADS") or "4"
    return workers, threads


def start_gunicorn(env, port, log_path, started, ready_path, extra=(), headers=None):
    """gunicorn with gunicorn.conf.py on 127.0.0.1:port, logging to log_path; returns
    once ready_path answers 200 (requested with headers)."""
    log = open(log_path, "w")  # noqa: SIM115 (lives as long as the server)
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
    started.append(("gunicorn", proc))
    log.close()
    url = f"http://127.0.0.1:{port}{ready_path}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            die(f"gunicorn exited ({proc.returncode}); see {log_path}")
        try:
            if get(url, timeout=2, headers=headers)[0] == 200:
                return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    die(f"gunicorn did not answer within 60 s; see {log_path}")


def redis_cli(db, *args):
    return quiet(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "-n", str(db), *args])


def redis_keys(db, pattern):
    return redis_cli(db, "--scan", "--pattern", pattern).split()


def clear_keys(db, prefix):
    """Delete the keys under prefix (any release id) in Redis database db, and nothing else."""
    keys = redis_keys(db, f"{prefix}:*")
    for i in range(0, len(keys), 500):
        redis_cli(db, "DEL", *keys[i : i + 500])


def page_cached(db, prefix, path):
    """Whether path is in the page cache. Keys are PREFIX:RELEASE:VERSION:page:HASH
    (settings put the release id in the prefix; careerguide.http.cache.page_key hashes
    the path): prefix is the cache key prefix, with or without ':RELEASE'."""
    digest = blake2b(path.encode(), digest_size=16).hexdigest()
    return bool(redis_keys(db, f"{prefix}:*:page:{digest}"))


# --- wrk ---------------------------------------------------------------------


def wrk_cmd(args, url, seconds, script, timeout, script_args=()):
    """wrk with args.threads and args.connections, --latency and a Lua script."""
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        f"{timeout}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    return [*cmd, "--", *script_args] if script_args else cmd


def wrk_summary(out, marker):
    """The JSON of wrk's `MARKER {...}` line, plus rps."""
    line = next((x for x in out.splitlines() if x.startswith(f"{marker} ")), None)
    if line is None:
        print(out, file=sys.stderr)
        die("wrk printed no summary")
    result = json.loads(line.split(" ", 1)[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- who used the CPUs during a run ------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")
SERVICES = {"postgres", "redis-server"}


def cpu_sample(server, services_children=False):
    """CPU seconds so far: the whole machine (busy), the gunicorn group (workers that
    exited are in the master's children times) and each of its live workers,
    PostgreSQL + Redis per process (with services_children, plus their reaped
    children: a postmaster's exited backends), and our reaped children (wrk, …)."""
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
            reaped = cutime + cstime if services_children else 0
            services[stat.parent.name] = (utime + stime + reaped) / TICK
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "busy": busy / TICK,
        "gunicorn": gunicorn / TICK,
        "services": services,
        "workers": workers,
        "children": children.ru_utime + children.ru_stime,
        "at": time.monotonic(),
    }

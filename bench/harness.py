"""What `make bench` (bench/run.py) and `make loadtest` (loadtest/run.py) share.

A `Run` is one script's run: its PostgreSQL database, Redis database and key
prefix, port range, output folder, and the list of what it started, which
`cleanup()` undoes in reverse (also on Ctrl-C or SIGTERM: `Run.main`). Around it:
foreground commands bounded in time, PostgreSQL / Redis / wrk set-up, the
production-like environment, gunicorn start-up and stop, the machine
description, wrk runs and their summary, Redis page-cache keys, CPU accounting.

Tools instead of hand-written parts:
- psutil reads the CPU times of the machine and of each process (gunicorn's
  group, PostgreSQL, Redis, our reaped children) and the memory size: it is
  what parsing /proc/stat, /proc/PID/stat and /proc/meminfo by hand did, kept
  correct by others (field offsets, clock ticks, processes that vanish).
- wrk's own Lua hooks print the totals and latency percentiles as one JSON line
  (bench/summary.lua, which loadtest/mix.lua extends): nothing parses wrk's
  human-readable report.
"""

import argparse
import contextlib
import json
import os
import platform
import re
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

import psutil

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
WRK_MARKER = "WRK-JSON"  # the line bench/summary.lua prints

NAME = "harness"  # the running script's: its messages read "bench: …" / "loadtest: …"
report_lines = []  # everything say() printed, for the script's last-report.txt
foreground = []  # the child processes currently being waited for


def say(line=""):
    print(line, flush=True)
    report_lines.append(line)


def note(message, error=False):
    print(f"{NAME}: {message}", file=sys.stderr if error else sys.stdout, flush=True)


def die(message):
    raise SystemExit(f"{NAME}: {message}")


# --- processes ---------------------------------------------------------------


def spawn(cmd, env=None, capture=False):
    """Start a foreground command; stop_foreground() ends it if we are interrupted."""
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
        text=True,
    )
    foreground.append(proc)
    return proc


def spawn_server(cmd, log_path, env=None):
    """A server in its own process group (so stop_group reaches its workers too),
    logging to log_path."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    proc.log_path = Path(log_path)
    return proc


def finish(proc, timeout, check=True):
    """Wait (bounded) for a spawned command: its output when captured, else its exit code."""
    cmd = " ".join(map(str, proc.args))
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        die(f"timed out after {timeout} s: {cmd}")
    finally:
        foreground.remove(proc)
    if check and proc.returncode != 0:
        if out:
            print(out, file=sys.stderr)
        die(f"failed ({proc.returncode}): {cmd}")
    return out if proc.stdout is not None else proc.returncode


def run(cmd, env=None, timeout=600, capture=False, check=True):
    return finish(spawn(cmd, env, capture), timeout, check)


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


def on_signal(signum, frame):
    raise SystemExit(f"{NAME}: interrupted by signal {signum}")


def wait_for(check, seconds, every=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


# --- services ----------------------------------------------------------------


def pg_isready(timeout=10, connect_timeout=None):
    """pg_isready's exit code: 0 accepting, 1 rejecting (starting / stopping), 2 no response."""
    cmd = ["pg_isready", "-h", HOST, "-p", "5432", "-q"]
    if connect_timeout:
        cmd += ["-t", str(connect_timeout)]
    return subprocess.run(cmd, timeout=timeout).returncode


def postgres_up(timeout=10):
    return pg_isready(timeout) == 0


def pg_ctlcluster(version, action, timeout=60):
    """Stop or start the cluster; -m fast disconnects clients and stops at once
    (pg_ctlcluster's default, made explicit). Returns the exit code."""
    cmd = ["pg_ctlcluster", "--skip-systemctl-redirect"]
    if action in ("stop", "restart"):
        cmd += ["-m", "fast"]
    return run([*cmd, version, "main", action], timeout=timeout, check=False)


def psql(sql):
    return quiet(["psql", "-h", HOST, "-U", "postgres", "-tAc", sql])


def redis_cli(*args, db=0):
    return quiet(["redis-cli", "-h", HOST, "-p", "6379", "-n", str(db), *args])


def redis_up():
    return redis_cli("ping") == "PONG"


def redis_keys(db, pattern):
    return redis_cli("--scan", "--pattern", pattern, db=db).split()


def ensure_package(command, package, path=None):
    """Install Debian's `package` with apt-get when `command` (or `path`) is missing."""

    def present():
        return os.access(path, os.X_OK) if path else shutil.which(command)

    if present():
        return
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    if os.geteuid() != 0 and not shutil.which("sudo"):
        die(f"{command} is missing: install it with `apt-get install -y {package}` (needs root)")
    note(f"installing {package}")
    noninteractive = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if run([*apt, "install", "-y", "-q", package], env=noninteractive, check=False) != 0:
        run([*apt, "update", "-q"], env=noninteractive)
        run([*apt, "install", "-y", "-q", package], env=noninteractive)
    if not present():
        die(f"{command} is still missing after apt-get install {package}")


def ensure_wrk():
    ensure_package("wrk", "wrk")


def ensure_nginx():
    """The edge's nginx (Debian's nginx-light has every module deploy/nginx/ needs)."""
    ensure_package("nginx", "nginx-light", path=os.environ.get("NGINX", "/usr/sbin/nginx"))


def free_port(preferred, ports):
    for port in [preferred] if preferred else ports:
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
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


def machine(packages=("gunicorn", "psycopg", "redis"), cpu_count=False):
    """Lines describing the machine, the versions in use and the code."""
    cpu = ""  # the model name: psutil does not tell it
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    redis = re.search(r"redis_version:(\S+)", redis_cli("INFO", "server"))
    wrk = quiet(["sh", "-c", "wrk -v 2>&1 | head -n1"]).split(" Copyright")[0]

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    labels = {"redis": "redis-py"}
    commit = quiet(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "?"
    dirty = quiet(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines()
    return [
        f"CPU: {cpu or '?'}{f' × {os.cpu_count()}' if cpu_count else ''} "
        f"(nproc {quiet(['nproc']) or '?'}), "
        f"memory {psutil.virtual_memory().total / 2**30:.1f} GiB, "
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, Django {version('Django')}, "
        + ", ".join(f"{labels.get(dist, dist)} {version(dist)}" for dist in packages),
        f"PostgreSQL {psql('SHOW server_version') or '?'}, "
        f"Redis {redis.group(1) if redis else '?'}, {wrk or 'wrk ?'}",
        f"code: git {commit}"
        + (f" with {len(dirty)} uncommitted paths" if dirty else " (clean tree)"),
        "load average at start: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + " (1, 5, 15 min)",
    ]


# --- one script's run --------------------------------------------------------


class Run:
    """A script's database, Redis database, key prefix and ports, and what it started:
    ("gunicorn", Popen), ("file", Path), ("redis-keys", None), ("redis", None),
    ("postgresql", version)."""

    def __init__(self, name, db_name, redis_db, key_prefix, ports):
        global NAME
        NAME = name
        self.name, self.db_name, self.redis_db = name, db_name, redis_db
        self.key_prefix, self.ports = key_prefix, ports
        self.database_url = f"postgres://postgres@{HOST}:5432/{db_name}"
        self.cache_url = f"redis://{HOST}:6379/{redis_db}"
        self.dir = ROOT / name
        self.out = self.dir / ".out"
        self.started = []
        self.pg_version = None

    def parser(self, description, duration, warmup, connections):
        """argparse with the options both scripts have: wrk's duration, warm-up, threads
        and connections, and the gunicorn port (default: $NAME_PORT, else the first
        free one in the range)."""
        parser = argparse.ArgumentParser(description=f"{description} (see the module docstring).")
        parser.add_argument("--duration", type=int, default=duration, help="seconds per run")
        parser.add_argument("--warmup", type=int, default=warmup, help="seconds of warm-up load")
        parser.add_argument("--threads", type=int, default=2, help="wrk threads")
        parser.add_argument("--connections", type=int, default=connections, help="wrk connections")
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get(f"{self.name.upper()}_PORT", 0)),
            help="gunicorn port (default: the first free one in "
            f"{self.ports.start}-{self.ports.stop - 1})",
        )
        return parser

    def main(self, body, args):
        """body(args), then cleanup(); SIGINT, SIGTERM and SIGHUP raise SystemExit first."""
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        try:
            self.out.mkdir(exist_ok=True)
            body(args)
            (self.out / "last-report.txt").write_text("\n".join(report_lines) + "\n")
        finally:
            self.cleanup()

    def cleanup(self):
        stop_foreground()
        self.before_cleanup()
        while self.started:
            kind, what = self.started.pop()
            try:
                self.undo(kind, what)
            except (Exception, SystemExit) as exc:  # keep cleaning up the rest
                note(f"cleanup of {kind} failed: {exc}", error=True)

    def before_cleanup(self):
        """What a script must do before the rest is undone (loadtest: restart PostgreSQL)."""

    def undo(self, kind, what):
        if kind == "gunicorn":
            stop_group(what)
        elif kind == "redis-keys":
            self.clear_keys()
        elif kind == "tree":
            shutil.rmtree(what, ignore_errors=True)
        elif kind == "file":
            what.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # only if empty
                what.parent.rmdir()
        elif kind == "redis":
            note("stopping the Redis it started")
            redis_cli("shutdown", "nosave")
        elif kind == "postgresql":
            note("stopping the PostgreSQL it started")
            pg_ctlcluster(what, "stop")

    # environment and services

    def env(self, release, cache_url=None, drop=("PORT",)):
        """The production settings, but plain HTTP on loopback (no SSL redirect, whatever
        a local .env says); SECRET_KEY from the environment or .secret-key."""
        env = dict(os.environ)
        if not env.get("SECRET_KEY"):
            key_file = ROOT / ".secret-key"
            if not key_file.exists():
                die(f"SECRET_KEY is not set and there is no .secret-key (run `make {self.name}`)")
            env["SECRET_KEY"] = key_file.read_text().strip()
        env.update(
            DJANGO_SETTINGS_MODULE="careerguide.settings",
            DEBUG="false",
            HTTPS="false",
            BEHIND_PROXY="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            CACHE_URL=cache_url or self.cache_url,
            CACHE_KEY_PREFIX=self.key_prefix,
            RELEASE=release,
            PYTHONUNBUFFERED="1",
        )
        for name in drop:
            env.pop(name, None)
        return env

    def ensure_services(self, needed_by, tools=(), require_cluster=False, timeout=600):
        """Start PostgreSQL and Redis when they are down (`bin/services DB_NAME`, which
        also creates the database), to be stopped on exit. With require_cluster, the
        PostgreSQL version in /etc/postgresql must exist up front (self.pg_version)."""
        for tool in ("pg_isready", "psql", *tools, "redis-cli"):
            if not shutil.which(tool):
                die(f"{tool} is missing: {needed_by} needs PostgreSQL and Redis installed")
        versions = sorted(os.listdir("/etc/postgresql")) if require_cluster else []
        if require_cluster and not versions:
            die("no PostgreSQL cluster in /etc/postgresql")
        self.pg_version = versions[0] if versions else None
        pg_was_up, redis_was_up = postgres_up(), redis_up()
        run(["bin/services", self.db_name], timeout=timeout)
        if not redis_was_up:
            self.started.append(("redis", None))
        if not pg_was_up:
            self.pg_version = self.pg_version or sorted(os.listdir("/etc/postgresql"))[0]
            self.started.append(("postgresql", self.pg_version))

    def manage(self, env, *args, timeout=600):
        return run([PY, "manage.py", *args], env=env, timeout=timeout, capture=True)

    # gunicorn

    def start_gunicorn(self, env, port, log_path, ready_path, extra=(), headers=None):
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
                f"{HOST}:{port}",
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
        self.started.append(("gunicorn", proc))
        log.close()
        proc.log_path = log_path
        url = f"http://{HOST}:{port}{ready_path}"

        def ready():
            if proc.poll() is not None:
                die(f"gunicorn exited ({proc.returncode}); see {log_path}")
            try:
                return get(url, timeout=2, headers=headers)[0] == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        if not wait_for(ready, 60, every=0.2):
            die(f"gunicorn did not answer within 60 s; see {log_path}")
        return proc

    def stop_gunicorn(self, proc):
        self.started.remove(("gunicorn", proc))
        stop_group(proc)

    # Redis page cache

    def own_keys(self):
        """Delete this run's cache keys now and on exit."""
        self.clear_keys()
        self.started.append(("redis-keys", None))

    def clear_keys(self):
        """Delete the keys under the key prefix (any release id), and nothing else."""
        keys = redis_keys(self.redis_db, f"{self.key_prefix}:*")
        for i in range(0, len(keys), 500):
            redis_cli("DEL", *keys[i : i + 500], db=self.redis_db)

    def page_cached(self, path, release="*"):
        """Whether path is in the page cache. Keys are PREFIX:RELEASE:VERSION:page:HASH
        (settings put the release id in the prefix; careerguide.http.cache.page_key
        hashes the path)."""
        digest = blake2b(path.encode(), digest_size=16).hexdigest()
        pattern = f"{self.key_prefix}:{release}:*:page:{digest}"
        return bool(redis_keys(self.redis_db, pattern))


def report_targets(checks, what, t0, caution=()):
    """The PASS/FAIL lines of (ok, text) checks, any caution lines, and the closing line."""
    say()
    say("== Targets")
    for ok, text in checks:
        say(f"  {'PASS' if ok else 'FAIL'}  {text}")
    for line in caution:
        say(f"  {line}")
    say()
    say(
        f"{what} finished in {time.monotonic() - t0:.0f} s "
        f"({sum(ok for ok, _ in checks)}/{len(checks)} targets met)"
    )


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


def wrk_summary(out):
    """The JSON line the Lua script's done() printed, plus rps and socket_errors."""
    line = next((x for x in out.splitlines() if x.startswith(f"{WRK_MARKER} ")), None)
    if line is None:
        print(out, file=sys.stderr)
        die("wrk printed no summary")
    result = json.loads(line.split(" ", 1)[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["socket_errors"] = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    return result


def wrk(cmd, seconds):
    return wrk_summary(run(cmd, capture=True, timeout=seconds + 60))


# --- who used the CPUs during a run ------------------------------------------

SERVICES = {"postgres", "redis-server"}


def cpu_sample(server, services_children=False, nginx=None):
    """CPU seconds so far: the whole machine (busy), the gunicorn group (workers that
    exited are in the master's children times; `server` may be a list of servers,
    counted together) and each of its live workers, nginx's group when given,
    PostgreSQL + Redis per process (with services_children, plus their reaped
    children: a postmaster's exited backends), and our reaped children (wrk, …)."""
    servers = server if isinstance(server, (list, tuple)) else [server]
    groups = {srv.pid for srv in servers}
    t = psutil.cpu_times()
    gunicorn = nginx_cpu = 0.0
    services, workers = {}, {}
    for proc in psutil.process_iter(["name", "cpu_times"]):
        times = proc.info["cpu_times"]
        try:
            pgrp = os.getpgid(proc.pid)
        except OSError:  # gone meanwhile
            continue
        if times is None:
            continue
        own, reaped = times.user + times.system, times.children_user + times.children_system
        if pgrp in groups:
            gunicorn += own + (reaped if proc.pid == pgrp else 0)
            if proc.pid != pgrp:
                workers[proc.pid] = own
        elif nginx is not None and pgrp == nginx.pid:
            nginx_cpu += own
        elif proc.info["name"] in SERVICES:
            services[proc.pid] = own + (reaped if services_children else 0)
    mine = psutil.Process().cpu_times()
    return {
        "busy": t.user + t.nice + t.system + t.irq + t.softirq + t.steal,
        "gunicorn": gunicorn,
        "nginx": nginx_cpu,
        "services": services,
        "workers": workers,
        "children": mine.children_user + mine.children_system,
        "at": time.monotonic(),
    }


def cpu_share(before, after):
    """CPUs busy on average between two samples, by who ("children": our reaped children)."""
    wall = after["at"] - before["at"]
    used = {k: (after[k] - before[k]) / wall for k in ("busy", "gunicorn", "children")}
    # Per process: one that exited meanwhile (another client's PostgreSQL backend, a
    # restarted PostgreSQL) leaves its time in "other" rather than making this negative.
    services = after["services"]
    used["services"] = sum(t - before["services"].get(pid, 0) for pid, t in services.items()) / wall
    used["wall"] = wall
    # Workers alive at the end (max_requests recycles some mid-run), busiest first.
    used["workers"] = sorted(
        ((t - before["workers"].get(pid, 0)) / wall for pid, t in after["workers"].items()),
        reverse=True,
    )
    used["other"] = max(0.0, used["busy"] - used["gunicorn"] - used["services"] - used["children"])
    return used

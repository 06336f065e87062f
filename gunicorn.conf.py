"""gunicorn settings for `make run`, `make bench` and production."""

import multiprocessing
import os
from pathlib import Path

import environ

env = environ.Env()
# The optional `.env` that careerguide/settings.py reads, read the same way (the
# real environment wins), so gunicorn and Django agree on TRUSTED_PROXIES.
environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# gthread workers keep connections alive; sync workers ignore keep-alive.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = 5
# How many connections one worker may hold. Without a cap a single worker
# accepts every keep-alive connection and, bound by the GIL, renders on one
# core while the others idle (seen in `make bench`). 4 per thread still lets
# 5 workers hold 80 connections at once.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", threads * 4))
# Recycle workers now and then so slow leaks never build up; jitter keeps them
# from all restarting at once. Rare enough to cost nothing under load (`make
# bench` measured a recycle about every second at 2,000, ~0.5 s CPU each), and
# cheap thanks to preload_app: a new worker is a fork of the loaded master.
max_requests = 20000
max_requests_jitter = 2000
preload_app = True
# gunicorn 27's control socket lives at one path per user: several gunicorns on
# a machine (tests, bench, load test) would take it over from each other.
control_socket_disable = True
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# %(U)s is the path without its query string, and there is no referer: the plan
# page's answers travel in the query string and must never reach a log.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
# Who may set X-Forwarded-Proto (gunicorn's wsgi.url_scheme): the same networks
# Django trusts, from the same variable. Empty means nobody, not gunicorn's
# default of 127.0.0.1 (which would trust anything on the machine, such as a
# local proxy nobody configured). gunicorn 27 wants one comma-separated string
# (a list is refused), takes addresses and CIDRs, IPv4 and IPv6, and refuses to
# start on a malformed one; "" is an empty list.
forwarded_allow_ips = ",".join(
    value.strip() for value in env.list("TRUSTED_PROXIES", default=[]) if value.strip()
)
# Only the header the proxy sets (docs/DEPLOY.md overwrites it on every
# request), as Django's SECURE_PROXY_SSL_HEADER reads. gunicorn's default also
# believes X-Forwarded-Ssl and X-Forwarded-Protocol, which a proxy passes on
# from the client untouched unless told otherwise.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

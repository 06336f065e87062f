"""gunicorn settings for `make run`, `make bench` and production."""

import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# gthread workers keep connections alive; sync workers ignore keep-alive.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = 5
# Recycle workers now and then so slow leaks never build up; jitter keeps them
# from all restarting at once.
max_requests = 2000
max_requests_jitter = 200
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# %(U)s is the path without its query string, and there is no referer: the plan
# page's answers travel in the query string and must never reach a log.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

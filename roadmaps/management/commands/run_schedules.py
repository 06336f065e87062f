"""Run scheduled publishing and expiry: `manage.py run_schedules [--once]`.

Why our own command and not a task queue: the `Schedule` row is the source of
truth (an editor cancels or moves a schedule by changing rows; Django's task
API has no cancel, so a queued task would still have to check the row before
acting), it needs nothing beyond the database the site already uses, and
exactly-once is enforced in the database by claiming each row
(`roadmaps.workflow.scheduling`), not by trusting a broker's delivery.

By default it runs a pass every SCHEDULE_POLL_SECONDS (15) until SIGTERM or
SIGINT, finishing the pass it is in; a change goes live within a minute of its
time, and one that fell due while no runner was up goes live on the first pass.
Run exactly one in production (docs/DEPLOY.md); a second one would be safe,
only useless.
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from roadmaps.workflow import scheduling

log = logging.getLogger("roadmaps.workflow.scheduling")


class Command(BaseCommand):
    help = "Publish and unpublish what is scheduled, every SCHEDULE_POLL_SECONDS (or --once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run one pass, print what it did, and exit."
        )

    def handle(self, *args, once=False, **options):
        if once:
            self.run_pass(verbose=True)
            return
        self.stopping = False
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        poll = float(getattr(settings, "SCHEDULE_POLL_SECONDS", 15))
        log.info("schedule runner started, a pass every %s s", poll)
        try:
            while not self.stopping:
                # A connection broken since the last pass (a database restart)
                # is replaced instead of failing every pass from then on.
                close_old_connections()
                self.run_pass(verbose=False)
                self.sleep(poll)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("schedule runner stopped")

    def stop(self, signum, frame):
        # Only a flag: the pass in progress finishes its transaction first.
        self.stopping = True

    def sleep(self, seconds):
        """Sleep in short steps, so a stop signal is honoured within a second."""
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 1.0))

    def run_pass(self, verbose):
        try:
            results = scheduling.run_due()
        except Exception:
            # Database unreachable: nothing was claimed; the next pass retries.
            log.exception("schedule pass failed")
            if verbose:
                raise
            return
        if verbose:
            for _schedule, outcome in results:
                self.stdout.write(outcome)
            if not results:
                self.stdout.write("Nothing due.")

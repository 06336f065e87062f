"""Commits as production has them, inside `db` tests.

A `db` test runs in one transaction that is rolled back at the end, so
`transaction.on_commit` callbacks (the content stamp's bump) would never run.
In production every ORM write outside an explicit `atomic()` commits at once,
and every view's transaction commits before its response is sent. `settle()`
replays that: it runs the callbacks that are waiting only on the test's own
transaction. It leaves alone any callback of a transaction the code under test
still has open, so a test can still render during an open edit.

Queries run here are taken out of the connection's query log: they belong to
the edit that committed, not to the page a test is counting queries for.
"""

from django.db import connections


def _only_test_transactions(conn):
    return conn.in_atomic_block and all(
        getattr(block, "_from_testcase", False) for block in conn.atomic_blocks
    )


def settle():
    """Run the after-commit callbacks that wait only on the test's transaction."""
    for conn in connections.all(initialized_only=True):
        if not (_only_test_transactions(conn) or not conn.in_atomic_block):
            continue
        logged = len(conn.queries_log)
        pending, conn.run_on_commit = conn.run_on_commit, []
        for _, func, _ in pending:
            func()
        while len(conn.queries_log) > logged:
            conn.queries_log.pop()


def clear_pages():
    """Empty the cache but keep a live content stamp, as production has it but
    once a minute: the next request renders, and counts only its own queries."""
    from django.core.cache import cache

    from roadmaps import stamp

    cache.clear()
    stamp.rederive()

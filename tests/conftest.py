"""Shared fixtures. Tests build small data with `tests.factories`; only the
loader tests use the whole starter content."""

import os

# The settings refuse to start without a key; tests get a throwaway one.
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

import pytest


@pytest.fixture
def guide(db):
    from tests import factories

    return factories.guide()


@pytest.fixture
def full_guide(db):
    """A published guide with one row in every section."""
    from tests import factories

    return factories.full_guide()

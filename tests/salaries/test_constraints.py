"""The database itself rejects impossible or duplicate salary figures."""

import pytest
from django.db import IntegrityError, transaction

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "bad",
    [
        {"amount": 0},
        {"amount": 50000, "p25": 60000},
        {"amount": 50000, "p75": 40000},
        {"amount": 50000, "p25": 0},
        {"currency": "eur"},
        {"currency": "EURO"[:2]},
        {"data_year": 1800},
    ],
)
def test_bad_figure_is_rejected_by_the_database(guide, bad):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.figure(guide, **bad)


def test_good_figure_with_percentiles_is_accepted(guide):
    f = factories.figure(guide, amount=50000, p25=40000, p75=60000)
    assert f.pk


def test_duplicate_figure_is_rejected(guide):
    first = factories.figure(guide)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.figure(guide, country=first.country, grade=first.grade, source=first.source)
    # A different segment of the same source is a different figure.
    second = factories.figure(
        guide, country=first.country, grade=first.grade, source=first.source, segment="Startups"
    )
    assert second.pk

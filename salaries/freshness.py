"""When a salary figure is stale: its data year ended longer ago than the
configured age (STALE_FIGURE_MONTHS, 18 by default)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings


def first_fresh_year(today=None, months=None):
    """Figures with a data year before this one are stale.

    A data year Y ends in December of Y; it is stale once more than `months`
    months have passed since then, i.e. when December of Y lies before the
    month `months` months ago. So the first fresh year is that month's year.
    """
    today = today or datetime.date.today()
    months = settings.STALE_FIGURE_MONTHS if months is None else months
    return (today - relativedelta(months=months)).year


def is_stale(figure, today=None):
    return figure.data_year < first_fresh_year(today)

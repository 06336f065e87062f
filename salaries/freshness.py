"""When a salary figure is stale: its data year ended longer ago than the
configured age (STALE_FIGURE_MONTHS, 18 by default). Editors see stale figures
in "Needs attention" and the figure list; readers see a flag beside each stale
figure wherever one is shown ("2020 data: older than 18 months")."""

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


def age_label(months=None):
    """The configured age in words: '18 months', '2 years', '1 year'."""
    months = settings.STALE_FIGURE_MONTHS if months is None else months
    if months and months % 12 == 0:
        years = months // 12
        return f"{years} year{'' if years == 1 else 's'}"
    return f"{months} month{'' if months == 1 else 's'}"


def stale_note(figure, today=None):
    """What readers see beside a stale figure ('2020 data: older than 18
    months'), or '' for a fresh one."""
    if not is_stale(figure, today):
        return ""
    return f"{figure.data_year} data: older than {age_label()}"

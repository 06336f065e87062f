"""The public salary download (`/careers/<slug>/salaries.csv`): every published
figure of a guide, one row each, with its source and the source's reuse terms.

UTF-8 with a byte order mark, so spreadsheets read €, ł and ñ correctly; every
cell passes through `spreadsheet.safe_cell`. Amounts stay numbers, exactly as
published, in their own currency and period: nothing is converted.
"""

import csv
import io

from .spreadsheet import safe_cell
from .templatetags.money import in_sentence

# (column, value of a figure) in file order; the guide is the first column.
COLUMNS = (
    ("country", lambda f: f.country.name),
    ("grade", lambda f: f.grade.name),
    ("segment", lambda f: f.segment),
    ("proxy role", lambda f: "yes" if f.is_proxy_role else "no"),
    ("statistic", lambda f: in_sentence(f.get_statistic_display())),
    ("pay basis", lambda f: in_sentence(f.get_pay_basis_display())),
    ("amount", lambda f: f.amount),
    ("p25", lambda f: f.p25),
    ("p75", lambda f: f.p75),
    ("currency", lambda f: f.currency),
    ("period", lambda f: f.period),
    ("data year", lambda f: f.data_year),
    ("source name", lambda f: f.source.name),
    ("source URL", lambda f: f.url),
    ("source terms", lambda f: f.source.terms),
    ("note", lambda f: f.note),
)
HEADER = ["guide", *(name for name, _ in COLUMNS)]
BOM = "\ufeff"


def filename(guide):
    return f"{guide.slug}-salaries.csv"


def rows(guide, figures):
    """The header, then one row of cells per figure."""
    yield HEADER
    for f in figures:
        yield [safe_cell(cell) for cell in [guide.name, *(value(f) for _, value in COLUMNS)]]


def to_csv(guide, figures):
    """The whole file, as bytes."""
    out = io.StringIO()
    out.write(BOM)
    csv.writer(out).writerows(rows(guide, figures))
    return out.getvalue().encode("utf-8")

"""Cells a spreadsheet would run as formulas ("CSV injection"), neutralised in
one place: the public salary download and the admin's CSV/XLSX export both pass
every cell through `safe_cell`; imports undo that (`unescape_cell`) and refuse
text that would still run as a formula (`formula_start`).

A spreadsheet runs a cell as a formula when its text starts with `=`, `+`, `-`
or `@` (and some treat a leading tab or carriage return the same way), so a note
like `=HYPERLINK("http://evil.example", "Source")` would become a live link.
The OWASP remedy is a leading `'`, which makes the cell plain text. Numbers are
never formulas: they stay numbers, negative ones too, so sums still work.
"""

import numbers
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Imports allow a leading "-": editors write notes and segments as dash lists and
# ranges ("- Amsterdam only"), and every export neutralises it anyway.
REFUSED_ON_IMPORT = ("=", "+", "@", "\t", "\r")
# A number written as text (the admin's CSV export renders numbers as strings):
# "-5" or "-1.5" is read as a number by every spreadsheet, never as a formula.
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def safe_cell(value):
    """`value` as a spreadsheet cell that can never run as a formula."""
    if value is None or isinstance(value, (bool, numbers.Number)):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_cell(value):
    """A cell as `safe_cell` found it: an import of our own export gets back the
    text it had, so a note starting with "-" does not gain a "'" per round trip."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def formula_start(text):
    """The character that would make an imported `text` run as a formula, or ''."""
    if isinstance(text, str) and text.startswith(REFUSED_ON_IMPORT):
        return text[0]
    return ""


def describe(char):
    """How a message names a refused first character."""
    return {"\t": "a tab", "\r": "a line break"}.get(char, f"“{char}”")

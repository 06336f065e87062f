"""Formula cells: one helper (`salaries.spreadsheet.safe_cell`) neutralises them in the
public download and in the admin's CSV and XLSX export; imports undo our own
escaping and refuse text that a spreadsheet would run."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from salaries.models import SalaryFigure
from salaries.resources import NumberedCSV, SalaryFigureResource
from salaries.spreadsheet import formula_start, safe_cell, unescape_cell
from tests import factories


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_gets_a_quote(start):
    text = f'{start}HYPERLINK("https://evil.example")'
    assert safe_cell(text) == "'" + text
    assert unescape_cell(safe_cell(text)) == text


@pytest.mark.parametrize(
    "value", [0, 53000, -5, -1.5, 2.25, Decimal("-3.10"), True, None, "-5", "-1.5", "42"]
)
def test_numbers_stay_numbers_negative_ones_too(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


@pytest.mark.parametrize(
    "text", ["", "Engineering managers", "Net of VAT", "'quoted", "a=b", " =not first", "€53,000"]
)
def test_other_text_is_untouched(text):
    assert safe_cell(text) == text
    assert unescape_cell(text) == text


def test_other_values_become_text():
    assert safe_cell(datetime.date(2026, 1, 2)) == "2026-01-02"


def test_imports_refuse_all_but_a_leading_dash():
    assert [formula_start(t) for t in ["=1", "+1", "@A", "\tx", "\rx"]] == list("=+@\t\r")
    assert formula_start("- Amsterdam only") == ""
    assert formula_start("Plain") == formula_start(None) == ""


# The admin's export, CSV and XLSX


def risky_figure(guide):
    return factories.figure(
        guide,
        segment="=1+1",
        note="@SUM(A1:A9)",
        amount=53000,
        p25=45000,
        source=factories.source(name="+Source", short_name="+S"),
    )


@pytest.mark.django_db
def test_the_admin_csv_export_neutralises_every_text_cell(guide):
    risky_figure(guide)
    dataset = SalaryFigureResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert (row["segment"], row["note"], row["source"]) == ("'=1+1", "'@SUM(A1:A9)", "'+Source")
    text = NumberedCSV().export_data(dataset)
    assert "'=1+1" in text and ",53000," in text  # the amount stays a plain number


@pytest.mark.django_db
def test_the_admin_xlsx_export_has_strings_not_formulas_and_numbers_as_numbers(
    editor_client, guide
):
    risky_figure(guide)
    formats = editor_client.get(reverse("admin:salaries_salaryfigure_export")).context["form"]
    xlsx = next(
        value for value, label in formats.fields["format"].choices if str(label).lower() == "xlsx"
    )
    response = editor_client.post(
        reverse("admin:salaries_salaryfigure_export"),
        {
            "format": xlsx,
            "resource": "0",
            **{f"salaryfigureresource_{name}": "on" for name in SalaryFigureResource.Meta.fields},
        },
    )
    assert response.status_code == 200, response.content[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert (cells["segment"].value, cells["segment"].data_type) == ("'=1+1", "s")
    assert (cells["note"].value, cells["note"].data_type) == ("'@SUM(A1:A9)", "s")
    assert (cells["source"].value, cells["source"].data_type) == ("'+Source", "s")
    assert (cells["amount"].value, cells["amount"].data_type) == (53000, "n")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    # The library's own XLSX export would have made "=1+1" a formula.
    plain = tablib.Dataset(["=1+1"], headers=["segment"])
    book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(plain)))
    assert book.active["A2"].data_type == "f"


# Imports


def import_rows(**changes):
    headers = SalaryFigureResource().export().headers
    row = dict(zip(headers, SalaryFigureResource().export()[0], strict=True))
    row.update(changes)
    upload = tablib.Dataset(headers=headers)
    upload.append([row[h] for h in headers])
    return SalaryFigureResource().import_data(upload, dry_run=True, raise_errors=False)


def errors(result):
    return {
        field: messages for row in result.invalid_rows for field, messages in row.error_dict.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "said"), [("=", "“=”"), ("+", "“+”"), ("@", "“@”"),
                                             ("\t", "a tab"), ("\r", "a line break")])  # fmt: skip
def test_an_import_refuses_formula_text_in_plain_words(full_guide, start, said):
    result = import_rows(note=f"{start}cmd|' /C calc'!A0", segment="Startups")
    assert errors(result) == {
        "note": [
            f"Row 2: the note starts with {said}, which a spreadsheet would run as a formula. "
            "Start it with a word or a number."
        ]
    }


@pytest.mark.django_db
def test_an_import_allows_a_leading_dash_and_reads_back_our_own_escaping(full_guide):
    result = import_rows(note="- Amsterdam only", segment="Startups")
    assert not result.has_validation_errors() and not result.has_errors()
    SalaryFigure.objects.filter(guide=full_guide).update(note="- Amsterdam only")
    exported = SalaryFigureResource().export()
    assert dict(zip(exported.headers, exported[0], strict=True))["note"] == "'- Amsterdam only"
    # Re-importing our own file changes nothing: the quote comes off again.
    result = SalaryFigureResource().import_data(exported, dry_run=False)
    assert result.totals["skip"] == 1
    assert SalaryFigure.objects.get(guide=full_guide).note == "- Amsterdam only"

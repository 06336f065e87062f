"""The salary import speaks plainly (issue 13): rows numbered as the spreadsheet
numbers them, unknown names quoted with the closest existing ones, sources by
full name or short label, and a preview that counts what the file would do."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from roadmaps.models import Country
from salaries.models import SalaryFigure, Source
from salaries.resources import SalaryFigureResource
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db

LABEL_TAKEN = "Another source already uses this short label."


def exported_row():
    dataset = SalaryFigureResource().export()
    return dataset.headers, dict(zip(dataset.headers, dataset[0], strict=True))


def dataset_of(headers, *rows):
    upload = tablib.Dataset(headers=headers)
    for row in rows:
        upload.append([row[h] for h in headers])
    return upload


def import_rows(*changes):
    """Import the exported first row once per `changes` dict, changed by it."""
    headers, row = exported_row()
    upload = dataset_of(headers, *({**row, **change} for change in changes))
    return SalaryFigureResource().import_data(upload, dry_run=True, raise_errors=False)


def messages(result):
    """Every error message of every invalid row, in row order."""
    return [m for row in result.invalid_rows for ms in row.error_dict.values() for m in ms]


def test_messages_number_rows_as_the_spreadsheet_does(full_guide):
    # Header = row 1, the unchanged row = row 2, the bad one = row 3.
    result = import_rows({}, {"segment": "Broken", "amount": 50000, "p25": 90000})
    assert len(result.invalid_rows) == 1
    [message] = messages(result)
    assert message.startswith("Row 3: ")
    assert "figure_p25" not in message
    assert [row.spreadsheet_row for row in result.rows] == [2, 3]


def test_a_blank_line_in_a_csv_counts_as_a_row(full_guide):
    """A spreadsheet shows a blank line as an empty row; tablib drops it, so
    without `NumberedCSV` the bad row below it was named one row too high."""
    from salaries.resources import NumberedCSV

    headers, row = exported_row()
    text = dataset_of(headers, row, {**row, "segment": "Broken", "p25": 90000}).csv
    header, good, bad = text.strip("\r\n").splitlines()
    dataset = NumberedCSV().create_dataset(f"{header}\n{good}\n\n{bad}\n".encode())
    result = SalaryFigureResource().import_data(dataset, dry_run=True, raise_errors=False)
    [message] = messages(result)
    assert message.startswith("Row 4: ")
    assert [r.spreadsheet_row for r in result.rows] == [2, 4]


def test_an_unknown_source_is_named_with_the_closest_ones(full_guide):
    factories.source(name="Stack Overflow Developer Survey 2025", short_name="Stack Overflow 2025")
    factories.source(name="StackOverflow Survey")
    factories.source(name="IT Jobs Watch")
    result = import_rows({}, {"source": "Stack Overflow 2024"})
    assert messages(result) == [
        "Row 3: no source called 'Stack Overflow 2024'. "
        "Did you mean: Stack Overflow 2025, StackOverflow Survey?"
    ]
    assert not result.has_errors()  # a rejected row, not a crash of the import


def test_an_unknown_name_with_nothing_close_says_so_without_suggestions(full_guide):
    result = import_rows({"source": "Zzyzx"})
    assert messages(result) == ["Row 2: no source called 'Zzyzx'."]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("guide", "test-developr", "no guide with the slug 'test-developr'. Did you mean: {slug}?"),
        ("country", "Germny", "no country with the code 'Germny'. Did you mean: DE?"),
        ("country", "XX", "no country with the code 'XX'."),
        ("grade", "Junor", "no grade called 'Junor'. Did you mean: Junior?"),
        ("grade", "", "the grade cell is empty."),
    ],
)
def test_an_unknown_guide_country_or_grade_is_named_plainly(full_guide, column, value, expected):
    Country.objects.filter(code="DE").update(name="Germany")
    result = import_rows({column: value})
    slug = full_guide.slug
    assert messages(result) == ["Row 2: " + expected.format(slug=slug)]


def test_several_unknown_names_in_one_row_are_all_reported(full_guide):
    result = import_rows({"country": "XX", "source": "Nowhere"})
    assert sorted(messages(result)) == [
        "Row 2: no country with the code 'XX'.",
        "Row 2: no source called 'Nowhere'.",
    ]


def test_the_source_column_accepts_a_short_label(full_guide):
    figure = SalaryFigure.objects.get()
    Source.objects.filter(pk=figure.source_id).update(short_name="Survey 25")
    headers, row = exported_row()
    row.update(source="Survey 25", amount=54321)
    result = SalaryFigureResource().import_data(dataset_of(headers, row), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1 and result.totals["new"] == 0
    figure.refresh_from_db()
    assert figure.amount == 54321 and SalaryFigure.objects.count() == 1


def test_a_full_name_wins_over_another_sources_short_label(full_guide):
    figure = SalaryFigure.objects.get()
    other = factories.source(name="Other source", short_name=figure.source.name)
    headers, row = exported_row()
    result = SalaryFigureResource().import_data(dataset_of(headers, row), dry_run=True)
    assert result.totals["skip"] == 1
    assert other.figures.count() == 0


def test_a_taken_short_label_is_refused_in_plain_words_by_the_form():
    factories.source(name="First", short_name="Survey")
    form_class = modelform_factory(Source, fields=["name", "short_name", "url"])
    form = form_class({"name": "Second", "short_name": "Survey", "url": "https://example.org/2"})
    assert not form.is_valid()
    # Beside the short label's box, not at the top of the form.
    assert form.errors == {"short_name": [LABEL_TAKEN]}
    assert "source_short_name_unique" not in str(form.errors)


def test_a_taken_short_label_is_refused_by_full_clean_and_the_database():
    factories.source(name="First", short_name="Survey")
    second = Source(name="Second", short_name="Survey", url="https://example.org/2")
    with pytest.raises(Exception) as refused:
        second.full_clean()
    assert LABEL_TAKEN in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_many_sources_may_have_no_short_label():
    factories.source(name="First", short_name="")
    factories.source(name="Second", short_name="")
    third = Source(name="Third", short_name="", url="https://example.org/3")
    third.full_clean()
    third.save()
    assert Source.objects.filter(short_name="").count() == 3


# The admin's preview


def post_upload(client, upload):
    return client.post(
        reverse("admin:salaries_salaryfigure_import"),
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("figures.csv", upload.csv.encode()),
        },
    )


def counts(text):
    return f'<p class="import-counts">{text}</p>'


def confirm_buttons(response):
    return [i for i in elements(response, "input") if dict(i.attributes).get("name") == "confirm"]


def test_the_preview_counts_rows_above_confirm(publisher_client, full_guide):
    headers, row = exported_row()
    changed = {**row, "amount": 61000}
    new = {**row, "segment": "Startups"}
    response = post_upload(publisher_client, dataset_of(headers, changed, new))
    assert response.status_code == 200
    assertContains(response, counts("1 new, 1 changed, 0 unchanged, 0 rejected"), html=True)
    assert len(confirm_buttons(response)) == 1
    body = response.content.decode()
    # Counts, then Confirm, then the wide table.
    assert body.index("import-counts") < body.index('name="confirm"') < body.index("import-preview")
    # Rows numbered as in the spreadsheet, each with its change in words.
    rows = elements(response, "tr", **{"class": "update"}) + elements(
        response, "tr", **{"class": "new"}
    )
    assert [r.children[0].children[0] for r in rows] == ["2", "3"]
    assertContains(response, '<td class="import-type">Changed</td>', html=True)


def test_a_rejected_row_shows_its_error_as_text_and_no_confirm(publisher_client, full_guide):
    factories.source(name="Stack Overflow Developer Survey 2025", short_name="Stack Overflow 2025")
    headers, row = exported_row()
    upload = dataset_of(
        headers, row, {**row, "segment": "Startups"}, {**row, "source": "Stack Overflow 2024"}
    )
    response = post_upload(publisher_client, upload)
    assert response.status_code == 200
    assertContains(response, counts("1 new, 0 changed, 1 unchanged, 1 rejected"), html=True)
    assert confirm_buttons(response) == []
    assertContains(response, "the import is all or nothing")
    assertContains(
        response,
        "<li><strong>source</strong>: Row 4: no source called 'Stack Overflow 2024'. "
        "Did you mean: Stack Overflow 2025?</li>",
        html=True,
    )
    [rejected] = elements(response, "tr", **{"class": "invalid"})
    assert rejected.children[0].children == ["4"]
    # Text on the page, not a tooltip that needs hovering.
    assertNotContains(response, "validation-error-container")
    assert not SalaryFigure.objects.filter(segment="Startups").exists()

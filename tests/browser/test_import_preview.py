"""The salary import preview in Chromium, as a publisher: a file with one bad row
shows the counts and the row's error as text (no hovering), offers no "Confirm
import", and loads with no console errors under the strict CSP."""

import pytest

SCREENSHOT = "/tmp/import-preview.png"


@pytest.fixture
def publisher_tab(staff_tab, site):
    page, errors = staff_tab("pia", "Publishers")
    return page, errors, site


def starter_file_with_a_bad_source(tmp_path):
    """The starter figures as exported, plus one new row naming a source the site
    lacks: every row but that one is unchanged."""
    from salaries.resources import SalaryFigureResource

    dataset = SalaryFigureResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row.update(segment="Browser test", source="Stack Overflow 2024")
    dataset.append([row[h] for h in dataset.headers])
    path = tmp_path / "figures.csv"
    path.write_text(dataset.csv)
    return path, len(dataset) - 1, len(dataset) + 1  # unchanged rows, the bad row's number


def test_the_preview_shows_counts_and_the_error_as_text(publisher_tab, tmp_path):
    page, errors, site = publisher_tab
    path, unchanged, bad_row = starter_file_with_a_bad_source(tmp_path)
    response = page.goto(site + "/admin/salaries/salaryfigure/import/", wait_until="load")
    assert response.status == 200
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    with page.expect_navigation(wait_until="load"):
        page.click("input[type=submit][value=Submit]")

    counts = page.locator("p.import-counts")
    assert counts.is_visible()
    assert counts.inner_text() == f"0 new, 0 changed, {unchanged} unchanged, 1 rejected"
    assert page.locator("p.import-refused").is_visible()
    assert page.locator("input[name=confirm]").count() == 0

    error = page.locator("tr.invalid td.errors li")
    assert error.count() == 1
    # Visible as it is, with the pointer nowhere near it.
    page.mouse.move(0, 0)
    assert error.is_visible()
    text = error.inner_text()
    assert text.startswith(f"source: Row {bad_row}: no source called 'Stack Overflow 2024'.")
    assert "Did you mean: Stack Overflow 2025" in text
    assert page.locator("tr.invalid th").inner_text() == str(bad_row)

    page.screenshot(path=SCREENSHOT, full_page=True, animations="disabled")
    page.wait_for_timeout(150)
    assert errors == []

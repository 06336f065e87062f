"""Salary figures in bulk (django-import-export): round trips change nothing, rows
match on natural keys, a bad row saves nothing, and the admin previews first."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from salaries.models import SalaryFigure
from salaries.resources import SalaryFigureResource
from tests import factories
from tests.conftest import login_verified
from tests.factories import elements

pytestmark = pytest.mark.django_db


def export_dataset():
    return SalaryFigureResource().export()


def test_export_then_import_the_same_file_skips_every_row(full_guide):
    factories.figure(full_guide, country=factories.country(code="GB"), currency="GBP",
                     amount=35000, p25=30000, p75=43438)  # fmt: skip
    before = list(SalaryFigure.objects.values_list("pk", "amount", "updated_at"))
    dataset = tablib.Dataset().load(export_dataset().csv, format="csv")
    result = SalaryFigureResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == len(before) == 2
    assert result.totals["new"] == result.totals["update"] == 0
    assert list(SalaryFigure.objects.values_list("pk", "amount", "updated_at")) == before


def test_rows_match_on_natural_keys_not_ids(full_guide):
    dataset = export_dataset()
    assert "id" not in dataset.headers
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["guide"] == full_guide.slug and row["country"] == "DE"
    row["amount"] = 54000
    new = tablib.Dataset(headers=dataset.headers)
    new.append([row[h] for h in dataset.headers])
    result = SalaryFigureResource().import_data(new, dry_run=False)
    assert result.totals["update"] == 1
    assert SalaryFigure.objects.get().amount == 54000


def test_a_file_with_one_bad_row_saves_nothing_and_reports_the_row(full_guide):
    dataset = export_dataset()
    good = dict(zip(dataset.headers, dataset[0], strict=True))
    new_row = {**good, "segment": "Startups", "amount": 61000}
    bad_row = {**good, "segment": "Broken", "amount": 50000, "p25": 90000}  # p25 > median
    upload = tablib.Dataset(headers=dataset.headers)
    for row in (new_row, bad_row):
        upload.append([row[h] for h in dataset.headers])
    result = SalaryFigureResource().import_data(upload, dry_run=False, raise_errors=False)
    assert result.has_validation_errors() or result.has_errors()
    invalid = result.invalid_rows
    assert [r.number for r in invalid] == [2]
    assert "p25" in str(invalid[0].error_dict) or "25th" in str(invalid[0].error_dict)
    assert SalaryFigure.objects.count() == 1
    assert not SalaryFigure.objects.filter(segment="Startups").exists()


def test_admin_import_previews_then_saves_and_the_page_shows_it(publisher_client, client,
                                                                 full_guide):  # fmt: skip
    dataset = export_dataset()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row.update(segment="Startups", amount=61000)
    upload = tablib.Dataset(headers=dataset.headers)
    upload.append([row[h] for h in dataset.headers])
    url = reverse("admin:salaries_salaryfigure_import")
    assert publisher_client.get(url).status_code == 200
    response = publisher_client.post(
        url,
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("figures.csv", upload.csv.encode()),
        },
    )
    assert response.status_code == 200
    # The preview: one new row, the one uploaded.
    result = response.context["result"]
    assert result.totals["new"] == 1
    assert [r.import_type for r in result.valid_rows()] == ["new"]
    assertContains(response, "Startups")
    assert not SalaryFigure.objects.filter(segment="Startups").exists()  # dry run only
    confirm = response.context["confirm_form"]
    data = {k: v for k, v in confirm.initial.items()}
    done = publisher_client.post(reverse("admin:salaries_salaryfigure_process_import"), data)
    assert done.status_code == 302
    assert SalaryFigure.objects.filter(segment="Startups", amount=61000).exists()
    assertContains(
        client.get(full_guide.get_absolute_url()), '<span class="amount">€61,000</span>', html=True
    )


def test_admin_export_offers_csv_and_xlsx(editor_client, full_guide):
    response = editor_client.get(reverse("admin:salaries_salaryfigure_export"))
    assert response.status_code == 200
    formats = [str(label).lower() for _, label in response.context["form"].fields["format"].choices]
    assert "csv" in formats and "xlsx" in formats


def test_figure_list_offers_import_export_and_recovery(editor_client, full_guide):
    response = editor_client.get(reverse("admin:salaries_salaryfigure_changelist"))
    # Paths: the export link carries the list's filters as its query string.
    links = {dict(a.attributes).get("href", "").split("?")[0] for a in elements(response, "a")}
    for name in ["import", "export", "recoverlist"]:
        assert reverse(f"admin:salaries_salaryfigure_{name}") in links, name


def test_view_only_staff_can_export_but_not_import(client, db):
    """Bug: django-import-export's default let any staff member import."""
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("vic", password="a long viewer password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_salaryfigure"))
    login_verified(client, viewer)
    assert client.get(reverse("admin:salaries_salaryfigure_import")).status_code == 403
    assert client.get(reverse("admin:salaries_salaryfigure_export")).status_code == 200
    listing = client.get(reverse("admin:salaries_salaryfigure_changelist"))
    assert not elements(listing, "a", href=reverse("admin:salaries_salaryfigure_import"))

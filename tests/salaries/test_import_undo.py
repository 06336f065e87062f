"""Undoing an import of salary figures: every changed row back as it was, every
created row gone, in one step; refused, naming the rows, when one was edited
since; and only by a publisher when the figures are live."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.models import Version

from salaries.models import ImportLog, SalaryFigure
from salaries.resources import SalaryFigureResource
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_figures(full_guide):
    """Two live figures of `full_guide` (DE Junior from the guide, GB Junior)."""
    factories.figure(full_guide, country=factories.country(code="GB"), currency="GBP",
                     amount=35000)  # fmt: skip
    return list(SalaryFigure.objects.order_by("pk"))


def upload_changing_two_and_adding_one():
    """A file that changes both figures' amounts and adds a "Startups" figure."""
    exported = SalaryFigureResource().export()
    rows = [dict(zip(exported.headers, row, strict=True)) for row in exported]
    assert len(rows) == 2
    changed = [{**row, "amount": int(row["amount"]) + 1000} for row in rows]
    new = {**rows[0], "segment": "Startups", "amount": 61000}
    upload = tablib.Dataset(headers=exported.headers)
    for row in [*changed, new]:
        upload.append([row[h] for h in exported.headers])
    return upload


def import_through_admin(client, upload, name="figures.csv"):
    """Preview, then confirm, as an editor does in the admin."""
    preview = client.post(
        reverse("admin:salaries_salaryfigure_import"),
        {"format": "0", "resource": "0",
         "import_file": SimpleUploadedFile(name, upload.csv.encode())},
    )  # fmt: skip
    assert preview.status_code == 200, preview.content[:500]
    data = dict(preview.context["confirm_form"].initial)
    return client.post(reverse("admin:salaries_salaryfigure_process_import"), data, follow=True)


def test_confirmed_import_is_logged_with_history_and_says_so(publisher_client, publisher,
                                                             two_figures):  # fmt: skip
    before = {f.pk: f.amount for f in two_figures}
    done = import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    assert str(log) == "Import of figures.csv by pia: 1 new, 2 changed"
    assertContains(done, "Import of figures.csv by pia: 1 new, 2 changed")
    created = SalaryFigure.objects.get(segment="Startups")
    assert log.created_ids == [created.pk] and log.user == publisher
    # Each changed row has a "before import" version holding its old amount,
    # then the version the import left; the created row has the latter only.
    for pk, amount in before.items():
        history = list(Version.objects.get_for_model(SalaryFigure).filter(object_id=str(pk)))
        assert [v.revision.comment for v in history] == [
            "Import of figures.csv", "Before import of figures.csv"]  # fmt: skip
        assert history[1].field_dict["amount"] == amount
        assert history[0].field_dict["amount"] == amount + 1000
        assert history[0].revision.user == publisher
    assert Version.objects.get_for_object(created).get().revision.comment == (
        "Import of figures.csv"
    )
    assert {v.object_id for v in log.before_versions.all()} == {str(pk) for pk in before}
    # The figure's own history page lists it: imported rows have a history.
    history_page = publisher_client.get(
        reverse("admin:salaries_salaryfigure_history", args=[created.pk])
    )
    assertContains(history_page, "Import of figures.csv")


def test_a_preview_alone_logs_nothing_and_keeps_no_history(publisher_client, two_figures):
    publisher_client.post(
        reverse("admin:salaries_salaryfigure_import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(
            "figures.csv", upload_changing_two_and_adding_one().csv.encode())},
    )  # fmt: skip
    assert not ImportLog.objects.exists()
    assert not Version.objects.exists()


def test_undo_restores_the_two_changed_rows_and_deletes_the_created_one(publisher_client,
                                                                        two_figures):  # fmt: skip
    before = {f.pk: (f.amount, f.updated_at) for f in two_figures}
    import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    created_pk = log.created_ids[0]
    url = reverse("admin:salaries_importlog_undo", args=[log.pk])

    # The list offers it; the page says what will happen, then a POST button.
    listing = publisher_client.get(reverse("admin:salaries_importlog_changelist"))
    assert url in {dict(a.attributes).get("href") for a in elements(listing, "a")}
    page = publisher_client.get(url)
    assert page.status_code == 200
    assert len(page.context["restore"]) == 2 and len(page.context["delete"]) == 1
    [form] = elements(page, "form", id="undo-import")
    assert dict(form.attributes)["method"] == "post"
    assertContains(page, '<input type="submit" value="Undo this import">', html=True)
    assert SalaryFigure.objects.count() == 3  # a GET changes nothing

    done = publisher_client.post(url, follow=True)
    assert done.status_code == 200
    assertContains(done, "Undone: Import of figures.csv by pia: 1 new, 2 changed.")
    assert not SalaryFigure.objects.filter(pk=created_pk).exists()
    assert {f.pk: f.amount for f in SalaryFigure.objects.all()} == {
        pk: amount for pk, (amount, _) in before.items()
    }
    log.refresh_from_db()
    assert log.undone_at is not None and log.undone_by.username == "pia"
    # The undo is in each row's history, and the deleted row can be recovered.
    for pk in before:
        assert Version.objects.get_for_model(SalaryFigure).filter(object_id=str(pk)).first(
        ).revision.comment == "Undid the import of figures.csv"  # fmt: skip
    assert [v.object_id for v in Version.objects.get_deleted(SalaryFigure)] == [str(created_pk)]
    # Once undone, never twice.
    again = publisher_client.post(url)
    assertContains(again, "This import was undone already.")
    assert SalaryFigure.objects.count() == 2


def test_undo_is_refused_naming_the_row_edited_since(publisher_client, two_figures):
    import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    edited = SalaryFigure.objects.get(pk=two_figures[1].pk)
    edited.amount = 99000
    factories.save_revision(edited, comment="Fixed by hand")
    imported = {f.pk: f.amount for f in SalaryFigure.objects.all()}

    url = reverse("admin:salaries_importlog_undo", args=[log.pk])
    for response in (publisher_client.get(url), publisher_client.post(url)):
        assert response.status_code == 200
        assert response.context["rows"] == [(str(edited), "edited since the import")]
        assertContains(response, f"<li>{edited}: edited since the import</li>", html=True)
        assert not elements(response, "form", id="undo-import")
    # Nothing was written.
    assert {f.pk: f.amount for f in SalaryFigure.objects.all()} == imported
    log.refresh_from_db()
    assert log.undone_at is None


def test_saving_a_row_unchanged_since_the_import_does_not_stop_the_undo(publisher_client,
                                                                        two_figures):  # fmt: skip
    import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    factories.save_revision(SalaryFigure.objects.get(pk=two_figures[0].pk))  # moves updated_at
    assert publisher_client.post(reverse("admin:salaries_importlog_undo", args=[log.pk])
                                 ).status_code == 302  # fmt: skip
    assert SalaryFigure.objects.count() == 2


def test_an_editor_cannot_undo_an_import_of_live_figures(editor_client, publisher_client,
                                                         two_figures):  # fmt: skip
    import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    url = reverse("admin:salaries_importlog_undo", args=[log.pk])
    # Editors see the imports and the page, told why they cannot undo it...
    assert editor_client.get(reverse("admin:salaries_importlog_changelist")).status_code == 200
    page = editor_client.get(url)
    assertContains(page, "only a publisher can undo it")
    assert not elements(page, "form", id="undo-import")
    # ...and a forged POST is refused, with nothing written.
    refused = editor_client.post(url)
    assert refused.status_code == 403
    assert SalaryFigure.objects.count() == 3
    log.refresh_from_db()
    assert log.undone_at is None


def test_undo_view_answers_bad_requests_plainly(publisher_client, two_figures):
    import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    assert (
        publisher_client.get(
            reverse("admin:salaries_importlog_undo", args=[log.pk + 100])
        ).status_code
        == 404
    )
    assert publisher_client.get("/admin/salaries/importlog/not-a-number/undo/").status_code == 404
    assert (
        publisher_client.put(reverse("admin:salaries_importlog_undo", args=[log.pk])).status_code
        == 405
    )


def test_imports_are_listed_under_salaries_and_nobody_edits_or_deletes_one(publisher_client,
                                                                          two_figures):  # fmt: skip
    import_through_admin(publisher_client, upload_changing_two_and_adding_one())
    log = ImportLog.objects.get()
    app = publisher_client.get(reverse("admin:app_list", args=["salaries"]))
    [salaries] = app.context["app_list"]
    assert "Imports" in [model["name"] for model in salaries["models"]]
    listing = publisher_client.get(reverse("admin:salaries_importlog_changelist"))
    assertContains(listing, "figures.csv")
    assert (
        publisher_client.post(
            reverse("admin:salaries_importlog_delete", args=[log.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert ImportLog.objects.filter(pk=log.pk).exists()

"""Uploads waiting for "Confirm import" (issue 15, finding 2): the confirm form
names an upload of the user's in the cache (`roadmaps.importing`), never a file.

With the library's default storage a forged form made the server read any file
in the temp folder as import data, and delete it. A tampered, another user's,
expired or missing name now answers 400 with the upload form, and nothing is
read or deleted. Also here: rejected rows are numbered as the spreadsheet
numbers them, blank lines included."""

import os
import tempfile
import uuid

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from roadmaps import importing
from salaries.models import SalaryFigure
from salaries.resources import SalaryFigureResource
from tests.factories import elements

pytestmark = pytest.mark.django_db

IMPORT = "admin:salaries_salaryfigure_import"
CONFIRM = "admin:salaries_salaryfigure_process_import"


def figures_csv(segment):
    """The first exported figure, as a new row of its own (`segment`)."""
    dataset = SalaryFigureResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row.update(segment=segment, amount=61000)
    upload = tablib.Dataset(headers=dataset.headers)
    upload.append([row[h] for h in dataset.headers])
    return upload.csv


def upload(client, text, name="figures.csv"):
    """Post `text` to the import page; the preview's response."""
    return client.post(
        reverse(IMPORT),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(name, text.encode())},
    )


def confirmation(client, segment):
    """Upload one new row; the confirm form's data, as the page would post it."""
    response = upload(client, figures_csv(segment))
    assert response.status_code == 200
    # The preview's table has the rejected rows' head (one partial for both).
    assert table_head(response)[:2] == ["Row", "Change"]
    return dict(response.context["confirm_form"].initial)


def table_head(response):
    """The column heads of the page's table of rows."""
    [table] = elements(response, "table", **{"class": "import-preview"})
    return [str(th.children[0]) for th in elements(table, "th", scope="col")]


def assert_upload_again(response):
    """400, with the plain message above the upload form."""
    assert response.status_code == 400
    [note] = elements(response, "p", id="upload-error")
    assert "Upload the file again" in str(note)
    assert elements(response, "input", name="import_file")


@pytest.fixture
def victim_file():
    """A file in the system temp folder that the import must never touch;
    (its name, its content). Named per test run: runs may share the folder."""
    name = f"victim-other-{uuid.uuid4().hex[:8]}.txt"
    path = os.path.join(tempfile.gettempdir(), name)
    yield name, path
    if os.path.exists(path):
        os.remove(path)


@pytest.mark.parametrize("shape", ["plain", "traversal"])
def test_a_temp_file_named_by_the_form_is_neither_read_nor_deleted(
    publisher_client, full_guide, victim_file, shape
):
    name, path = victim_file
    # Valid salary figures, so that the old storage would import them.
    content = figures_csv("Victim").encode()
    with open(path, "wb") as file:
        file.write(content)
    if shape == "traversal":  # ../tmp/victim-upload.csv, as the probe sent it
        name = os.path.join("..", os.path.basename(tempfile.gettempdir()), name)
    data = {**confirmation(publisher_client, "Startups"), "import_file_name": name}
    assert_upload_again(publisher_client.post(reverse(CONFIRM), data))
    with open(path, "rb") as file:
        assert file.read() == content
    assert not SalaryFigure.objects.filter(segment__in=["Victim", "Startups"]).exists()


def test_another_users_upload_is_refused_and_stays_confirmable(
    publisher_client, editor_client, full_guide
):
    data = confirmation(publisher_client, "Startups")
    assert_upload_again(editor_client.post(reverse(CONFIRM), data))
    assert not SalaryFigure.objects.filter(segment="Startups").exists()
    # Nothing was read or removed: its uploader still confirms it.
    assert publisher_client.post(reverse(CONFIRM), data).status_code == 302
    assert SalaryFigure.objects.filter(segment="Startups", amount=61000).exists()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda data: data.pop("import_file_name"), id="missing"),
        pytest.param(lambda data: data.update(import_file_name=""), id="empty"),
        pytest.param(
            lambda data: data.update(import_file_name=data["import_file_name"][:-1] + "x"),
            id="not-hex",
        ),
        pytest.param(
            lambda data: data.update(import_file_name="../tmp/" + data["import_file_name"]),
            id="with-a-path",
        ),
        pytest.param(
            lambda data: data.update(import_file_name=data["import_file_name"][:-32] + "0" * 32),
            id="no-such-upload",
        ),
        pytest.param(lambda data: data.update(format="9"), id="unknown-format"),
        pytest.param(lambda data: data.update(format="csv"), id="format-not-a-number"),
        pytest.param(lambda data: data.update(resource="9"), id="unknown-resource"),
    ],
)
def test_a_tampered_or_missing_name_answers_400_and_keeps_the_upload(
    publisher_client, full_guide, tamper
):
    data = confirmation(publisher_client, "Startups")
    tampered = dict(data)
    tamper(tampered)
    assert_upload_again(publisher_client.post(reverse(CONFIRM), tampered))
    assert not SalaryFigure.objects.filter(segment="Startups").exists()
    assert publisher_client.post(reverse(CONFIRM), data).status_code == 302
    assert SalaryFigure.objects.filter(segment="Startups").exists()


def test_an_upload_is_named_for_its_uploader_and_confirmed_once(publisher_client, publisher,
                                                                full_guide):  # fmt: skip
    data = confirmation(publisher_client, "Startups")
    owner, token = data["import_file_name"].split("-")
    assert owner == str(publisher.pk) and len(token) == 32
    assert publisher_client.post(reverse(CONFIRM), data).status_code == 302
    assert SalaryFigure.objects.filter(segment="Startups", amount=61000).count() == 1
    # Removed once confirmed: a second confirmation (a double click) finds nothing.
    assert_upload_again(publisher_client.post(reverse(CONFIRM), data))


def test_an_editors_own_upload_of_a_live_change_is_refused_at_the_confirmation_too(
    editor_client, full_guide, monkeypatch
):
    """The preview refuses it (403) and offers no confirmation; a confirmation
    forged with the upload's name is refused as well (review enforcement)."""
    names = []
    save = importing.UploadStorage.save

    def recording_save(self, data):
        save(self, data)
        names.append(self.name)

    monkeypatch.setattr(importing.UploadStorage, "save", recording_save)
    dataset = SalaryFigureResource().export()
    amount = SalaryFigure.objects.get().amount
    dataset[0] = tuple(amount + 1000 if h == "amount" else v
                       for h, v in zip(dataset.headers, dataset[0], strict=True))  # fmt: skip
    assert upload(editor_client, dataset.csv).status_code == 403
    data = {"import_file_name": names[0], "original_file_name": "figures.csv", "format": "0",
            "resource": "0"}  # fmt: skip
    assert editor_client.post(reverse(CONFIRM), data).status_code == 403
    assert SalaryFigure.objects.get().amount == amount


class RecordingCache:
    """The default cache, recording each `set`'s timeout; `fail` makes it raise."""

    def __init__(self, cache, fail=False):
        self.cache, self.fail, self.timeouts = cache, fail, []

    def set(self, key, value, timeout):
        if self.fail:
            raise ConnectionError("Redis is down")
        self.timeouts.append(timeout)
        return self.cache.set(key, value, timeout)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_an_upload_waits_an_hour_then_must_be_uploaded_again(publisher_client, full_guide,
                                                             monkeypatch):  # fmt: skip
    recording = RecordingCache(importing.cache)
    monkeypatch.setattr(importing, "cache", recording)
    data = confirmation(publisher_client, "Startups")
    assert recording.timeouts == [60 * 60]
    # An hour later the cache has let it go.
    importing.cache.delete(importing.UploadStorage.KEY_PREFIX + data["import_file_name"])
    assert_upload_again(publisher_client.post(reverse(CONFIRM), data))
    assert not SalaryFigure.objects.filter(segment="Startups").exists()


def test_a_cache_that_cannot_keep_the_upload_answers_503_not_500(publisher_client, full_guide,
                                                                 monkeypatch):  # fmt: skip
    monkeypatch.setattr(importing, "cache", RecordingCache(importing.cache, fail=True))
    response = upload(publisher_client, figures_csv("Startups"))
    assert response.status_code == 503
    [note] = elements(response, "p", id="upload-error")
    assert "nothing was imported" in str(note)


def test_the_system_check_wants_the_storage_and_the_mixin():
    assert importing.check_import_admins() == []
    with override_settings(IMPORT_EXPORT_TMP_STORAGE_CLASS=None):
        assert [e.id for e in importing.check_import_admins()] == ["roadmaps.E001"]


def test_a_rejected_row_after_a_blank_line_is_named_by_its_spreadsheet_row(
    publisher_client, full_guide
):
    """Bug: the rejected-rows table numbered rows as tablib counts them, which
    skips blank lines: a bad row 4 below one was shown as row 3."""
    dataset = SalaryFigureResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    text = tablib.Dataset(
        [row[h] for h in dataset.headers],
        [{**row, "segment": "Broken", "p25": 90000}[h] for h in dataset.headers],
        headers=dataset.headers,
    ).csv
    header, good, bad = text.strip("\r\n").splitlines()
    response = upload(publisher_client, f"{header}\n{good}\n\n{bad}\n")
    assert response.status_code == 200
    [rejected] = elements(response, "tr", **{"class": "invalid"})
    [number] = elements(rejected, "th")
    assert number.children == ["4"]
    assert "Row 4: " in str(rejected)
    assert table_head(response) == ["Row", "Errors", *dataset.headers]

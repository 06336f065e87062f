"""No silent overwrites: two logged-in sessions, each with a form loaded before
the other saved (issue 13). Forms are read from the page as a browser submits
them, so the hidden version fields are tested as rendered."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from roadmaps import versioncheck
from roadmaps.models import Guide, Stage
from salaries.models import SalaryFigure
from tests.conftest import login_verified
from tests.roadmaps.test_draft_admin import _Form, form_data, guide_url, row_index, set_field

pytestmark = pytest.mark.django_db


@pytest.fixture
def edna_client(db):
    """A second publisher, in a session of her own."""
    user = User.objects.create_user(
        "edna.p", password="a long publisher password", is_staff=True,
        first_name="Edna", last_name="Example",
    )  # fmt: skip
    user.groups.add(Group.objects.get(name="Publishers"))
    client = Client()
    login_verified(client, user)
    return client


def opened(client, url, model_name="guide"):
    page = client.get(url)
    assert page.status_code == 200
    return form_data(page, model_name)


def submit(client, url, data, button="_save"):
    return client.post(url, {**data, button: ["1"]})


def saved_at(obj):
    version = Version.objects.get_for_object(obj).select_related("revision").first()
    return versioncheck.when(version.revision.date_created)


def refusal(response):
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1, errors
    return errors[0]


def test_a_headline_saved_meanwhile_refuses_the_older_form(
    publisher_client, edna_client, full_guide
):
    url = guide_url(full_guide)
    otto = opened(publisher_client, url)
    edna = opened(edna_client, url)
    set_field(edna, "headline", "Edna's headline")
    assert submit(edna_client, url, edna).status_code == 302

    n = row_index(otto, "stage_set", "title", "Stage One Title")
    set_field(otto, f"stage_set-{n}-description", "Otto's stage description.")
    response = submit(publisher_client, url, otto)

    message = refusal(response)
    assert "Edna Example" in message
    assert saved_at(full_guide) in message
    assert "Headline" in message
    # Otto's input is still in the form, and nothing of it was saved.
    shown = form_data(response, "guide")
    assert shown[f"stage_set-{n}-description"] == ["Otto's stage description."]
    assert Guide.objects.get(pk=full_guide.pk).headline == "Edna's headline"
    assert not Stage.objects.filter(description="Otto's stage description.").exists()

    # The form now carries the rows as they are: saving again is a deliberate choice.
    again = submit(publisher_client, url, shown)
    assert again.status_code == 302
    assert Stage.objects.filter(description="Otto's stage description.").exists()


def test_an_inline_row_saved_meanwhile_refuses_the_older_form(
    publisher_client, edna_client, full_guide
):
    url = guide_url(full_guide)
    otto = opened(publisher_client, url)
    edna = opened(edna_client, url)
    n = row_index(edna, "stage_set", "title", "Stage One Title")
    set_field(edna, f"stage_set-{n}-title", "Edna's stage title")
    assert submit(edna_client, url, edna).status_code == 302

    set_field(otto, "headline", "Otto's headline")
    message = refusal(submit(publisher_client, url, otto))
    assert "Edna Example" in message
    assert "saved this guide" in message
    assert "Edna's stage title”: Title" in message
    assert Guide.objects.get(pk=full_guide.pk).headline != "Otto's headline"
    assert Stage.objects.filter(title="Edna's stage title").exists()


def test_an_inline_row_deleted_meanwhile_refuses_the_older_form(
    publisher_client, edna_client, full_guide
):
    url = guide_url(full_guide)
    otto = opened(publisher_client, url)
    edna = opened(edna_client, url)
    n = row_index(edna, "stage_set", "title", "Stage One Title")
    edna[f"stage_set-{n}-DELETE"] = ["on"]
    assert submit(edna_client, url, edna).status_code == 302

    set_field(otto, "headline", "Otto's headline")
    message = refusal(submit(publisher_client, url, otto))
    assert "Edna Example" in message and "deleted" in message


def test_a_fresh_form_saves(publisher_client, full_guide):
    url = guide_url(full_guide)
    data = opened(publisher_client, url)
    assert data[versioncheck.FIELD][0]
    set_field(data, "headline", "A fresh headline")
    assert submit(publisher_client, url, data).status_code == 302
    assert Guide.objects.get(pk=full_guide.pk).headline == "A fresh headline"


@pytest.mark.parametrize("value", [None, "", "garbage", "tampered"])
def test_a_missing_or_tampered_version_is_a_bad_request(publisher_client, full_guide, value):
    url = guide_url(full_guide)
    data = opened(publisher_client, url)
    if value is None:
        del data[versioncheck.FIELD]
    elif value == "tampered":
        data[versioncheck.FIELD] = [data[versioncheck.FIELD][0][:-3] + "abc"]
    else:
        data[versioncheck.FIELD] = [value]
    set_field(data, "headline", "Never saved")
    assert submit(publisher_client, url, data).status_code == 400
    assert Guide.objects.get(pk=full_guide.pk).headline != "Never saved"


def test_another_objects_version_is_a_bad_request(publisher_client, full_guide):
    from tests import factories

    other = factories.guide()
    borrowed = opened(publisher_client, guide_url(other))[versioncheck.FIELD]
    data = opened(publisher_client, guide_url(full_guide))
    data[versioncheck.FIELD] = borrowed
    assert submit(publisher_client, guide_url(full_guide), data).status_code == 400


def test_the_add_form_needs_no_version(publisher_client):
    page = publisher_client.get(reverse("admin:roadmaps_person_add"))
    assert page.status_code == 200
    assert versioncheck.FIELD not in form_data(page, "person")


# List edits


def list_opened(client):
    page = client.get(reverse("admin:salaries_salaryfigure_changelist"))
    assert page.status_code == 200
    parser = _Form("changelist-form")
    parser.feed(page.content.decode())
    return parser.data


def row_of(data, figure):
    return next(
        key.split("-")[1]
        for key, values in data.items()
        if key.startswith("form-") and key.endswith("-id") and values == [str(figure.pk)]
    )


def list_submit(client, data):
    data = {k: v for k, v in data.items() if k not in {"action", "select_across", "index"}}
    return client.post(reverse("admin:salaries_salaryfigure_changelist"), {**data, "_save": "1"})


def test_a_list_edit_loaded_before_another_list_edit_is_refused(
    publisher_client, edna_client, full_guide
):
    figure = SalaryFigure.objects.filter(guide=full_guide).first()
    otto = list_opened(publisher_client)
    assert otto[f"form-{row_of(otto, figure)}-{versioncheck.ROW_FIELD}"][0]
    edna = list_opened(edna_client)
    edna[f"form-{row_of(edna, figure)}-amount"] = ["61000"]
    assert list_submit(edna_client, edna).status_code == 302
    assert SalaryFigure.objects.get(pk=figure.pk).amount == 61000

    otto[f"form-{row_of(otto, figure)}-p25"] = ["40000"]
    response = list_submit(publisher_client, otto)
    assert response.status_code == 200
    [error] = response.context["cl"].formset.non_form_errors()
    assert (
        "“DE Junior: 61000 EUR” (Amount;" in error and "Edna Example" in error and "Amount" in error
    )
    figure.refresh_from_db()
    assert (figure.amount, figure.p25) == (61000, None)
    # The list keeps Otto's input.
    assert 'value="40000"' in response.content.decode()


def test_a_fresh_list_edit_saves(publisher_client, full_guide):
    figure = SalaryFigure.objects.filter(guide=full_guide).first()
    data = list_opened(publisher_client)
    data[f"form-{row_of(data, figure)}-amount"] = ["62000"]
    assert list_submit(publisher_client, data).status_code == 302
    assert SalaryFigure.objects.get(pk=figure.pk).amount == 62000


def test_a_tampered_list_version_is_a_bad_request(publisher_client, full_guide):
    figure = SalaryFigure.objects.filter(guide=full_guide).first()
    data = list_opened(publisher_client)
    data[f"form-{row_of(data, figure)}-{versioncheck.ROW_FIELD}"] = ["garbage"]
    assert list_submit(publisher_client, data).status_code == 400


# Drafts: checked against the draft the editor opened


def test_a_form_from_an_older_draft_keeps_the_input_and_names_who_saved(
    editor, editor_client, full_guide
):
    from roadmaps.workflow.models import DraftEvent
    from tests.roadmaps.test_draft_admin import post_form, retitle_stage

    url = guide_url(full_guide)
    post_form(editor_client, url, retitle_stage("First"))
    stale = opened(editor_client, url)
    post_form(editor_client, url, retitle_stage("Second", was="First"))
    n = row_index(stale, "stage_set", "title", "First")
    set_field(stale, f"stage_set-{n}-description", "Kept description.")
    response = submit(editor_client, url, stale, button="_save_draft")

    message = refusal(response)
    event = DraftEvent.objects.first()
    assert "your changes were not saved" in message
    assert f"edna: saved the draft, at {versioncheck.when(event.at)}" in message
    assert "Kept description." in response.content.decode()
    assert DraftEvent.objects.count() == 2  # nothing saved

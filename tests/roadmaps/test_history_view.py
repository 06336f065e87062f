"""History that is easy to read (issue 13): a side-by-side compare of any two
versions, inline rows included (django-reversion-compare's views, rendered by
`ContentAdmin.compare`); history times to the second with the user and what
changed; and no phantom "Changed Steps" from browsers' CRLF line endings."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.html import strip_tags
from django.utils.timezone import localtime
from pytest_django.asserts import assertContains
from reversion.models import Version

from roadmaps.models import Comparison, Guide, Stage
from tests import factories
from tests.conftest import login_verified
from tests.factories import save_revision
from tests.roadmaps.test_draft_admin import form_data

pytestmark = pytest.mark.django_db


def history_url(guide):
    return reverse("admin:roadmaps_guide_history", args=[guide.pk])


def compare_url(guide, older, newer):
    url = reverse("admin:roadmaps_guide_compare", args=[guide.pk])
    return f"{url}?version_id1={older.pk}&version_id2={newer.pk}"


def versions(guide):
    """The guide's versions, oldest first."""
    return list(Version.objects.get_for_object(guide).order_by("pk"))


@pytest.fixture
def two_versions(full_guide, publisher):
    """Two versions of `full_guide`: then its stage is renamed, a second stage
    added and deleted again, and the headline changed."""
    extra = Stage.objects.create(
        guide=full_guide, month_from=4, month_to=6, title="Gone stage", description="d"
    )
    save_revision(full_guide, publisher, "Before")
    stage = Stage.objects.get(guide=full_guide, title="Stage One Title")
    stage.title = "Renamed stage"
    stage.save()
    extra.delete()
    full_guide.headline = "A new headline"
    save_revision(full_guide, publisher, "After")
    return versions(full_guide)


def section(response, label):
    return next(s for s in response.context["compare_data"] if s.get("label") == label)


def cells(diffs, label):
    """(older, newer) of one field, as text."""
    diff = next(d for d in diffs if d["label"] == label)
    return strip_tags(diff["old"]), strip_tags(diff["new"])


# -- Compare


def test_compare_shows_changed_stage_title_in_both_versions(publisher_client, two_versions):
    older, newer = two_versions
    guide = Guide.objects.get()
    response = publisher_client.get(compare_url(guide, older, newer))
    assert response.status_code == 200
    stages = section(response, "Stages")
    renamed = next(row for row in stages["rows"] if row["status"] == "Changed")
    assert cells(renamed["fields"], "Title") == ("Stage One Title", "Renamed stage")
    # A row deleted since is still shown, from the older revision's own copy.
    removed = next(row for row in stages["rows"] if row["status"] == "Removed")
    assert "Gone stage" in removed["title"]
    assert cells(removed["fields"], "Title") == ("Gone stage", "")
    # The guide's own fields, side by side; untouched ones are not listed.
    fields = response.context["compare_data"][0]["fields"]
    assert cells(fields, "Headline")[1] == "A new headline"
    assert "Name" not in [d["label"] for d in fields]
    # The same in the page: both titles, each in its own column.
    text = strip_tags(response.content.decode())
    assert "Stage One Title" in text and "Renamed stage" in text
    assertContains(response, "<td><del>Stage One Title</del></td>", html=True)
    assertContains(response, "<td><ins>Renamed stage</ins></td>", html=True)
    assertContains(response, "<th scope='col'>Field</th>", html=True)


def test_compare_of_a_version_with_itself_has_no_differences(publisher_client, two_versions):
    older, _ = two_versions
    guide = Guide.objects.get()
    response = publisher_client.get(compare_url(guide, older, older))
    assert response.status_code == 200
    assert response.context["compare_data"] == []
    assertContains(response, "<p><strong>There are no differences.</strong></p>", html=True)


def test_compare_refuses_bad_addresses(publisher_client, two_versions, db):
    older, newer = two_versions
    guide = Guide.objects.get()
    base = reverse("admin:roadmaps_guide_compare", args=[guide.pk])
    other = factories.guide(slug="other", name="Other")
    save_revision(other, None, "Other")
    foreign = versions(other)[0]
    for url in [
        base,  # no versions chosen
        f"{base}?version_id1=x&version_id2={newer.pk}",
        compare_url(guide, foreign, newer),  # a version of another guide
        reverse("admin:roadmaps_guide_compare", args=["not-a-number"]) + "?version_id1=1&"
        "version_id2=2",
        reverse("admin:roadmaps_guide_compare", args=[99999])
        + f"?version_id1={older.pk}&version_id2={newer.pk}",
    ]:
        assert publisher_client.get(url).status_code == 404, url


def test_compare_needs_view_permission(two_versions):
    older, newer = two_versions
    staff = User.objects.create_user("sam", password="a long staff password", is_staff=True)
    client = Client()
    login_verified(client, staff)
    assert client.get(compare_url(Guide.objects.get(), older, newer)).status_code == 403


def test_editors_can_compare(editor_client, two_versions):
    older, newer = two_versions
    assert editor_client.get(compare_url(Guide.objects.get(), older, newer)).status_code == 200


# -- History


def test_history_shows_seconds_user_and_what_changed(publisher_client, publisher, full_guide):
    save_revision(full_guide, publisher, "")
    url = reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    data = form_data(publisher_client.get(url), "guide")
    data["headline"] = ["A headline edited in the admin"]
    data["_save"] = ["1"]
    assert publisher_client.post(url, data).status_code == 302

    response = publisher_client.get(history_url(full_guide))
    assert response.status_code == 200
    latest = versions(full_guide)[-1].revision
    when = localtime(latest.date_created)
    shown = format_date(when, "j M Y, H:i:s")
    assert re.fullmatch(r"\d+ \w+ \d{4}, \d\d:\d\d:\d\d", shown)
    assertContains(response, f"<time datetime='{format_date(when, 'c')}'>{shown}</time>", html=True)
    assertContains(response, "<td>pia</td>", html=True)
    assertContains(response, "<td>Changed Headline.</td>", html=True)
    # Two versions: the compare button and a pair of radio buttons.
    assertContains(response, "<input type='submit' value='Compare'>", html=True)
    assert response.content.decode().count('name="version_id2"') == 2


def test_history_and_compare_have_no_inline_script_or_style(publisher_client, two_versions):
    """The CSP refuses inline script and style (a console error in the browser):
    neither page may carry any, the library's own templates being overridden."""
    older, newer = two_versions
    guide = Guide.objects.get()
    for url in [history_url(guide), compare_url(guide, older, newer)]:
        html = publisher_client.get(url).content.decode()
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html, re.IGNORECASE), url
        for tag in re.findall(r"<script\b[^>]*>", html, re.IGNORECASE):
            assert "src=" in tag, (url, tag)


# -- No phantom changes


def test_unchanged_save_with_crlf_text_changes_no_field(publisher_client, full_guide):
    """Browsers post text boxes with CRLF; the stored text has LF. An untouched
    form, the guide's inline stages and comparisons included, changes nothing."""
    url = reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    data = form_data(publisher_client.get(url), "guide")
    steps = [k for k, v in data.items() if k.endswith("-steps") and "\n" in v[0]]
    points = [k for k, v in data.items() if k.endswith("-points") and "\n" in v[0]]
    assert steps and points  # the test posts multi-line inline text
    data = {k: [v.replace("\n", "\r\n") for v in vs] for k, vs in data.items()}
    data["_save"] = ["1"]
    assert publisher_client.post(url, data).status_code == 302

    entry = LogEntry.objects.filter(object_id=str(full_guide.pk)).latest("pk")
    assert entry.get_change_message() == "No fields changed."
    assert Stage.objects.get(guide=full_guide).steps == "First step\nSecond step"
    assert Comparison.objects.get(guide=full_guide).points == "Point one\nPoint two"


def test_edited_crlf_text_is_stored_with_lf(publisher_client, full_guide):
    url = reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    data = form_data(publisher_client.get(url), "guide")
    key = next(k for k in data if k.endswith("-steps"))
    data[key] = ["One\r\nTwo\r\nThree"]
    data["_save"] = ["1"]
    assert publisher_client.post(url, data).status_code == 302
    assert Stage.objects.get(guide=full_guide).steps == "One\nTwo\nThree"
    entry = LogEntry.objects.filter(object_id=str(full_guide.pk)).latest("pk")
    assert "Steps" in entry.get_change_message()
    assert "Points" not in entry.get_change_message()

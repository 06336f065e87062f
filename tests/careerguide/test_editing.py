"""Editors in control: preview, publish, history and rollback, recovery,
salary import/export, freshness flags."""

import datetime

import pytest
import reversion
import tablib
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from careerguide.editors.attention import needs_attention
from roadmaps.models import Stage
from salaries.freshness import first_fresh_year
from salaries.models import SalaryFigure
from salaries.resources import SalaryFigureResource
from stories.models import Story
from tests import factories

pytestmark = pytest.mark.django_db


# Drafts, preview, publish


def test_preview_is_for_staff_only(client, full_guide, editor):
    draft = factories.story(full_guide, first_name="Draftina", is_published=False)
    url = reverse("guide_preview", kwargs={"slug": full_guide.slug})
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    outsider = User.objects.create_user("outsider", password="x" * 14)
    client.force_login(outsider)
    assert client.get(url).status_code == 302
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draftina" in page and f"story-{draft.slug}" in page
    assert "Preview for editors" in page
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    # The public page does not show the draft, and the preview was not cached.
    client.logout()
    assert "Draftina" not in client.get(full_guide.get_absolute_url()).content.decode()


def test_draft_guide_previews_but_is_404_and_absent_from_sitemap(editor_client, client):
    draft = factories.full_guide(is_published=False)
    assert editor_client.get(f"/preview/careers/{draft.slug}/").status_code == 200
    editor_client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.slug not in client.get("/sitemap.xml").content.decode()


def test_publish_action_publishes_a_draft_story(editor_client, full_guide):
    story = factories.story(full_guide, first_name="Newcomer", is_published=False)
    response = editor_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish", "_selected_action": [story.pk]},
    )
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_published
    editor_client.logout()
    assert "Newcomer" in editor_client.get(full_guide.get_absolute_url()).content.decode()


def test_admin_change_pages_link_to_the_preview(editor_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    page = editor_client.get(
        reverse("admin:stories_story_change", args=[story.pk])
    ).content.decode()
    assert f'href="/preview/careers/{full_guide.slug}/#story-{story.slug}"' in page
    page = editor_client.get(
        reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    ).content.decode()
    assert f'href="/preview/careers/{full_guide.slug}/"' in page


# History and rollback


def save_revision(obj, user=None, comment=""):
    with reversion.create_revision():
        obj.save()
        if user:
            reversion.set_user(user)
        reversion.set_comment(comment)


def test_reverting_a_guide_restores_an_edited_and_a_deleted_stage(full_guide, editor):
    first = Stage.objects.get(guide=full_guide)
    second = Stage.objects.create(
        guide=full_guide, month_from=4, month_to=6, title="Second stage", description="d"
    )
    save_revision(full_guide, editor, "before the mistake")
    good = Version.objects.get_for_object(full_guide).first()

    second_pk = second.pk
    first.title = "A mistaken title"
    first.save()
    second.delete()
    save_revision(full_guide, editor, "the mistake")

    good.revision.revert(delete=True)
    first.refresh_from_db()
    assert first.title == "Stage One Title"
    restored = Stage.objects.get(guide=full_guide, title="Second stage")
    assert restored.pk == second_pk
    assert good.revision.user == editor


def test_history_shows_who_changed_what(editor_client, full_guide, editor):
    story = Story.objects.get(guide=full_guide)
    url = reverse("admin:stories_story_change", args=[story.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["skills"] = [s.pk for s in data.get("skills", [])]
    data.update(body="Edited body.", is_published="on")
    data = {k: v for k, v in data.items() if k not in {"created_at", "updated_at"}}
    assert editor_client.post(url, data).status_code == 302
    version = Version.objects.get_for_object(story).first()
    assert version.revision.user == editor
    history = editor_client.get(reverse("admin:stories_story_history", args=[story.pk]))
    assert history.status_code == 200
    assert "edna" in history.content.decode()


def test_a_deleted_story_can_be_recovered(editor_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    save_revision(story)
    response = editor_client.post(
        reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()
    recover_list = editor_client.get(reverse("admin:stories_story_recoverlist"))
    assert recover_list.status_code == 200
    deleted = Version.objects.get_deleted(Story).first()
    assert deleted.object_id == str(story.pk)
    recover_url = reverse("admin:stories_story_recover", args=[deleted.pk])
    assert editor_client.get(recover_url).status_code == 200
    deleted.revert()
    assert Story.objects.filter(pk=story.pk, body=story.body).exists()


# Salary figures in bulk


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


def test_admin_import_previews_then_saves_and_the_page_shows_it(editor_client, client,
                                                                 full_guide):  # fmt: skip
    dataset = export_dataset()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row.update(segment="Startups", amount=61000)
    upload = tablib.Dataset(headers=dataset.headers)
    upload.append([row[h] for h in dataset.headers])
    url = reverse("admin:salaries_salaryfigure_import")
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(
        url,
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("figures.csv", upload.csv.encode()),
        },
    )
    assert response.status_code == 200
    preview = response.content.decode()
    assert "Startups" in preview and "New" in preview
    assert not SalaryFigure.objects.filter(segment="Startups").exists()  # dry run only
    confirm = response.context["confirm_form"]
    data = {k: v for k, v in confirm.initial.items()}
    done = editor_client.post(reverse("admin:salaries_salaryfigure_process_import"), data)
    assert done.status_code == 302
    assert SalaryFigure.objects.filter(segment="Startups", amount=61000).exists()
    assert "€61,000" in client.get(full_guide.get_absolute_url()).content.decode()


def test_admin_export_offers_csv_and_xlsx(editor_client, full_guide):
    response = editor_client.get(reverse("admin:salaries_salaryfigure_export"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "csv" in page and "xlsx" in page


# Freshness


def test_first_fresh_year_follows_the_configured_age():
    today = datetime.date(2026, 11, 29)
    assert first_fresh_year(today, months=18) == 2025  # Dec 2024 + 18 months < Nov 2026
    # Data year 2024 ended in December 2024: 23 months before November 2026.
    assert first_fresh_year(today, months=23) == 2024
    assert first_fresh_year(today, months=22) == 2025
    assert first_fresh_year(today, months=6) == 2026


def test_stale_figures_are_flagged_and_filtered(editor_client, full_guide):
    stale = factories.figure(full_guide, country=factories.country(code="NL"), data_year=2020)
    fresh = SalaryFigure.objects.exclude(pk=stale.pk).get()
    fresh.data_year = datetime.date.today().year
    fresh.save()
    url = reverse("admin:salaries_salaryfigure_changelist")
    page = editor_client.get(url + "?fresh=stale").content.decode()
    assert f"/admin/salaries/salaryfigure/{stale.pk}/change/" in page
    assert f"/admin/salaries/salaryfigure/{fresh.pk}/change/" not in page
    assert 'alt="False"' in page  # the "fresh" column's icon


def test_admin_index_lists_what_needs_attention(editor_client, full_guide):
    factories.figure(full_guide, country=factories.country(code="NL"), data_year=2020)
    full_guide.reviewed_on = datetime.date.today() - datetime.timedelta(days=400)
    full_guide.save()
    attention = needs_attention()
    assert attention.stale_count == 1
    assert attention.review_due == [full_guide]
    assert any(country == "Country NL" for _, country, _ in attention.gaps)
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Needs attention" in page
    assert "1 stale salary figure" in page
    assert "Guides due a review" in page
    assert "Grades with no figure" in page


def test_public_page_shows_each_figures_data_year(client, full_guide):
    page = client.get(full_guide.get_absolute_url()).content.decode()
    assert "data year 2025" in page


def test_figure_list_offers_import_export_and_recovery(editor_client, full_guide):
    page = editor_client.get(reverse("admin:salaries_salaryfigure_changelist")).content.decode()
    assert reverse("admin:salaries_salaryfigure_import") in page
    assert reverse("admin:salaries_salaryfigure_export") in page
    assert reverse("admin:salaries_salaryfigure_recoverlist") in page

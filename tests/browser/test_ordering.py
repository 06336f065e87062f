"""Drag-and-drop ordering in Chromium: a publisher drags the last stage of the
starter guide to the top in the guide's form and saves; an editor reorders in
a draft; a publisher reorders a change list with the keyboard buttons. Each
order is saved like any edit: a revision, the page shows it, drafts wait."""

import json
import re

from django.urls import reverse

from roadmaps.models import Guide, Stage
from roadmaps.workflow.models import Draft

SCREENSHOT = "/tmp/ordering-drag.png"
# Playwright's drag does not scroll while the button is down (a person's drag
# does: Chromium scrolls near the window's edge), so the four stage rows must
# all fit in the window (about 1,900 px each since issue 16's longer steps).
TALL = 9000


def stage_titles(guide):
    return list(
        Stage.objects.filter(guide=guide).order_by("position").values_list("title", flat=True)
    )


def open_stages(page, site, guide):
    response = page.goto(site + reverse("admin:roadmaps_guide_change", args=[guide.pk]))
    assert response.status == 200
    group = page.locator("#stage_set-group")
    group.locator("summary").first.click()
    rows = group.locator("div.inline-related:not(.empty-form)")
    return group, rows


def drag_last_to_top(page, group, rows):
    count = rows.count()
    handle = rows.nth(count - 1).locator(".order-handle")
    handle.drag_to(rows.nth(0), target_position={"x": 40, "y": 5})
    return [group.locator(f"#id_stage_set-{i}-position").input_value() for i in range(count)]


def test_a_publisher_drags_a_stage_to_the_top_and_saves(staff_tab, site):
    from reversion.models import Version

    page, errors = staff_tab("pia", "Publishers", height=TALL)
    guide = Guide.objects.get(slug="backend-developer")
    before = stage_titles(guide)
    group, rows = open_stages(page, site, guide)
    positions = drag_last_to_top(page, group, rows)
    # The form's numbers now follow the rows as dragged: the last is first.
    assert positions == ["1", "2", "3", "0"]
    from playwright.sync_api import expect

    # Said to screen readers too (a polite live region).
    expect(page.locator("#stage_set-group .order-status")).to_have_text(
        re.compile(r"^Moved .+ to place 1 of 4\. Save to keep the new order\.$")
    )
    page.screenshot(path=SCREENSHOT, full_page=False)
    versions = Version.objects.get_for_object(guide).count()
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert stage_titles(guide) == [before[-1], *before[:-1]]
    assert Version.objects.get_for_object(guide).count() == versions + 1
    public = page.goto(site + guide.get_absolute_url())
    assert public.status == 200
    shown = page.locator("#path h3").all_inner_texts()
    assert [t for t in shown if before[-1] in t] and before[-1] in shown[0]
    assert errors == []


def test_an_editors_reorder_is_a_draft_until_published(staff_tab, site):
    page, errors = staff_tab("edna", "Editors", height=TALL)
    guide = Guide.objects.get(slug="backend-developer")
    before = stage_titles(guide)
    group, rows = open_stages(page, site, guide)
    drag_last_to_top(page, group, rows)
    with page.expect_navigation():
        page.click("input[name=_save_draft]")
    assert stage_titles(guide) == before  # live order unchanged
    draft = Draft.objects.get(object_id=guide.pk)
    # The draft holds the new order, and its form shows it.
    rows_data = json.loads(draft.data)["rows"]
    stages = [r for r in rows_data if r["model"] == "roadmaps.stage"]
    by_position = sorted(stages, key=lambda r: r["fields"]["position"])
    live_last = Stage.objects.filter(guide=guide).order_by("position").last()
    assert by_position[0]["pk"] == live_last.pk
    group, rows = open_stages(page, site, guide)
    assert group.locator("#id_stage_set-0-title").input_value() == live_last.title
    assert errors == []


def test_a_list_reorders_with_the_keyboard_buttons(staff_tab, site):
    page, errors = staff_tab("pia", "Publishers")
    guide = Guide.objects.get(slug="backend-developer")
    before = list(guide.faq_set.order_by("position").values_list("question", flat=True))
    url = reverse("admin:roadmaps_faq_changelist") + f"?guide__id__exact={guide.pk}"
    assert page.goto(site + url).status == 200
    first = page.locator("#result_list tbody tr").first
    first.locator(".order-down").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # focus stays on the moved row's button
    with page.expect_navigation():
        page.click("input[name=_save]")
    after = list(guide.faq_set.order_by("position").values_list("question", flat=True))
    assert after == [before[1], before[2], before[0], *before[3:]]
    assert list(guide.faq_set.order_by("position").values_list("position", flat=True)) == list(
        range(len(before))
    )
    assert errors == []

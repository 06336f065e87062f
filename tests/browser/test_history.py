"""The editor's trial of history and overwrites in Chromium, with screenshots
for the record: two publishers' tabs on one guide (the older form's save is
refused, naming who saved, and the typed text stays), then the History page's
compare of the two versions, side by side."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from roadmaps.models import Guide
from tests.browser.conftest import ARTIFACTS


def test_the_older_form_is_refused_then_the_versions_compare(staff_tab, site):
    guide = Guide.objects.get(slug="backend-developer")
    url = site + reverse("admin:roadmaps_guide_change", args=[guide.pk])
    otto, otto_errors = staff_tab("otto", "Publishers")
    edna, edna_errors = staff_tab("edna", "Publishers")
    assert otto.goto(url).status == 200
    assert edna.goto(url).status == 200

    edna.fill("#id_headline", "Edna's headline, saved first.")
    with edna.expect_navigation():
        edna.click("input[name=_save]")
    expect(edna.locator("ul.messagelist")).to_contain_text("was changed successfully")

    otto.fill("#id_headline", "Otto's headline, typed before Edna saved.")
    with otto.expect_navigation():
        otto.click("input[name=_save]")
    refusal = otto.locator(".errornote, ul.errorlist.nonfield").first
    expect(refusal).to_be_visible()
    text = otto.locator("ul.errorlist.nonfield").inner_text()
    assert "edna" in text and "Headline" in text
    # Otto's input is still in the form, and the live headline is Edna's.
    assert otto.input_value("#id_headline") == "Otto's headline, typed before Edna saved."
    guide.refresh_from_db()
    assert guide.headline == "Edna's headline, saved first."
    ARTIFACTS.mkdir(exist_ok=True)
    otto.locator("ul.errorlist.nonfield").scroll_into_view_if_needed()
    otto.screenshot(path=ARTIFACTS / "conflict-message.png")

    # History: to the second, with who; compare the starter version with Edna's.
    assert edna.goto(site + reverse("admin:roadmaps_guide_history", args=[guide.pk])).status == 200
    times = edna.locator("#change-history tbody th, #change-history tbody td").all_inner_texts()
    assert any(re.search(r"\d{1,2}:\d{2}:\d{2}", t) for t in times), times
    # The older version on one side, Edna's on the other.
    edna.locator("input[name=version_id1]").last.check()
    edna.locator("input[name=version_id2]").first.check()
    with edna.expect_navigation():
        edna.locator("input[type=submit][value*=ompare], button:has-text('ompare')").first.click()
    body = edna.locator("#content").inner_text()
    assert "Edna's headline, saved first." in body
    edna.screenshot(path=ARTIFACTS / "compare-view.png", full_page=True)
    assert otto_errors == [] and edna_errors == []

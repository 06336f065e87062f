"""Long change forms (roadmaps.admin_sections, templates/admin/change_form.html):
an invalid form lists its errors at the top, each linked to the field, row or
inline group it is about, inline rows named by block and row; a long form gets
a navigation of its sections with the inline groups' row counts."""

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from roadmaps.admin import GuideAdmin
from roadmaps.admin_sections import MIN_SECTIONS, SectionedFormMixin, field_target
from roadmaps.models import Guide, Stage
from salaries.admin import SalaryFigureAdmin
from salaries.models import SalaryFigure
from tests import factories
from tests.factories import elements
from tests.roadmaps.test_draft_admin import add_inline_row, post_form, set_field

pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."


def guide_url(guide):
    return reverse("admin:roadmaps_guide_change", args=[guide.pk])


def summary_links(response):
    """(href, text) of each link in the error summary, in order."""
    (summary,) = elements(response, "div", id="error-summary")
    return [(dict(a.attributes)["href"], _text(a)) for a in elements(summary, "a")]


def _text(element):
    return " ".join(
        str(child) if isinstance(child, str) else _text(child) for child in element.children
    )


def position(response, needle):
    index = response.content.decode().find(needle)
    assert index >= 0, f"{needle!r} not on the page"
    return index


def add_stage(title=""):
    def edit(data):
        add_inline_row(data, "stage_set", month_from="4", month_to="5", title=title,
                       description="What this stage is about.", steps="", position="")  # fmt: skip

    return edit


@pytest.mark.parametrize("user", ["publisher", "editor"])
def test_an_error_in_an_inline_row_is_summarised_at_the_top_with_a_link(full_guide, user, request):
    # The publisher saves live; the editor's Save becomes a draft: both forms
    # come back with their errors, the editor's through the drafts wrapper.
    client = request.getfixturevalue(f"{user}_client")
    button = "_save" if user == "publisher" else "_save_draft"
    response = post_form(client, guide_url(full_guide), add_stage(), button=button)

    assert response.status_code == 200
    assertContains(
        response,
        f'<a href="#id_stage_set-1-title">Stages, row 2: Title — {REQUIRED}</a>',
        html=True,
    )
    assert summary_links(response) == [
        ("#id_stage_set-1-title", f"Stages, row 2: Title — {REQUIRED}")
    ]
    # The field it links to is on the page, under that id, below the summary.
    assertContains(response, 'id="id_stage_set-1-title"', count=1)
    assert position(response, 'id="error-summary"') < position(response, 'id="stage_set-group"')
    assert position(response, 'id="error-summary"') < position(response, "<fieldset")
    assert Stage.objects.filter(guide=full_guide).count() == 1


def test_errors_of_fields_rows_and_groups_each_link_where_they_are_shown(
    full_guide, publisher_client
):
    def edit(data):
        set_field(data, "name", "")  # a field of the main form
        add_stage()(data)  # a stacked inline row's field
        # A tabular row's field: a training duration needs its months.
        set_field(data, "keyfact_set-0-min_months", "")
        # Two new skills of one name: an error of the group and of the second row.
        for _ in range(2):
            add_inline_row(data, "skill_set", name="Rust", kind="technical", description="",
                           position="")  # fmt: skip

    response = post_form(publisher_client, guide_url(full_guide), edit, button="_save")

    links = summary_links(response)
    hrefs = [href for href, _ in links]
    # In page order: the main form, then the inline groups as they come.
    assert hrefs == [
        "#id_name",
        "#id_stage_set-1-title",
        "#skill_set-group",
        "#skill_set-3",
        "#id_keyfact_set-0-kind",
    ]
    assert links[0] == ("#id_name", f"Name — {REQUIRED}")
    assert links[2][1].startswith("Skills — Please correct the duplicate data for name")
    assert links[3][1] == "Skills, row 4 — Please correct the duplicate values below."
    assert links[4][1].startswith("Key facts, row 1: Kind — A training or job search duration")
    # Every target is an element of the page.
    page = response.content.decode()
    for href in hrefs:
        assert f'id="{href[1:]}"' in page, href
    assertContains(response, "5 things to correct")


def test_an_error_of_the_whole_form_is_not_repeated_in_a_summary(full_guide, publisher_client):
    """Django prints the whole form's errors at the top already; the summary
    only lists what sits further down (here: nothing, so there is none)."""

    def edit(data):
        # Someone saves the guide after the form was opened: refused as a whole.
        Guide.objects.filter(pk=full_guide.pk).update(headline="Changed meanwhile")

    response = post_form(publisher_client, guide_url(full_guide), edit, button="_save")

    assert len(response.context["adminform"].form.non_field_errors()) == 1
    assertNotContains(response, 'id="error-summary"')


def test_a_valid_form_has_no_summary(full_guide, publisher_client):
    response = publisher_client.get(guide_url(full_guide))
    assertNotContains(response, 'id="error-summary"')


def test_the_error_summary_serves_every_admin_change_form(guide, publisher_client):
    figure = factories.figure(guide)
    url = reverse("admin:salaries_salaryfigure_change", args=[figure.pk])

    response = post_form(
        publisher_client, url, lambda data: set_field(data, "amount", ""), button="_save"
    )

    assert summary_links(response) == [("#id_amount", f"Amount — {REQUIRED}")]
    assert SalaryFigure.objects.get(pk=figure.pk).amount == figure.amount
    # Composed, not replaced: the drafts wrapper extends the admin's choice,
    # which is ours, which extends Django's of the same name.
    chain = [t.origin.name for t in response.templates if t.name.endswith("change_form.html")]
    assert [name.split("/templates/")[-1] for name in chain] == [
        "admin/workflow/change_form.html",
        "admin/change_form.html",
        "admin/change_form.html",
    ]
    assert chain[1] == str(settings.BASE_DIR / "templates" / "admin" / "change_form.html")
    assert "/django/contrib/admin/templates/" in chain[2]


def test_the_guide_form_lists_its_sections_with_every_inline_and_its_rows(
    full_guide, publisher_client
):
    response = publisher_client.get(guide_url(full_guide))

    (nav,) = elements(response, "nav", id="sections-nav")
    links = [(dict(a.attributes)["href"], _text(a)) for a in elements(nav, "a")]
    inlines = response.context["inline_admin_formsets"]
    assert len(inlines) == len(GuideAdmin.inlines) == 10
    expected_inlines = [f"#{inline.formset.prefix}-group" for inline in inlines]
    assert [href for href, _ in links if href.endswith("-group")] == expected_inlines
    # Each by its heading, with its rows; the named fieldsets first.
    for html in [
        '<a href="#stage_set-group">Stages (1)</a>',
        '<a href="#skill_set-group">Skills (2)</a>',
        '<a href="#keyfact_set-group">Key facts (2)</a>',
        '<a href="#languageoption_set-group">First-language options (1)</a>',
        '<a href="#fieldset-0-1-heading">Review</a>',
        '<a href="#fieldset-0-5-heading">History</a>',
    ]:
        assertContains(response, html, html=True)
    assert links[0] == ("#fieldset-0-1-heading", "Review")
    # Every link leads to an element of the page.
    page = response.content.decode()
    for href, _ in links:
        assert f'id="{href[1:]}"' in page, href


def test_the_navigation_marks_a_section_with_errors(full_guide, publisher_client):
    response = post_form(publisher_client, guide_url(full_guide), add_stage(), button="_save")

    marked = '<a href="#stage_set-group">Stages (2)</a> <strong>— has errors</strong>'
    assertContains(response, f'<li class="has-errors">{marked}</li>', html=True)
    assertContains(response, 'class="has-errors"', count=1)


def test_a_short_form_has_no_section_navigation(guide, publisher_client):
    figure = factories.figure(guide)
    response = publisher_client.get(reverse("admin:salaries_salaryfigure_change", args=[figure.pk]))
    assert response.status_code == 200
    assertNotContains(response, 'id="sections-nav"')


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def sectioned(admin_class, model):
    """The admin with `SectionedFormMixin` first among its bases (as it is, or
    as GuideAdmin declares it)."""
    if not issubclass(admin_class, SectionedFormMixin):
        admin_class = type("Sectioned", (SectionedFormMixin, admin_class), {})
    return admin_class(model, admin.site)


def test_a_long_form_has_its_named_fieldsets_after_the_first_collapsible(full_guide, publisher):
    request = _request(publisher)
    fieldsets = sectioned(GuideAdmin, Guide).get_fieldsets(request, full_guide)

    first, *rest = fieldsets
    assert "collapse" not in first[1].get("classes", ())
    assert [name for name, _ in rest] == [
        "Review",
        "Search engines",
        "Section introductions",
        "Personalized plan",
        "History",
    ]
    assert all(options["classes"].count("collapse") == 1 for _, options in rest)
    # The fields are GuideAdmin's own, the hidden version field included.
    plain = GuideAdmin(Guide, admin.site).get_fieldsets(request, full_guide)
    assert [o["fields"] for _, o in fieldsets] == [o["fields"] for _, o in plain]


def test_a_short_form_keeps_its_fieldsets_open(guide, publisher):
    figure = factories.figure(guide)
    admin_ = sectioned(SalaryFigureAdmin, SalaryFigure)
    fieldsets = admin_.get_fieldsets(_request(publisher), figure)
    assert len([name for name, _ in fieldsets if name]) + len(admin_.inlines) < MIN_SECTIONS
    assert all("collapse" not in options.get("classes", ()) for _, options in fieldsets)


def test_each_kind_of_widget_is_linked_by_an_id_the_page_has():
    class Form(forms.Form):
        name = forms.CharField()
        when = forms.SplitDateTimeField()
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    form = Form(data={})
    html = form.as_div()
    targets = [field_target(form[name]) for name in ["name", "when", "kind"]]
    assert targets == ["id_name", "id_when_0", "id_kind"]
    for target in targets:
        assert f'id="{target}"' in html

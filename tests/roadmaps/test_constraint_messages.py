"""The rules the database enforces reach editors in plain words, next to the
field they are about (issue 13), and the database still enforces them."""

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q
from django.forms import modelform_factory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from roadmaps.constraints import FieldCheckConstraint
from roadmaps.models import Country, Guide, KeyFact, Stage
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories
from tests.roadmaps.test_draft_admin import post_form, set_field

pytestmark = pytest.mark.django_db

CURRENCY_MESSAGE = "The currency is a three-letter ISO code in capitals, such as EUR, USD or GBP."


def stage(guide):
    return Stage.objects.create(
        guide=guide, month_from=1, month_to=3, title="Basics", description="Learn the basics."
    )


def keyfact(guide, **kw):
    fields = {"kind": "training", "label": "Training", "min_months": 6, "max_months": 12}
    fields.update(kw)
    return KeyFact.objects.create(guide=guide, **fields)


def text_fact(guide):
    return keyfact(
        guide,
        kind="education",
        label="Education",
        min_months=None,
        max_months=None,
        text="None required",
    )


# (a valid saved row, the edit that breaks one rule, the rule's name, the field it is about)
ONE_FIELD_RULES = [
    (lambda g: factories.figure(g), {"currency": "eur"}, "figure_currency_iso", "currency"),
    (lambda g: factories.figure(g), {"currency": "E1R"}, "figure_currency_iso", "currency"),
    (lambda g: factories.figure(g), {"amount": 0}, "figure_amount_positive", "amount"),
    (lambda g: factories.figure(g, amount=50000), {"p25": 60000}, "figure_p25_le_median", "p25"),
    (lambda g: factories.figure(g), {"p25": 0}, "figure_p25_le_median", "p25"),
    (lambda g: factories.figure(g, amount=50000), {"p75": 40000}, "figure_p75_ge_median", "p75"),
    (lambda g: factories.figure(g), {"data_year": 1800}, "figure_data_year_range", "data_year"),
    (lambda g: factories.figure(g), {"data_year": 2101}, "figure_data_year_range", "data_year"),
    (stage, {"month_from": 4, "month_to": 3}, "stage_months_ordered", "month_to"),
    (stage, {"month_from": 0}, "stage_months_ordered", "month_to"),
    (lambda g: factories.story(g), {"hours_per_week": 0}, "story_hours_range", "hours_per_week"),
    (lambda g: factories.story(g), {"hours_per_week": 101}, "story_hours_range", "hours_per_week"),
    (
        lambda g: factories.story(g),
        {"transition_months": 0},
        "story_transition_months_range",
        "transition_months",
    ),
    (
        lambda g: factories.story(g),
        {"transition_months": 121},
        "story_transition_months_range",
        "transition_months",
    ),
    (lambda g: factories.story(g), {"year": 1989}, "story_year_range", "year"),
    (lambda g: factories.reference(), {"url": "ftp://example.org/x"}, "reference_url_web", "url"),
    (lambda g: factories.country(code="PL"), {"code": "pl"}, "country_iso_code", "code"),
    (
        lambda g: g,
        {"hours_per_week": 0},
        "guide_hours_per_week",
        "hours_per_week",
    ),
    (
        lambda g: g,
        {"hours_per_week": 81},
        "guide_hours_per_week",
        "hours_per_week",
    ),
    (
        lambda g: g,
        {"plan_min_months": 10, "plan_max_months": 9},
        "guide_plan_bounds",
        "plan_max_months",
    ),
    (lambda g: g, {"plan_min_months": 0}, "guide_plan_bounds", "plan_max_months"),
    (keyfact, {"max_months": None}, "keyfact_typed_value", "kind"),
    (keyfact, {"min_months": 13}, "keyfact_typed_value", "kind"),
    (text_fact, {"text": ""}, "keyfact_typed_value", "kind"),
    # A duration as text (with tokens) needs no months, but text and no months
    # at all, or one month without the other, is refused.
    (keyfact, {"min_months": None, "max_months": None}, "keyfact_typed_value", "kind"),
]
RULE_IDS = [f"{name}-{'-'.join(map(str, bad.values()))}" for _, bad, name, _ in ONE_FIELD_RULES]


def constraint(model, name):
    return next(c for c in model._meta.constraints if c.name == name)


def bound_form(obj, **changes):
    """A ModelForm of every editable field, submitted with the row's own values
    but `changes`, as an admin form would be."""
    form_class = modelform_factory(type(obj), fields="__all__")
    unbound = form_class(instance=obj)
    data = {name: unbound[name].value() for name in unbound.fields}
    data.update(changes)
    data = {name: "" if value is None else value for name, value in data.items()}
    return form_class(data=data, instance=obj)


@pytest.mark.parametrize(("make", "bad", "name", "field"), ONE_FIELD_RULES, ids=RULE_IDS)
def test_one_field_rule_is_reported_in_plain_words_next_to_its_field(guide, make, bad, name, field):
    obj = make(guide)
    rule = constraint(type(obj), name)
    assert isinstance(rule, FieldCheckConstraint)
    assert rule.field == field

    form = bound_form(obj, **bad)
    assert not form.is_valid()
    assert form.errors[field] == [rule.violation_error_message]
    assert NON_FIELD_ERRORS not in form.errors

    for attr, value in bad.items():
        setattr(obj, attr, value)
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    assert exc.value.message_dict[field] == [rule.violation_error_message]
    assert NON_FIELD_ERRORS not in exc.value.message_dict


@pytest.mark.parametrize(("make", "bad", "name", "field"), ONE_FIELD_RULES, ids=RULE_IDS)
def test_the_database_still_enforces_the_rule_when_the_form_is_bypassed(
    guide, make, bad, name, field
):
    obj = make(guide)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(**bad)


def test_the_messages_say_what_to_do(guide):
    figure = factories.figure(guide)
    figure.currency = "eur"
    with pytest.raises(ValidationError) as exc:
        figure.full_clean()
    assert exc.value.message_dict == {"currency": [CURRENCY_MESSAGE]}
    story = factories.story(guide)
    story.hours_per_week = 0
    with pytest.raises(ValidationError) as exc:
        story.full_clean()
    assert exc.value.message_dict == {
        "hours_per_week": ["Hours per week must be between 1 and 100, or empty."]
    }


def test_a_duplicate_figure_says_to_use_the_segment(guide):
    first = factories.figure(guide)
    twin = SalaryFigure(
        guide=guide,
        country=first.country,
        grade=first.grade,
        source=first.source,
        amount=40000,
        currency="EUR",
        data_year=2025,
    )
    with pytest.raises(ValidationError) as exc:
        twin.full_clean()
    assert exc.value.message_dict == {
        NON_FIELD_ERRORS: [
            "A figure already exists for this guide, country, grade, source and segment: "
            "use Segment to tell two apart."
        ]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_duplicate_story_slug_is_explained(guide):
    first = factories.story(guide)
    other = factories.story(guide)
    form = bound_form(other, slug=first.slug)
    assert not form.is_valid()
    assert form.errors[NON_FIELD_ERRORS] == [
        constraint(Story, "story_unique_slug").violation_error_message
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=other.pk).update(slug=first.slug)


def test_every_rule_of_the_project_has_a_plain_message():
    """A constraint added later without a message fails here: editors would see
    Django's 'Constraint “name” is violated.'"""
    local = {"roadmaps", "salaries", "stories", "careerguide"}
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in local:
            continue
        for rule in model._meta.constraints:
            message = rule.violation_error_message
            assert message != rule.default_violation_error_message, rule.name
            assert rule.name not in message, rule.name
            assert message.endswith("."), rule.name
            checked += 1
    assert checked >= 20


def test_publisher_sees_the_currency_error_next_to_the_field_in_the_admin(
    publisher_client, full_guide
):
    figure = SalaryFigure.objects.filter(guide=full_guide).first()
    url = reverse("admin:salaries_salaryfigure_change", args=[figure.pk])
    response = post_form(
        publisher_client, url, lambda data: set_field(data, "currency", "eur"), button="_save"
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["currency"] == [CURRENCY_MESSAGE]
    assert NON_FIELD_ERRORS not in form.errors
    assertContains(
        response,
        f'<ul class="errorlist" id="id_currency_error"><li>{CURRENCY_MESSAGE}</li></ul>',
        html=True,
    )
    assertNotContains(response, "figure_currency_iso")
    assertNotContains(response, "is violated")
    figure.refresh_from_db()
    assert figure.currency == "EUR"


def test_publisher_sees_a_duplicate_figure_explained_in_the_admin(publisher_client, full_guide):
    first = SalaryFigure.objects.filter(guide=full_guide).first()
    twin = factories.figure(
        full_guide,
        country=first.country,
        grade=first.grade,
        source=first.source,
        segment="Startups",
    )
    url = reverse("admin:salaries_salaryfigure_change", args=[twin.pk])
    response = post_form(
        publisher_client,
        url,
        lambda data: set_field(data, "segment", first.segment),
        button="_save",
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[NON_FIELD_ERRORS] == [
        constraint(SalaryFigure, "figure_unique_cell").violation_error_message
    ]
    assertNotContains(response, "figure_unique_cell")


def test_the_error_stays_on_the_whole_form_when_the_field_is_not_on_it(guide):
    """A keyed error for a field a form lacks would crash it (ModelForm refuses
    it), so the rule falls back to an error of the whole form."""
    rule = FieldCheckConstraint(
        condition=Q(amount__gt=0),
        name="test_rule",
        field="currency",
        violation_error_message="The amount must be more than 0.",
    )
    figure = factories.figure(guide)
    figure.amount = 0
    with pytest.raises(ValidationError) as exc:
        rule.validate(SalaryFigure, figure, exclude={"currency"})
    assert not hasattr(exc.value, "error_dict")
    assert exc.value.messages == ["The amount must be more than 0."]
    with pytest.raises(ValidationError) as exc:
        rule.validate(SalaryFigure, figure)
    assert exc.value.message_dict == {"currency": ["The amount must be more than 0."]}


def test_the_field_is_part_of_the_constraint_and_of_the_migrations():
    rule = constraint(SalaryFigure, "figure_currency_iso")
    path, args, kwargs = rule.deconstruct()
    assert path == "roadmaps.constraints.FieldCheckConstraint"
    assert kwargs["field"] == "currency"
    assert FieldCheckConstraint(*args, **kwargs) == rule
    moved = FieldCheckConstraint(*args, **{**kwargs, "field": "amount"})
    assert moved != rule
    assert rule != models.CheckConstraint(
        condition=rule.condition,
        name=rule.name,
        violation_error_message=rule.violation_error_message,
    )
    assert "field='currency'" in repr(rule)

    state = MigrationLoader(connection).project_state()
    migrated = state.models["salaries", "salaryfigure"].options["constraints"]
    assert constraint_named(migrated, "figure_currency_iso") == rule
    migrated = state.models["roadmaps", "stage"].options["constraints"]
    assert constraint_named(migrated, "stage_months_ordered").field == "month_to"


def constraint_named(constraints, name):
    return next(c for c in constraints if c.name == name)


def test_a_misspelt_field_is_caught_by_the_system_checks():
    rule = FieldCheckConstraint(
        condition=Q(amount__gt=0),
        name="test_rule",
        field="amuont",
        violation_error_message="The amount must be more than 0.",
    )
    errors = rule.check(SalaryFigure, connection)
    assert any("amuont" in error.msg for error in errors)
    assert not constraint(SalaryFigure, "figure_amount_positive").check(SalaryFigure, connection)


@pytest.mark.parametrize("model", [Guide, Country])
def test_guides_and_countries_keep_their_rule_names(model):
    """The database, and tests elsewhere, know the rules by these names."""
    names = {c.name for c in model._meta.constraints}
    assert (
        names
        == {
            Guide: {"guide_plan_bounds", "guide_hours_per_week", "guide_position"},
            Country: {"country_iso_code", "country_position"},
        }[model]
    )

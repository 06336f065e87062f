"""The guide's one model of time (`roadmaps.timing`): pure functions, worked
examples that pin exact outputs, invariants with hypothesis, and the tokens
editors write durations with (filled on the page, refused in the admin when
unknown, shown as text on the page rather than a 500)."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from roadmaps import timing
from roadmaps.models import FAQ, KeyFact, MarketInsight, Stage
from tests import factories


@dataclass
class S:
    """A stand-in stage: only what the model reads."""

    month_from: int
    month_to: int
    open_ended: bool = False

    @property
    def months_label(self):
        return Stage.months_label.fget(self)


FOUR = [S(1, 3), S(4, 6), S(7, 9), S(10, 12, open_ended=True)]


@dataclass
class G:
    hours_per_week: int = 15


def test_the_learning_time_is_the_last_stages_last_month():
    assert timing.learning_months(FOUR) == 12
    assert timing.learning_months(list(reversed(FOUR))) == 12  # order does not matter
    assert timing.learning_months([]) == 0


def test_months_at_other_hours_scale_and_round_up():
    assert timing.months_at(12, 15, 15) == 12
    assert timing.months_at(12, 15, 5) == 36  # a third of the hours: three times as long
    assert timing.months_at(12, 15, 30) == 6
    assert timing.months_at(12, 15, 40) == 5  # 4.5 → 5
    assert timing.months_at(12, 15, 7) == 26  # 25.71 → 26
    assert timing.months_at(10, 3, 1) == 30  # no float noise: exactly 30, not 31
    with pytest.raises(ValueError, match="hours must be positive"):
        timing.months_at(12, 15, 0)


def test_each_stage_adds_its_months_so_the_stages_sum_to_the_learning_time():
    assert timing.stage_months(FOUR) == [3, 3, 3, 3]
    # A gap counts towards the stage after it, an overlap once.
    assert timing.stage_months([S(1, 3), S(6, 8)]) == [3, 5]
    assert timing.stage_months([S(1, 6), S(4, 8)]) == [6, 2]
    assert timing.stage_months([S(4, 6), S(1, 3)]) == [3, 3]  # in the stages' own order


@given(spans=st.lists(st.tuples(st.integers(1, 30), st.integers(0, 12)), min_size=1, max_size=8))
def test_stage_months_always_sum_to_the_learning_time(spans):
    stages = [S(start, start + length) for start, length in spans]
    assert sum(timing.stage_months(stages)) == timing.learning_months(stages)


@given(
    months=st.integers(0, 60), base=st.integers(1, 80), a=st.integers(1, 80), b=st.integers(1, 80)
)
def test_more_hours_never_take_longer_and_the_guides_hours_give_its_months(months, base, a, b):
    low, high = sorted((a, b))
    assert timing.months_at(months, base, high) <= timing.months_at(months, base, low)
    assert timing.months_at(months, base, base) == months
    assert timing.months_at(months, base, low) >= months * base / low


def test_the_model_says_itself_once_with_the_job_search_as_the_last_stage():
    model = timing.model_for(G(), FOUR)
    assert model == timing.TimeModel(months=12, hours=15, last_stage="months 10–12+")
    assert model.statement == (
        "About 12 months at 15 hours a week; the job search is the last stage."
    )
    assert model.at(5) == 36
    assert timing.model_for(G(10), [S(1, 1)]).statement == (
        "About 1 month at 10 hours a week; the job search is the last stage."
    )
    assert timing.model_for(G(), []).statement == "About 0 months at 15 hours a week."


# -- Tokens


MODEL = timing.TimeModel(months=12, hours=15, last_stage="months 10–12+")


@pytest.mark.parametrize(
    ("text", "filled"),
    [
        ("About {months} months at {hours} hours a week", "About 12 months at 15 hours a week"),
        ("At 5 hours a week: {months_at:5} months", "At 5 hours a week: 36 months"),
        ("{months_at:40} months full time", "5 months full time"),
        ("Part of the path: {last_stage}", "Part of the path: months 10–12+"),
        ("No tokens here.", "No tokens here."),
        # Unknown or malformed: left as written, never an error on the page.
        (
            "{weeks} and {months_at:0} and {months_at:x} and {",
            "{weeks} and {months_at:0} and {months_at:x} and {",
        ),
        ("{junior_salaries}", "{junior_salaries}"),  # only with the salaries given
    ],
)
def test_tokens_are_filled_from_the_model(text, filled):
    assert timing.fill(text, MODEL) == filled


def test_the_junior_salaries_token_takes_the_sentence_it_is_given():
    extra = {timing.SALARY_TOKEN: "Germany, €52,000 a year."}
    assert timing.fill("Juniors: {junior_salaries}", MODEL, extra) == (
        "Juniors: Germany, €52,000 a year."
    )


@pytest.mark.parametrize(
    ("text", "allow", "message"),
    [
        ("{weeks}", (), "{weeks} is not a token this text can use."),
        ("{Months}", (), "{Months} is not a token this text can use."),
        ("{months_at}", (), "{months_at}: write the token as {months_at:N}, with N a whole number"),
        ("{months_at:0}", (), "from 1 to 80"),
        ("{months_at:81}", (), "from 1 to 80"),
        ("{months_at:ten}", (), "{months_at:ten}: write the token as {months_at:N}"),
        ("{months:3}", (), "{months:3} is not a token this text can use."),
        ("a { b", (), "{ is not a token this text can use. Tokens:"),
        ("a } b", (), "} is not a token"),
        ("{junior_salaries}", (), "{junior_salaries} works only in FAQ answers."),
        ("{language}", (), "{language} is not a token this text can use."),
    ],
)
def test_a_token_editors_got_wrong_is_explained_in_plain_words(text, allow, message):
    found = timing.problems(text, allow=allow)
    assert len(found) == 1 and message in found[0]


def test_well_formed_tokens_have_no_problems():
    text = "About {months} months at {hours} h; {months_at:5} at 5 h; {last_stage}."
    assert timing.problems(text) == []
    assert timing.problems("{junior_salaries}", allow=[timing.SALARY_TOKEN]) == []
    assert timing.problems("[[Choose|Set up {language}]]", allow=[timing.LANGUAGE_TOKEN]) == []
    # The message lists what the field may use, the salary token only where allowed.
    [message] = timing.problems("{x}")
    assert "{months}, {months_at:N}" in message and "junior_salaries" not in message


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("It takes 6 months.", ["6 months"]),
        ("3–9 months, or 3-9 months", ["3–9 months", "3-9 months"]),
        ("between 8 and 15 months", ["8 and 15 months"]),
        ("8 to 15 months and 12+ months", ["8 to 15 months", "12+ months"]),
        ("1 month", ["1 month"]),
        ("About {months} months, {months_at:5} months", []),
        ("A 3-month course? No: 15 hours a week, 2025 data", []),
    ],
)
def test_literal_durations_are_found_outside_tokens(text, found):
    assert timing.literal_durations(text) == found


# -- Tokens in the admin and on the page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda g: KeyFact(guide=g, kind="demand", label="Demand", text="{weeks}"), "text"),
        (lambda g: FAQ(guide=g, question="Q?", answer="{months_at:zero}"), "answer"),
        (lambda g: MarketInsight(guide=g, region=factories.region(), text="{x}"), "text"),
        (
            lambda g: Stage(guide=g, month_from=1, month_to=2, title="T", description="{x}"),
            "description",
        ),
        (
            lambda g: Stage(
                guide=g,
                month_from=1,
                month_to=2,
                title="T",
                description="d",
                steps="Build it\nShip in {x}",
            ),
            "steps",
        ),
        (lambda g: KeyFact(guide=g, kind="demand", label="D", text="{junior_salaries}"), "text"),
    ],
)
def test_an_unknown_token_is_a_plain_error_of_its_field(make, field):
    row = make(factories.guide())
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert field in error.value.message_dict
    assert any("token" in m or "FAQ answers" in m for m in error.value.message_dict[field])


@pytest.mark.django_db
def test_known_tokens_pass_the_models_checks():
    g = factories.guide()
    FAQ(guide=g, question="Q?", answer="{months} {junior_salaries}", position=0).full_clean()
    fact = KeyFact(guide=g, kind="training", label="Training", text="About {months} months")
    fact.full_clean()
    stage = Stage(
        guide=g,
        month_from=1,
        month_to=2,
        title="T",
        position=0,
        description="[[Choose|Set up {language},]] in {months_at:10} months",
    )
    stage.full_clean()


@pytest.mark.django_db
def test_the_admin_form_refuses_an_unknown_token(publisher_client, full_guide):
    from tests.roadmaps.test_draft_admin import add_inline_row, post_form, set_field

    def edit(data):
        add_inline_row(data, "keyfact_set", kind="demand", label="Demand",
                       text="Strong {wekks}", min_months="", max_months="", position="",
                       is_estimate="on", guide=str(full_guide.pk))  # fmt: skip

    url = reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    response = post_form(publisher_client, url, edit, button="_save")
    assert response.status_code == 200
    assert "Key facts, row 3: Text — {wekks} is not a token this text can use." in (
        response.content.decode()
    )
    assert not KeyFact.objects.filter(kind="demand").exists()
    # The FAQ's own form too, where {junior_salaries} is allowed.
    faq = FAQ.objects.get(guide=full_guide)
    url = reverse("admin:roadmaps_faq_change", args=[faq.pk])
    response = post_form(
        publisher_client, url, lambda data: set_field(data, "answer", "{months_at:zero}"), "_save"
    )
    assert response.status_code == 200
    assert "{months_at:zero}: write the token as {months_at:N}" in response.content.decode()


@pytest.mark.django_db
def test_the_page_fills_tokens_and_shows_a_stray_one_as_text(client, full_guide):
    # Saved around the form (a file load, an old row): the page still answers 200.
    KeyFact.objects.filter(guide=full_guide, kind="training").update(
        text="About {months} months at {hours} h", min_months=None, max_months=None
    )
    FAQ.objects.filter(guide=full_guide).update(answer="At 5 h: {months_at:5}. Odd: {nope}")
    MarketInsight.objects.filter(guide=full_guide).update(text="Path: {last_stage}")
    Stage.objects.filter(guide=full_guide).update(description="Done by month {months}.")
    response = client.get(full_guide.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    # full_guide: one stage, months 1–3, at 15 h a week.
    assert "About 3 months at 15 h" in html
    assert "At 5 h: 9. Odd: {nope}" in html
    assert "Path: month 1–3" not in html and "Path: months 1–3" in html
    assert "Done by month 3." in html
    assert "About 3 months at 15 hours a week; the job search is the last stage." in html
    # The JSON-LD's FAQ reads the same filled answer.
    assert '"text":"At 5 h: 9. Odd: {nope}"' in html

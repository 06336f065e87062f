"""The load test's readers (loadtest/parsing.py): the edge's access-log lines
as deploy/nginx/edge.conf's log_format writes them, and an HTML form as a
browser submits it. Pure functions: nothing is started."""

import pytest

from loadtest import parsing

NAMES = {"127.0.0.1:8301": "A", "127.0.0.1:8302": "B"}


def line(cache="HIT", upstream="-", status="-", code=200):
    return (
        f'127.0.0.3 [2025-12-01T16:50:01+00:00] "GET /careers/backend-developer/" {code} 76710 '
        f"0.004 cache={cache} upstream={upstream} upstream_status={status}\n"
    )


def test_a_cache_hit_is_answered_by_the_edge():
    rec = parsing.parse_edge_line(line())
    assert rec["addr"] == "127.0.0.3"
    assert rec["uri"] == "/careers/backend-developer/"
    assert (rec["status"], rec["bytes"], rec["request_time"]) == (200, 76710, 0.004)
    assert rec["cache"] == "HIT"
    assert rec["upstreams"] == []
    assert parsing.answered_by(rec, NAMES) == "edge"


def test_a_failover_lists_both_servers_and_the_last_one_answered():
    rec = parsing.parse_edge_line(line("EXPIRED", "127.0.0.1:8301, 127.0.0.1:8302", "502, 200"))
    assert rec["upstreams"] == ["127.0.0.1:8301", "127.0.0.1:8302"]
    assert rec["upstream_statuses"] == ["502", "200"]
    assert parsing.answered_by(rec, NAMES) == "B"


def test_an_internal_redirect_separates_groups_with_a_colon():
    rec = parsing.parse_edge_line(line("MISS", "127.0.0.1:8302 : 127.0.0.1:8301", "404 : 200"))
    assert rec["upstreams"] == ["127.0.0.1:8302", "127.0.0.1:8301"]
    assert parsing.answered_by(rec, NAMES) == "A"


def test_an_uncacheable_request_has_no_cache_status_and_time_is_epoch_seconds():
    rec = parsing.parse_edge_line(line("-", "127.0.0.1:8301", "404", code=404))
    assert rec["cache"] == ""
    assert rec["status"] == 404
    assert rec["time"] == 1764607801.0


def test_other_lines_are_not_ours():
    assert parsing.parse_edge_line("2025/12/01 16:50:01 [crit] 12#12: something\n") is None


FORM = """
<form id="other"><input name="x" value="no"></form>
<form id="faq_form" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
  <select name="guide"><option value="">---</option>
    <option value="1" selected>Backend</option></select>
  <select name="see_also"><option value="">---</option><option value="faq">FAQ</option></select>
  <input type="text" name="question" value="Is it hard?">
  <textarea name="answer">
First line &lt;b&gt;

Second</textarea>
  <select name="sources" multiple><option value="3" selected>a</option>
    <option value="4">b</option><option value="5" selected>c</option></select>
  <input type="checkbox" name="is_estimate">
  <input type="checkbox" name="ticked" checked>
  <input type="number" name="position" value="2">
  <input type="submit" name="_save" value="Save">
  <input type="text" name="off" value="x" disabled>
</form>
"""


def test_a_form_is_submitted_as_a_browser_would():
    fields = parsing.form_fields(FORM, "faq_form")
    assert fields == [
        ("csrfmiddlewaretoken", "tok&en"),
        ("guide", "1"),
        ("see_also", ""),  # nothing selected: the first option
        ("question", "Is it hard?"),
        ("answer", "First line <b>\n\nSecond"),  # the newline after <textarea> dropped
        ("sources", "3"),
        ("sources", "5"),
        ("ticked", "on"),
        ("position", "2"),
    ]


def test_replace_field_changes_one_field_and_refuses_missing_or_repeated_ones():
    fields = parsing.form_fields(FORM, "faq_form")
    changed = parsing.replace_field(fields, "answer", "New")
    assert parsing.field(changed, "answer") == "New"
    assert parsing.field(changed, "question") == "Is it hard?"
    with pytest.raises(ValueError):
        parsing.replace_field(fields, "sources", "1")
    with pytest.raises(ValueError):
        parsing.field(fields, "nope")


def test_error_texts():
    page = '<p class="errornote">Please correct the error below.</p>'
    page += '<ul class="errorlist"><li>This field is <b>required</b>.</li></ul>'
    assert parsing.error_texts(page) == [
        "Please correct the error below.",
        "This field is required .",
    ]

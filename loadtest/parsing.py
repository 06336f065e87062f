"""What the load test's edge run reads, kept apart from the driver so tests can
check it without starting anything: nginx's access-log lines (deploy/nginx/
edge.conf, `log_format careerguide_edge`) and an HTML form as a browser would
submit it (the admin change form the edit phase saves).

Stdlib only."""

import datetime
import html
import re
from html.parser import HTMLParser

# '$remote_addr [$time_iso8601] "$request_method $uri" $status $body_bytes_sent
# $request_time cache=$upstream_cache_status upstream=$upstream_addr
# upstream_status=$upstream_status'. The upstream fields list every server
# tried ("a, b" after a failover, "a : b" across an internal redirect), so
# they may contain spaces: they are the rest of the line.
EDGE_LINE = re.compile(
    r'^(?P<addr>\S+) \[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<uri>[^"]*)" '
    r"(?P<status>\d{3}) (?P<bytes>\d+) (?P<request_time>[\d.]+) "
    r"cache=(?P<cache>\S*) upstream=(?P<upstream>.*?) upstream_status=(?P<upstream_status>.*)$"
)


def _tries(value):
    """The servers (or their statuses) nginx tried, in order: ', ' separates
    tries, ' : ' internal redirects; '-' is none (a cache hit). An address's
    own ':port' has no spaces around it."""
    return [part for part in re.split(r",\s*|\s+:\s+", value.strip()) if part not in ("", "-")]


def parse_edge_line(line):
    """One access-log line as a dict, or None when it is not one of ours.
    `upstreams` / `upstream_statuses`: every server tried, in order; the one
    that answered is the last; `time`: epoch seconds (whole seconds, as nginx
    logs them)."""
    match = EDGE_LINE.match(line.rstrip("\n"))
    if not match:
        return None
    rec = match.groupdict()
    rec["status"] = int(rec["status"])
    rec["bytes"] = int(rec["bytes"])
    rec["request_time"] = float(rec["request_time"])
    rec["time"] = datetime.datetime.fromisoformat(rec["time"]).timestamp()
    rec["cache"] = "" if rec["cache"] == "-" else rec["cache"]
    # "127.0.0.1:8301" is one address with a port: split on the separators only.
    rec["upstreams"] = _tries(rec["upstream"])
    rec["upstream_statuses"] = _tries(rec["upstream_status"])
    return rec


def answered_by(rec, names):
    """Who answered an edge request: the name of the last upstream tried
    (names: {"127.0.0.1:8301": "A", …}), "edge" when no upstream was asked
    (a cache hit, a static file, a refused host), or the address itself."""
    if not rec["upstreams"]:
        return "edge"
    last = rec["upstreams"][-1]
    return names.get(last, last)


class _FormParser(HTMLParser):
    """The successful controls of the first form whose action matches (all of
    them when action is None), as a browser would submit them without pressing
    a button: (name, value) pairs in document order."""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.done = False
        self.fields = []
        self.select = None  # (name, multiple, chosen values, first option value)
        self.textarea = None  # (name, text parts)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and not self.done and not self.in_form:
            if self.form_id is None or a.get("id") == self.form_id:
                self.in_form = True
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name is not None and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name is not None and "disabled" not in a:
            self.select = [name, "multiple" in a, [], None]
        elif tag == "option" and self.select is not None:
            # Django always writes value=; an option without one submits its text,
            # which this form never needs.
            value = a.get("value", "")
            if self.select[3] is None:
                self.select[3] = value
            if "selected" in a:
                self.select[2].append(value)
        elif tag == "textarea" and name is not None and "disabled" not in a:
            self.textarea = [name, []]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.in_form = False
            self.done = True
        elif tag == "select" and self.select is not None:
            name, multiple, chosen, first = self.select
            if not chosen and not multiple and first is not None:
                chosen = [first]  # a single select always submits one option
            self.fields.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            text = "".join(parts)
            # HTML drops one newline right after <textarea> (Django writes one).
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.fields.append((name, text))
            self.textarea = None


def form_fields(page, form_id=None):
    """(name, value) pairs a browser would submit from the page's form (the one
    with that id, else the first), without any submit button."""
    parser = _FormParser(form_id)
    parser.feed(page)
    parser.close()
    return parser.fields


def replace_field(fields, name, value):
    """fields with name's value replaced (it must be there exactly once)."""
    found = [i for i, (key, _) in enumerate(fields) if key == name]
    if len(found) != 1:
        raise ValueError(f"the form has {len(found)} fields named {name!r}")
    return [(key, value if key == name else old) for key, old in fields]


def field(fields, name):
    """The value of a field that is in the form once."""
    values = [value for key, value in fields if key == name]
    if len(values) != 1:
        raise ValueError(f"the form has {len(values)} fields named {name!r}")
    return values[0]


def error_texts(page):
    """The admin's error messages in a page (its errornote and errorlist items), as text."""
    found = re.findall(r'<p class="errornote">(.*?)</p>', page, re.S)
    found += re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", x)).split()) for x in found]

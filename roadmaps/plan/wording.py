"""Stage texts as one reader reads them: said once for readers who have not
chosen their first language yet (the guide page), and again for a reader who
has (their plan), without matching English words.

Editors mark the passage that asks for the choice, in a description or in a
step line, with double brackets:

    [[Choose Python or Node.js and use it for all your exercises]]
    [[Choose Python or Node.js, then set up|Set up {language},]] a code editor and Git

Before the `|`: what the guide page shows. After it (optional): what a plan
shows instead, with `{language}` replaced by the reader's first language (a
`LanguageOption` name). A passage with nothing after the `|` is left out of
plans, and a step that was nothing but such a passage is left out whole.
"""

import re

PASSAGE = re.compile(r"\[\[(.*?)\]\]", re.S)
LANGUAGE = "{language}"
# Spaces a passage left out of a plan leaves behind ("a  b", " Learn…").
_SPACES = re.compile(r" {2,}")

UNMATCHED = (
    "A [[ has no matching ]], or a ]] no [[: a passage for readers who have not "
    "chosen their first language opens with [[ and closes with ]]{where}."
)
LANGUAGE_OUTSIDE = (
    "{language} goes only after the | of a [[…]] passage: the guide page, for readers "
    "who have not chosen yet, has no first language to put there."
)
TWO_BARS = "A [[…]] passage has one | at most: the guide's wording before it, the plan's after."


def for_reader(text, language=None):
    """`text` as a reader reads it: `language` is their first language, or
    None for a reader who has not chosen (the guide page)."""

    def passage(match):
        undecided, _, decided = match.group(1).partition("|")
        if language is None:
            return undecided
        return decided.replace(LANGUAGE, language)

    return _SPACES.sub(" ", PASSAGE.sub(passage, text)).strip()


def problems(text, *, where=""):
    """What is wrong with the markers in `text`, in plain words (none: [])."""
    found = []
    outside = PASSAGE.sub("", text)
    inside = [match.group(1) for match in PASSAGE.finditer(text)]
    if "[[" in outside or "]]" in outside or any("[[" in part for part in inside):
        found.append(UNMATCHED.format(where=where))
    if LANGUAGE in outside or any(LANGUAGE in part.partition("|")[0] for part in inside):
        found.append(LANGUAGE_OUTSIDE)
    if any(part.count("|") > 1 for part in inside):
        found.append(TWO_BARS)
    return list(dict.fromkeys(found))


HELP = (
    "Put a passage that asks readers to choose their first language in double brackets: "
    "[[Choose Python or Node.js.]] The guide shows it as written; a reader's plan, who has "
    "chosen, leaves it out, or shows the wording after a |, where {language} is their "
    "choice: [[Choose Python or Node.js, then set up|Set up {language},]] a code editor."
)

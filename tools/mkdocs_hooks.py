"""MkDocs hook: pages include parts of the README and other Markdown files of the repo.

A line `<!-- include README.md#serving -->` in a page under docs/ is replaced by the
text between `<!-- --8<-- [start:serving] -->` and `<!-- --8<-- [end:serving] -->` in
README.md (`#name` left out: the whole file). Links in the included text are written
relative to the repository root; they are rewritten to the site's pages, so that
`mkdocs build --strict` checks them like any other link.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_INCLUDE = re.compile(r"^<!-- include (?P<path>[\w./-]+)(?:#(?P<section>[\w-]+))? -->$", re.M)
# Repository paths that are pages of the site.
_PAGES = {"python/kerasette/serving/README.md": "serving.md"}


def _section(path, section):
    text = (ROOT / path).read_text()
    if section is None:
        return text
    start = text.index(f"<!-- --8<-- [start:{section}] -->\n")
    end = text.index(f"<!-- --8<-- [end:{section}] -->", start)
    return text[text.index("\n", start) + 1 : end]


def _relink(text):
    def fix(match):
        target, anchor = match.group(1), match.group(2) or ""
        if target in _PAGES:
            target = _PAGES[target]
        elif target.startswith("docs/"):
            target = target[len("docs/") :]
        return f"]({target}{anchor})"

    return re.sub(r"\]\((?!https?:)([^)#\s]+\.md)(#[^)]*)?\)", fix, text)


def on_page_markdown(markdown, page, config, files):
    return _INCLUDE.sub(lambda m: _relink(_section(m.group("path"), m.group("section"))), markdown)

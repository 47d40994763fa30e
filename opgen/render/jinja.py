"""The one Jinja environment of opgen's HTML outputs (the board papers and the diff report) and its
filters. Autoescaping is on; Markdown fields reach a page only through the `md` / `md_inline`
filters (opgen.richtext)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from opgen import display, richtext
from opgen.resources import TEMPLATES_DIR


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = richtext.to_page_html
    env.filters["md_inline"] = richtext.to_inline_html
    env.filters["plural"] = display.plural  # {{ 1000|plural("action") }} -> "1,000 actions"
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the packaged templates with `context` (one page: footnote ids unique on it)."""
    with richtext.id_scope():
        return environment().get_template(template).render(**context)

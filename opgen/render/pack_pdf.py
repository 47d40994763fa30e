"""The board pack as one PDF (`opgen pack`), built in parts so a part that did not change is reused.

Parts, in order: "front" (the cover report, contents, the comparisons across plans), then per plan
"plan-<name>" (a divider: the plan's facts and what changed since the board last saw it) and
"pop-<name>" (the plan's own plan on a page, reused as built, never laid out again), then "glossary".
Every part but the plan on a page is laid out from templates/pack.html.j2 with pack.css, leaving the
top and bottom 14 mm of each page empty: opgen.render.merge stamps the running header (the plan the
page belongs to), the footer (board, meeting, item) and "Page X of Y" there.

`pack_pdf` lays out the parts not in the cache (through `map_fn`, a process pool's map for -j N),
counts their pages, lays out the front with the contents' page numbers (once more if the front's
own page count then differs from the guess), and merges: one bookmark per plan with its parts
nested, the document title from the view. Same view, same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import MutableMapping
from functools import lru_cache
from typing import Callable, Iterable

from opgen import display
from opgen.outputs import library_versions
from opgen.render import document_timestamp, theming
from opgen.render.jinja import render
from opgen.render.weasy import document_to_pdf, html_to_pdf, render_document
from opgen.resources import TEMPLATES_DIR

FRONT = "front"
GLOSSARY = "glossary"
TEMPLATE = "pack.html.j2"
STYLESHEETS = ("base.css", "pack.css")
WRAP_AT = 24         # characters a table cell's text is assumed to wrap at, sizing tables (table_is_wide)
PORTRAIT_CHARS = 118  # characters of 8.4 pt table text across a portrait page's 172 mm
# The colour classes a tone may select: a fixed list, never plan text (base.css defines each).
_RAG_TONES = {"red", "amber", "green", "blue", "grey", "none", "amber_red", "amber_green"}
_BAND_TONES = {"extreme", "high", "moderate", "low"}
_STATE_TONES = {"met": "state-met", "notmet": "state-notmet", "not_met": "state-notmet", "unknown": "state-unknown"}
# PackView.cover's keys: board, meeting (in words), item and author as text; purpose and background
# Markdown; recommendations a list of Markdown.
COVER_KEYS = ("board", "meeting", "item", "author", "purpose", "recommendations", "background")
_POP_PREFIX = "pop-"
# A plan on a page uses its own margins (masthead 8 mm from the top, footer 6-9 mm from the bottom):
# its pack page label goes in the strip below that footer.
POP_EDGE_MM, POP_INSET_MM = 3.5, 9
_PLAN_PREFIX = "plan-"


def tone_class(tone: str | None) -> str | None:
    """The CSS class for a Cell's or ItemLine's tone, or None for plain text."""
    if not tone:
        return None
    if tone == "none":   # nothing to rate ("Not stated", "No RAG reported yet"): muted words, no pill
        return None
    if tone in _RAG_TONES:
        return f"rag-{tone}"
    if tone in _BAND_TONES:
        return f"band-{tone}"
    return _STATE_TONES.get(tone)


# --- parts ---------------------------------------------------------------------------------------

def part_ids(view) -> list[str]:
    """"front", then per plan "plan-<name>" and (where its plan on a page is at hand) "pop-<name>",
    then "glossary"."""
    ids = [FRONT]
    for p in view.plans:
        ids.append(_PLAN_PREFIX + p.name)
        if p.pop_pdf:
            ids.append(_POP_PREFIX + p.name)
    ids.append(GLOSSARY)
    return ids


def _plan(view, name: str):
    return next(p for p in view.plans if p.name == name)


def _part_html(view, part_id: str, starts: dict[str, int] | None = None) -> str:
    """The HTML of one laid-out part; the front's contents print `starts` (part id -> first page)."""
    words = display.PACK_WORDS
    common = dict(view=view, w=words, lang="en-GB", tone_class=tone_class, wide=table_is_wide,
                  footer=_footer(view), pack_title=view.title, cover=_cover(view),
                  **theming.render_context(view.theme))
    if part_id == FRONT:
        return render(TEMPLATE, part="front", starts=starts or {}, contents=_contents(view), **common)
    if part_id == GLOSSARY:
        return render(TEMPLATE, part="glossary", **common)
    if part_id.startswith(_PLAN_PREFIX):
        return render(TEMPLATE, part="plan", plan=_plan(view, part_id[len(_PLAN_PREFIX):]),
                      more=display.more_changes, **common)
    raise KeyError(f"not a laid-out part of the pack: {part_id!r}")


def table_is_wide(table) -> bool:
    """Whether a view Table needs a landscape page: its columns' natural widths (in characters: a
    header wraps at its longest word, a cell's text up to WRAP_AT characters) exceed a portrait page's."""
    total = 0
    for i, head in enumerate(table.columns):
        texts = [r.label for r in table.rows] if i == 0 else \
            [r.cells[i - 1].text for r in table.rows if len(r.cells) == len(table.columns) - 1]
        longest_word = max((len(w) for w in head.split()), default=0)
        total += max([longest_word] + [min(len(t), WRAP_AT) for t in texts]) + 2
    return total > PORTRAIT_CHARS


def _footer(view) -> str:
    c = view.cover or {}
    return display.pack_footer(c.get("board"), c.get("meeting"), c.get("item"))


def _cover(view) -> dict:
    """The cover report's fields (the pack file's; Markdown for purpose, background and each
    recommendation), with what is not given left out rather than printed empty."""
    c = {key: None for key in COVER_KEYS}
    c.update({k: v for k, v in (view.cover or {}).items() if v not in ("", None)})
    recs = c.get("recommendations") or []
    c["recommendations"] = [recs] if isinstance(recs, str) else list(recs)
    c["item_label"] = display.agenda_item(c["item"])
    return c


def _contents(view) -> list[dict]:
    """The contents: the front's own headings (internal links) and every other part (pack-part links)."""
    words = display.PACK_WORDS
    rows = [dict(title=words["summary"], href="#summary"),
            dict(title=words["matrix"], href="#matrix"),
            dict(title=words["indicators"], href="#indicators")]
    if view.left_out:
        rows.append(dict(title=words["left_out"], href="#left-out"))
    plans = []
    for p in view.plans:
        subs = []
        if p.pop_pdf:
            subs.append(dict(title=words["plan_on_a_page"], part=_POP_PREFIX + p.name))
        plans.append(dict(title=p.organisation, subtitle=p.title, part=_PLAN_PREFIX + p.name, subs=subs))
    groups = [dict(group=None, rows=rows, plans=[])]
    if plans:
        groups.append(dict(group=words["plans_section"], rows=[], plans=plans))
    groups.append(dict(group=None, rows=[dict(title=words["glossary"], part=GLOSSARY)], plans=[]))
    return groups


def _digest(*pieces: str | bytes) -> str:
    h = hashlib.sha256()
    for piece in pieces:
        data = piece.encode("utf-8") if isinstance(piece, str) else piece
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def _toolchain() -> str:
    """What besides the HTML shapes a laid-out part: the stylesheets, fonts and the rendering libraries."""
    pieces = [*library_versions()]
    for name in STYLESHEETS:
        pieces.append((TEMPLATES_DIR / name).read_text(encoding="utf-8"))
    return _digest(*pieces)


def part_key(view, part_id: str) -> str:
    """sha256 of what the part prints (for the front: without its contents' page numbers)."""
    if part_id.startswith(_POP_PREFIX):
        return _digest("pop", _plan(view, part_id[len(_POP_PREFIX):]).pop_pdf)
    return _digest("part", part_id, _toolchain(), _part_html(view, part_id))


# --- rendering -----------------------------------------------------------------------------------

def _timestamp(view) -> dt.datetime:
    return document_timestamp(view.date)


def _render_part(job: tuple[str, str, str]) -> bytes:
    """Lay out one part: (html, ISO timestamp, identifier seed) -> PDF bytes. Module level and
    picklable, so a process pool's map can run it."""
    html, stamp, seed = job
    return html_to_pdf(html, timestamp=dt.datetime.fromisoformat(stamp), identifier_seed=seed)


def _starts(ids: list[str], pages: dict[str, int]) -> dict[str, int]:
    out, page = {}, 1
    for pid in ids:
        out[pid] = page
        page += pages[pid]
    return out


def _furniture(view, ids: list[str], pages: dict[str, int]):
    """Per page: the running header naming the plan the page belongs to (the pack's title on the
    front and glossary), the footer (board, meeting, item) and "Page X of Y". A plan on a page is
    printed as built: its masthead starts 8 mm from the top and its own footer (organisation, plan,
    status; "Full detail in the operational plan" on the right) sits 6-9 mm from the bottom, right
    where the merge stamps, so its pages get only "Page X of Y", in the strip below that footer
    (its masthead already names the plan)."""
    from opgen.render.merge import Furniture

    total = sum(pages[pid] for pid in ids)
    footer = _footer(view) or None
    out, page = [], 0
    for pid in ids:
        if pid.startswith(_POP_PREFIX):   # only the page label, in the edge below the page's own footer
            for _ in range(pages[pid]):
                page += 1
                out.append(Furniture(page_label=display.page_of(page, total), edge_mm=POP_EDGE_MM,
                                     inset_mm=POP_INSET_MM))
            continue
        elif pid.startswith(_PLAN_PREFIX):
            p = _plan(view, pid[len(_PLAN_PREFIX):])
            header, foot = display.plan_header(p.organisation, p.title), footer
        else:
            header, foot = view.title, footer
        for _ in range(pages[pid]):
            page += 1
            out.append(Furniture(header=header, footer=foot, page_label=display.page_of(page, total)))
    return out


def _bookmark(view, pid: str) -> str:
    if pid == FRONT:
        return view.title
    if pid == GLOSSARY:
        return display.PACK_WORDS["glossary"]
    if pid.startswith(_PLAN_PREFIX):
        return _plan(view, pid[len(_PLAN_PREFIX):]).organisation
    return display.PACK_WORDS["plan_on_a_page"]   # moved under its plan's bookmark by _nest_bookmarks


def _nest_bookmarks(pdf: bytes, ids: list[str], identifier_seed: str) -> bytes:
    """One bookmark per plan: the merge makes a top-level bookmark per part; each plan on a page's
    goes under its plan's (after the divider's own). Saved as opgen.render.merge saves, so the bytes
    stay reproducible and the /ID the seed's."""
    import io

    import pikepdf

    from opgen.render import merge as merge_mod

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        with doc.open_outline() as outline:
            items = list(outline.root)
            if len(items) != len(ids):   # not the merge's one bookmark per part: leave it as it is
                return pdf
            kept = []
            for pid, item in zip(ids, items):
                if pid.startswith(_POP_PREFIX) and kept:
                    kept[-1].children.append(item)
                else:
                    kept.append(item)
            outline.root[:] = kept
        if "/ID" in doc.trailer:   # QPDF keeps an existing first /ID; drop it so both are the static one
            del doc.trailer["/ID"]
        buffer = io.BytesIO()
        doc.save(buffer, static_id=True, compress_streams=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version=doc.pdf_version)
    return merge_mod._set_identifier(buffer.getvalue(), identifier_seed)


def _front(view, ids: list[str], pages: dict[str, int], cache: MutableMapping, stamp: str) -> bytes:
    """The front, its contents printing where every part starts. Its own length moves those pages,
    so it is laid out with a guess (the last build's length, kept in the cache, else one page), and
    again with its real length if that differs (at most twice more); only the layout that agrees is
    written as PDF. `pages` gains the front's count."""
    from opgen.render.merge import page_count

    front_base = part_key(view, FRONT)
    seed = f"opgen:pack:{view.id}:{FRONT}"
    latest = _digest("front-latest", view.id)
    pages[FRONT] = page_count(cache[latest]) if latest in cache else 1
    for attempt in range(3):
        starts = _starts(ids, pages)
        key = _digest(front_base, json.dumps(starts, sort_keys=True))
        if key in cache:
            pdf = cache[key]
            count = page_count(pdf)
            if count == pages[FRONT] or attempt == 2:
                return pdf
        else:
            html = _part_html(view, FRONT, starts)
            document = render_document(html)
            count = len(document.pages)
            if count == pages[FRONT] or attempt == 2:
                pdf = document_to_pdf(document, html=html, timestamp=dt.datetime.fromisoformat(stamp),
                                      identifier_seed=seed)
                cache[key] = cache[latest] = pdf
                return pdf
        pages[FRONT] = count
    raise AssertionError("the front's loop returns on its third attempt")


def pack_pdf(view, *, cache: MutableMapping | None = None,
             map_fn: Callable[[Callable, Iterable], Iterable] = map) -> bytes:
    """The whole pack as PDF bytes (see the module docstring). `cache` maps part keys to PDF bytes."""
    from opgen.render.merge import Part, merge, page_count

    cache = {} if cache is None else cache
    stamp = _timestamp(view).isoformat()
    ids = part_ids(view)
    pdfs: dict[str, bytes] = {}
    jobs: list[tuple[str, str, tuple[str, str, str]]] = []
    for pid in ids:
        if pid == FRONT:
            continue
        if pid.startswith(_POP_PREFIX):
            pdfs[pid] = _plan(view, pid[len(_POP_PREFIX):]).pop_pdf
            continue
        html = _part_html(view, pid)
        key = _digest("part", pid, _toolchain(), html)
        if key in cache:
            pdfs[pid] = cache[key]
        else:
            jobs.append((pid, key, (html, stamp, f"opgen:pack:{view.id}:{pid}")))
    for (pid, key, _), pdf in zip(jobs, map_fn(_render_part, [job for _, _, job in jobs])):
        pdfs[pid] = pdf
        cache[key] = pdf
    pages = {pid: page_count(pdf) for pid, pdf in pdfs.items()}

    pdfs[FRONT] = _front(view, ids, pages, cache, stamp)

    parts = [Part(pdf=pdfs[pid], anchor=pid, bookmark=_bookmark(view, pid)) for pid in ids]
    seed = f"opgen:pack:{view.id}:{_digest(*(part_key(view, p) for p in ids))}"
    merged = merge(parts, title=view.title, lang="en-GB", timestamp=_timestamp(view), identifier_seed=seed,
                   furniture=_furniture(view, ids, pages))
    return _nest_bookmarks(merged, ids, seed)


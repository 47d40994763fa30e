"""Merge tagged PDFs (as WeasyPrint writes them, PDF/UA-1) into one tagged PDF, with pikepdf (QPDF).

Generic: it knows pages, structure, links, bookmarks and page furniture, nothing of plans or packs.
The merged document is as good as one WeasyPrint would have written:

- one structure tree: a Document element holding every part's top-level elements in order, the
  /ParentTree renumbered (pages' /StructParents, annotations' /StructParent), /RoleMap and
  /ClassMap merged, element ids made unique (and the table /Headers naming them kept in step),
  an /IDTree over them;
- each part's named destinations merged (a clash renamed in the whole part), and a link to
  `pack-part:<anchor>` turned into a GoTo to that part's first page, still a tagged Link; a link to
  `dest:<name>` (a part's `#name` link whose target lives in another part, which WeasyPrint alone
  would drop) turned into an internal link to the named destination `name` of whichever part has it;
- bookmarks: one per part that asks for it, the part's own outline nested under it;
- page furniture (running header, footer, page label) rendered by WeasyPrint in Inter for each
  page's own size and stamped in its margins as a pagination artifact;
- /Lang, /MarkInfo, /ViewerPreferences, title in /Info and XMP, PDF/UA identification, dates from
  the caller's timestamp, an /ID from the caller's seed: the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
import warnings
from dataclasses import dataclass
from typing import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from opgen.render.pdfstruct import attribute_dicts as _attribute_dicts
from opgen.render.pdfstruct import dest_key as _dest_key
from opgen.render.pdfstruct import is_struct_elem as _is_struct_elem
from opgen.render.pdfstruct import kids as _kids
from opgen.render.pdfstruct import name_tree as _name_tree
from opgen.render.pdfstruct import number_tree as _number_tree
from opgen.render.pdfstruct import replace_static_id
from opgen.render.pdftags import repage_links

PACK_PART = "pack-part:"
DEST_LINK = "dest:"              # "dest:<name>": a link to the named destination <name> of another part
FURNITURE_COLOUR = "#4C6272"     # NHS mid grey: 6.2:1 on white
FURNITURE_SIZE_PT = 7.5
FURNITURE_EDGE_MM = 8            # header 8 mm from the top edge, footer 8 mm from the bottom
FURNITURE_INSET_MM = 20          # from the left and right edges, where opgen's papers start their text


@dataclass
class Part:
    pdf: bytes | Callable[[], bytes]   # or, for a part still being laid out, what waits for its bytes:
                                       # merged after the others, into its place (a build's contents)
    anchor: str | None = None      # a link to "pack-part:<anchor>" anywhere goes to this part's first page
    bookmark: str | None = None    # a top-level bookmark for the part; the part's own bookmarks nest under it


@dataclass
class Furniture:                   # one per page of the merged document
    header: str | None = None      # running header (top left; 62% of the width if header_right is given)
    footer: str | None = None      # bottom left
    page_label: str | None = None  # bottom right, e.g. "Page 3 of 40"
    edge_mm: float | None = None   # from the top and bottom edges, FURNITURE_EDGE_MM (8) if None; closer
                                   # for a page that uses its own margins (a plan on a page: 8 mm at the top)
    inset_mm: float | None = None  # from the left and right edges, FURNITURE_INSET_MM (20) if None
    header_lead: str | None = None   # before the header, in bold NHS blue, then a pale bar: "SKC | Plan"
    header_right: str | None = None  # top right, e.g. the chapter the page belongs to (38% of the width)
    bottom_mm: float | None = None   # the footer's and page label's distance from the bottom edge, edge_mm if None
    top_mm: float | None = None      # the headers' distance from the top edge, edge_mm if None


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


# --- reading a part ---------------------------------------------------------------------------

def _unique(key: bytes, taken: set[bytes], part_index: int) -> bytes:
    candidate = key + b"~p%d" % (part_index + 1)
    n = 1
    while candidate in taken:
        n += 1
        candidate = key + b"~p%d-%d" % (part_index + 1, n)
    return candidate


def _top_level(struct_root) -> tuple[list, object | None]:
    """A part's top-level structure elements (the children of its Document element, or of the root
    when there is none) and the Document element itself."""
    tops = _kids(struct_root)
    if len(tops) == 1 and _is_struct_elem(tops[0]) and tops[0].get("/S") == "/Document":
        doc = tops[0]
        return [k for k in _kids(doc)], doc
    return tops, None


def _metadata_text(pdf: pikepdf.Pdf) -> str:
    meta = pdf.Root.get("/Metadata")
    if meta is None:
        return ""
    try:
        return meta.read_bytes().decode("utf-8", "replace")
    except pikepdf.PdfError:
        return ""


# --- the merge ------------------------------------------------------------------------------

class _Merger:
    def __init__(self, lang: str):
        self.out = pikepdf.new()
        self.lang = lang
        self.sources: list[pikepdf.Pdf] = []   # kept open: QPDF maps foreign objects per source
        self.doc_elem = self.out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document,
                                                          K=Array(), Lang=String(lang)))
        self.parent_tree: dict[int, object] = {}
        self.next_key = 0
        self.role_map: dict[str, object] = {}
        self.class_map: dict[str, object] = {}
        self.ids: dict[bytes, object] = {}
        self.dests: dict[bytes, object] = {}
        self.part_outline: dict[int, list[dict]] = {}   # by part index: merged in the parts' order
        self.first_pages: dict[int, pikepdf.Object] = {}
        self.part_pages: dict[int, int] = {}            # by part index: how many pages it has
        self.part_tops: dict[int, list] = {}             # by part index: its top-level structure elements
        self.pack_links: list[tuple[pikepdf.Object, str]] = []
        self.dest_links: list[tuple[pikepdf.Object, bytes]] = []
        self.tagged = False
        self.tagged_parts = 0
        self.uaid: set[str] = set()
        self.producers: list[str] = []
        self.version = "1.7"

    def add(self, index: int, part: Part) -> None:
        try:
            src = pikepdf.open(io.BytesIO(part.pdf))
        except pikepdf.PdfError as error:
            raise ValueError(f"part {index + 1} is not a PDF pikepdf can read: {error}") from None
        self.sources.append(src)
        if src.pdf_version > self.version:
            self.version = src.pdf_version
        self.producers.append(str(src.docinfo.get("/Producer", "")))
        found = re.search(r'pdfuaid:part(?:="|>)(\d+)', _metadata_text(src))
        self.uaid.add(found.group(1) if found else "")
        if len(src.pages) == 0:
            raise ValueError(f"part {index + 1} has no pages")
        start = sum(n for i, n in self.part_pages.items() if i < index)   # the pages of the parts before it
        with warnings.catch_warnings():  # named destinations are merged below, by hand
            warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", UserWarning))
            if start == len(self.out.pages):
                self.out.pages.extend(src.pages)
            else:   # a part added after the ones behind it (laid out late): into its place
                for offset, page in enumerate(src.pages):
                    self.out.pages.insert(start + offset, page)
        self.part_pages[index] = len(src.pages)
        pages = [self.out.pages[i].obj for i in range(start, start + len(src.pages))]
        self.first_pages[index] = pages[0]

        # Copy everything document-level in one go, after the pages, so QPDF maps each reference to
        # a source page onto the page already copied (the tests check every /Pg lands on a merged page).
        root = src.Root
        holder = Dictionary()
        for key in ("/StructTreeRoot", "/Names", "/Outlines", "/Dests"):
            if key in root:
                holder[key] = root[key]
        copied = self.out.copy_foreign(src.make_indirect(holder))

        dest_renames = self._merge_dests(index, copied)
        self._merge_structure(index, copied.get("/StructTreeRoot"), pages, src)
        self._retarget_links(pages, dest_renames)
        items = self._outline_items(copied.get("/Outlines"), dest_renames)
        if part.bookmark:
            items = [{"title": part.bookmark, "dest": self._page_dest(pages[0]), "children": items,
                      "closed": bool(items)}]
        self.part_outline[index] = items

    # named destinations
    def _merge_dests(self, index: int, copied) -> dict[bytes, bytes]:
        mine: dict[bytes, object] = {}
        names = copied.get("/Names")
        if isinstance(names, Dictionary) and "/Dests" in names:
            _name_tree(names.Dests, mine)
        old = copied.get("/Dests")
        if isinstance(old, Dictionary):
            for key, value in old.items():
                mine.setdefault(key[1:].encode("utf-8"), value)
        renames: dict[bytes, bytes] = {}
        taken = set(self.dests) | set(mine)
        for key in mine:
            if key in self.dests:
                renames[key] = _unique(key, taken, index)
                taken.add(renames[key])
        for key, value in mine.items():
            self.dests[renames.get(key, key)] = value
        return renames

    def _rename_dest(self, value, renames: dict[bytes, bytes]):
        """A named destination as it is called in the merged name tree: a string (a name, as older
        files use for /Root /Dests, becomes one), renamed if it clashed."""
        key = _dest_key(value)
        if key is None:
            return value
        return String(renames.get(key, key))

    def _retarget_links(self, pages, renames: dict[bytes, bytes]) -> None:
        for page in pages:
            for annot in page.get("/Annots", ()):
                if not isinstance(annot, Dictionary):
                    continue
                if "/Dest" in annot:
                    annot.Dest = self._rename_dest(annot.Dest, renames)
                action = annot.get("/A")
                if not isinstance(action, Dictionary):
                    continue
                kind = action.get("/S")
                if kind == "/GoTo" and "/D" in action:
                    action.D = self._rename_dest(action.D, renames)
                elif kind == "/URI" and str(action.get("/URI", "")).startswith(PACK_PART):
                    self.pack_links.append((annot, str(action.URI)[len(PACK_PART):]))
                elif kind == "/URI" and bytes(action.get("/URI", b"")).startswith(DEST_LINK.encode()):
                    self.dest_links.append((annot, bytes(action.URI)[len(DEST_LINK):]))

    # bookmarks
    def _outline_items(self, node, renames: dict[bytes, bytes], depth: int = 0) -> list[dict]:
        items: list[dict] = []
        if not isinstance(node, Dictionary) or depth > 64:
            return items
        item = node.get("/First")
        seen: set = set()
        while isinstance(item, Dictionary) and item.objgen not in seen:
            seen.add(item.objgen)
            entry = {"title": item.get("/Title", String("")), "closed": int(item.get("/Count", 0)) < 0,
                     "children": self._outline_items(item, renames, depth + 1)}
            if "/Dest" in item:
                entry["dest"] = self._rename_dest(item.Dest, renames)
            elif isinstance(item.get("/A"), Dictionary):
                action = item.A
                if action.get("/S") == "/GoTo" and "/D" in action:
                    action.D = self._rename_dest(action.D, renames)
                entry["action"] = action
            items.append(entry)
            item = item.get("/Next")
        return items

    @staticmethod
    def _page_dest(page) -> Array:
        box = pikepdf.Page(page).mediabox     # inherited from the page tree if need be
        return Array([page, Name.XYZ, box[0], box[3], 0])

    # structure
    def _merge_structure(self, index: int, root, pages, src) -> None:
        if not isinstance(root, Dictionary):
            return
        self.tagged = True
        self.tagged_parts += 1
        tops, doc = _top_level(root)
        offset = self.next_key
        entries: dict[int, object] = {}
        _number_tree(root.get("/ParentTree"), entries)
        for key, value in entries.items():
            self.parent_tree[key + offset] = value
        if entries:
            self.next_key = offset + max(entries) + 1
        self._check_pages(index, pages, entries)
        self._renumber(pages, offset, set(entries))

        for name, value in (root.get("/RoleMap") or Dictionary()).items():
            if name in self.role_map and self.role_map[name] != value:
                raise ValueError(f"part {index + 1} maps the structure type {name[1:]} to "
                                 f"{str(value)[1:]}, an earlier part to {str(self.role_map[name])[1:]}")
            self.role_map[name] = value
        class_renames: dict[str, str] = {}
        for name, value in (root.get("/ClassMap") or Dictionary()).items():
            if name in self.class_map and repr(self.class_map[name]) != repr(value):
                new = f"{name}~p{index + 1}"
                class_renames[name] = new
                self.class_map[new] = value
            else:
                self.class_map[name] = value

        part_lang = src.Root.get("/Lang")
        doc_lang = doc.get("/Lang") if doc is not None else None
        lang = doc_lang if doc_lang is not None else part_lang
        kids = self.part_tops[index] = []
        for top in tops:
            if isinstance(top, Dictionary) and "/S" in top:
                top.P = self.doc_elem
                if lang is not None and str(lang) != self.lang and "/Lang" not in top:
                    top.Lang = lang
            elif doc is not None and "/Pg" in doc:
                # content marked directly under the part's Document element: keep it on its page
                top = self.out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Div, P=self.doc_elem,
                                                        Pg=doc.Pg, K=top))
            kids.append(top)

        # Element ids: unique across parts, with the table /Headers that name them kept in step. The
        # part's own object list is scanned (structure elements are indirect objects; walking the
        # tree through pikepdf costs ~30 us an element) and what needs changing is looked up in
        # the copy QPDF already made.
        mine: dict[bytes, object] = {}
        holders, classed = [], []
        for obj in src.objects:
            if not isinstance(obj, Dictionary) or "/S" not in obj or "/P" not in obj:
                continue
            if "/ID" in obj and isinstance(obj.ID, String):
                mine[bytes(obj.ID)] = obj
            if "/A" in obj:
                holders.append(obj)
            if class_renames and "/C" in obj:
                classed.append(obj)
        copy = self.out.copy_foreign
        for obj in classed:
            elem = copy(obj)
            c = elem.C
            if isinstance(c, Name) and str(c) in class_renames:
                elem.C = Name(class_renames[str(c)])
            elif isinstance(c, Array):
                elem.C = Array([Name(class_renames.get(str(x), str(x))) if isinstance(x, Name) else x for x in c])
        renames: dict[bytes, bytes] = {}
        taken = set(self.ids) | set(mine)
        for key in sorted(k for k in mine if k in self.ids):
            renames[key] = _unique(key, taken, index)
            taken.add(renames[key])
        for key, obj in mine.items():
            elem = copy(obj)
            if key in renames:
                elem.ID = String(renames[key])
            self.ids[renames.get(key, key)] = elem
        if renames:
            for obj in holders:
                for attrs in _attribute_dicts(copy(obj)):
                    if isinstance(attrs.get("/Headers"), Array):
                        attrs.Headers = Array([String(renames.get(bytes(h), bytes(h))) if isinstance(h, String) else h
                                               for h in attrs.Headers])

    @staticmethod
    def _check_pages(index: int, pages, entries: dict[int, object]) -> None:
        """QPDF is to have mapped each structure element's /Pg onto the page already copied: check
        it on every page's first element rather than write a tree that points at phantom pages."""
        for number, page in enumerate(pages):
            elems = entries.get(int(page.get("/StructParents", -1)))
            if isinstance(elems, Array):
                first = next((e for e in elems if isinstance(e, Dictionary)), None)
                if first is not None and "/Pg" in first and first.Pg.objgen != page.objgen:
                    raise RuntimeError(f"part {index + 1}, page {number + 1}: its structure points at another "
                                       "page after copying")

    def _renumber(self, pages, offset: int, keys: set[int]) -> None:
        """Shift each page's /StructParents, each annotation's /StructParent and each form XObject's
        /StructParent(s) by `offset`, once per object."""
        if offset == 0:
            return
        done: set = set()

        def shift(obj, key: str) -> None:
            if key in obj and obj.objgen not in done:
                obj[key] = int(obj[key]) + offset
                if obj.objgen != (0, 0):
                    done.add(obj.objgen)

        for page in pages:
            shift(page, "/StructParents")
            for annot in page.get("/Annots", ()):
                if isinstance(annot, Dictionary):
                    shift(annot, "/StructParent")
            xobjects = page.get("/Resources", Dictionary()).get("/XObject")
            if isinstance(xobjects, Dictionary):
                for _, xobj in xobjects.items():
                    if isinstance(xobj, pikepdf.Stream):
                        shift(xobj.stream_dict, "/StructParents")
                        shift(xobj.stream_dict, "/StructParent")

    # finishing
    def resolve_pack_links(self, parts: list[Part]) -> None:
        anchors: dict[str, int] = {}
        for i, part in enumerate(parts):
            if part.anchor is not None:
                if part.anchor in anchors:
                    raise ValueError(f"two parts have the anchor {part.anchor!r} (parts {anchors[part.anchor] + 1} and {i + 1})")
                anchors[part.anchor] = i
        for annot, anchor in self.pack_links:
            if anchor not in anchors:
                known = ", ".join(sorted(anchors)) or "none"
                raise ValueError(f"a link goes to {PACK_PART}{anchor}, but no part has the anchor {anchor!r} "
                                 f"(anchors: {known})")
            target = anchors[anchor]
            annot.A = Dictionary(Type=Name.Action, S=Name.GoTo, D=self._page_dest(self.first_pages[target]))
            bookmark = parts[target].bookmark
            if bookmark and str(annot.get("/Contents", "")).startswith(PACK_PART):
                annot.Contents = String(bookmark)
                elem = self.parent_tree.get(int(annot.StructParent)) if "/StructParent" in annot else None
                if isinstance(elem, Dictionary) and elem.get("/S") == "/Link":
                    elem.Alt = String(bookmark)       # what a screen reader says for the link

    def resolve_dest_links(self) -> None:
        """A `dest:<name>` link becomes an internal link to the merged named destination <name> (the
        first part's that has it, under its own name), as WeasyPrint writes one: /Dest and /Contents
        the name. Raises ValueError when no part has that destination."""
        for annot, name in self.dest_links:
            if name not in self.dests:
                raise ValueError(f"a link goes to {DEST_LINK}{name.decode('utf-8', 'replace')}, but no part has "
                                 "that named destination")
            del annot["/A"]
            annot.Dest = String(name)
            if str(annot.get("/Contents", "")).startswith(DEST_LINK):
                annot.Contents = String(name)

    @property
    def outline(self) -> list[dict]:
        """The bookmarks, the parts' in the parts' order (whatever order they were added in)."""
        return [entry for index in sorted(self.part_outline) for entry in self.part_outline[index]]

    def write_outline(self) -> None:
        if not self.outline:
            return
        out = self.out

        def build(entries: list[dict], parent) -> int:
            made = []
            visible = 0
            for entry in entries:
                item = out.make_indirect(Dictionary(Title=entry["title"], Parent=parent))
                if "dest" in entry:
                    item.Dest = entry["dest"]
                elif "action" in entry:
                    item.A = entry["action"]
                below = build(entry["children"], item) if entry["children"] else 0
                if entry["children"]:
                    item.Count = -below if entry["closed"] else below
                made.append(item)
                visible += 1 + (0 if entry["closed"] else below)
            for a, b in zip(made, made[1:]):
                a.Next = b
                b.Prev = a
            if made:
                parent.First = made[0]
                parent.Last = made[-1]
            return visible

        root = out.make_indirect(Dictionary(Type=Name.Outlines))
        root.Count = build(self.outline, root)
        out.Root.Outlines = root

    def write_structure(self) -> None:
        if not self.tagged:
            return
        self.doc_elem.K = Array([top for index in sorted(self.part_tops) for top in self.part_tops[index]])
        nums = Array()
        for key in sorted(self.parent_tree):
            nums.append(key)
            nums.append(self.parent_tree[key])
        root = self.out.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array([self.doc_elem]),
                                                 ParentTree=self.out.make_indirect(Dictionary(Nums=nums)),
                                                 ParentTreeNextKey=self.next_key))
        self.doc_elem.P = root
        if self.role_map:
            root.RoleMap = Dictionary(self.role_map)
        if self.class_map:
            root.ClassMap = Dictionary(self.class_map)
        if self.ids:
            tree = Array()
            for key in sorted(self.ids):
                tree.append(String(key))
                tree.append(self.ids[key])
            root.IDTree = self.out.make_indirect(Dictionary(Names=tree))
        self.out.Root.StructTreeRoot = root

    def write_names(self) -> None:
        if self.dests:
            tree = Array()
            for key in sorted(self.dests):
                tree.append(String(key))
                tree.append(self.dests[key])
            self.out.Root.Names = Dictionary(Dests=self.out.make_indirect(Dictionary(Names=tree)))

    def close(self) -> None:
        for src in self.sources:
            src.close()
        self.out.close()


# --- furniture ----------------------------------------------------------------------------------
#
# WeasyPrint lays out each distinct text once, a row each on a "sheet" (laying out a page per page
# of the document costs ~10 ms a page); each row's text becomes a small form XObject, and every page
# places the ones it needs in its margins inside /Artifact marked content.

_PX = 0.75                      # one CSS px in points
_ROW_PX = 20                    # a sheet line: the 12 px line box with 4 px above and below
_SHEET_ROWS = 100               # lines on a sheet page
_FONT_PX = FURNITURE_SIZE_PT / _PX
_LINE_PX = round(_FONT_PX * 1.2, 3)
_LEAD_PX = (_ROW_PX - _LINE_PX) / 2
_SLOTS = (("header", "/OpgenHeader", "/Header"), ("footer", "/OpgenFooter", "/Footer"),
          ("page_label", "/OpgenPageLabel", "/Footer"), ("header_right", "/OpgenHeaderRight", "/Header"))


def _slot_boxes(box: list[float], edge_mm: float | None, inset_mm: float | None, *, split: bool = False,
                top_mm: float | None = None, bottom_mm: float | None = None
                ) -> dict[str, tuple[float, float, float, str]]:
    """Where each text goes on a page with this box: (left, top of the line box, width, align), in
    PDF points. `split`: the header shares its line with a right-hand header (62% and 38%)."""
    x0, y0, x1, y1 = box
    inset = (FURNITURE_INSET_MM if inset_mm is None else inset_mm) * 72 / 25.4
    edge_mm = FURNITURE_EDGE_MM if edge_mm is None else edge_mm
    top = (edge_mm if top_mm is None else top_mm) * 72 / 25.4
    bottom = (edge_mm if bottom_mm is None else bottom_mm) * 72 / 25.4
    line = _LINE_PX * _PX
    content = max(x1 - x0 - 2 * inset, 72.0)
    label = round(content * 0.28, 2)
    right = round(content * 0.38, 2)
    return {"header": (x0 + inset, y1 - top, round(content * 0.62 if split else content, 2), "left"),
            "footer": (x0 + inset, y0 + bottom + line, round(content * 0.70, 2), "left"),
            "page_label": (x0 + inset + content - label, y0 + bottom + line, label, "right"),
            "header_right": (x0 + inset + content - right, y1 - top, right, "right")}


def _mat(a, b):
    """a then b, PDF's row-vector convention: [a b c d e f]."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


LEAD = "\x00"   # in a furniture text: what comes before it is drawn in bold NHS blue, then a pale bar
LEAD_COLOUR = "#005EB8"
SEP_COLOUR = "#AEB7BD"


def _sheet_line(text: str) -> str:
    if LEAD not in text:
        return html.escape(text)
    lead, rest = text.split(LEAD, 1)
    return (f'<b>{html.escape(lead)}</b> <span class="sep">|</span> {html.escape(rest)}')


def _sheet_html(groups: list[tuple[float, str, list[str]]]) -> str:
    """One block per (width, alignment), a line per text: laying out a few blocks of many lines
    costs far less than a box (or a page) per text."""
    width = max(w for w, _, _ in groups) / _PX + 10
    css = ['@font-face { font-family: "Inter"; font-weight: 400; src: url("../fonts/Inter-Regular.otf"); }',
           f"@page {{ size: {width:.3f}px {_SHEET_ROWS * _ROW_PX}px; margin: 0; }}",
           f'body {{ margin: 0; font-family: "Inter"; font-size: {_FONT_PX:.4f}px; line-height: {_ROW_PX}px; '
           f"color: {FURNITURE_COLOUR}; orphans: 1; widows: 1; }}",
           "div { white-space: pre; overflow: hidden; text-overflow: ellipsis; }"]
    if any(LEAD in t for _, _, texts in groups for t in texts):
        css += ['@font-face { font-family: "Inter"; font-weight: 700; src: url("../fonts/Inter-Bold.otf"); }',
                f"b {{ font-weight: 700; color: {LEAD_COLOUR}; }}",
                f".sep {{ color: {SEP_COLOUR}; padding: 0 0.3em; }}"]
    blocks = "".join(f'<div style="width: {w / _PX:.3f}px; text-align: {align}">'
                     + "\n".join(_sheet_line(t) for t in texts) + "</div>" for w, align, texts in groups)
    return ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>furniture</title><style>'
            + "\n".join(css) + "</style></head><body>" + blocks + "</body></html>")


_TEXT_STATE = {"Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Tr"}


def _sheet_lines(sheet: pikepdf.Pdf) -> list[list]:
    """The sheet's lines in order, each a list of (transformation, text operators): every run of
    text WeasyPrint placed with a Tm (it writes a block's lines in one BT ... ET, a Tm a line) as
    its own BT ... ET with the text state it needs, moved so that the top left of the line's box is
    the origin."""
    lines: dict[tuple[int, int], list] = {}
    row = _ROW_PX * _PX
    bt, et = ([], pikepdf.Operator("BT")), ([], pikepdf.Operator("ET"))
    for number, page in enumerate(sheet.pages):
        height = float(page.mediabox[3])
        ctm, stack, state, segment, in_text = [1, 0, 0, 1, 0, 0], [], {}, None, False
        fill = None   # a fill colour other than the furniture's (a bold lead), drawn with its text

        def close(segment):
            if segment is not None:
                matrix, key, ops = segment
                lines.setdefault(key, []).append((matrix, [bt, *ops, et]))

        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name in _TEXT_STATE:
                state[name] = (operands, op)
                if segment is not None:
                    segment[2].append((operands, op))
                continue
            elif name == "BT":
                in_text, segment = True, None
            elif name == "ET":
                close(segment)
                in_text, segment = False, None
            elif in_text and name == "Tm":
                close(segment)
                tm = [float(x) for x in operands]
                origin = _mat([1, 0, 0, 1, tm[4], tm[5]], ctm)[4:]
                index = int((height - origin[1]) // row)
                top = height - index * row - _LEAD_PX * _PX
                ops = [*state.values(), (operands, op)]   # the text state this line is drawn with
                if fill is not None:
                    ops.insert(0, fill)
                segment = (ctm[:4] + [ctm[4], ctm[5] - top], (number, index), ops)
            elif in_text:
                if segment is None:
                    raise RuntimeError("page furniture: text with no position on the sheet")
                segment[2].append((operands, op))
            elif name == "rg":
                own = [round(float(x), 3) for x in operands] == [round(int(FURNITURE_COLOUR[i:i + 2], 16) / 255, 3)
                                                                  for i in (1, 3, 5)]
                fill = None if own else (operands, op)
            elif name == "q":
                stack.append((ctm, fill))
            elif name == "Q":
                ctm, fill = stack.pop() if stack else (ctm, fill)
            elif name == "cm":
                ctm = _mat([float(x) for x in operands], ctm)
    return list(lines.values())


_LONG_BFCHAR = re.compile(rb"(<[0-9A-Fa-f]+>\s*)<(?:[0-9A-Fa-f]{4}){5,}>")


def _mend_ellipsis(font) -> None:
    """WeasyPrint maps the "…" it draws for text-overflow to all the text it cut off (an illegal
    CMap entry, and copying or extracting the text gives the hidden rest): map it to "…". Only
    the sheet's own font is mended; a glyph for more than four characters is nothing else there."""
    to_unicode = font.get("/ToUnicode") if isinstance(font, Dictionary) else None
    if isinstance(to_unicode, pikepdf.Stream):
        data = to_unicode.read_bytes()
        mended = _LONG_BFCHAR.sub(rb"\1<2026>", data)
        if mended != data:
            to_unicode.write(mended)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _here(fn: Callable, arg):
    return fn(arg)


def furniture_sheet(html: str) -> bytes:
    """The furniture's texts laid out (the sheet _stamp_furniture takes them from), as PDF bytes."""
    from opgen.render.weasy import render_document

    return render_document(html).write_pdf()


def _stamp_furniture(out: pikepdf.Pdf, furniture: list[Furniture], run: Callable[[Callable, object], object]) -> None:
    pages = list(out.pages)
    boxes = [[float(x) for x in page.cropbox] for page in pages]   # the visible page (the media box if none)
    groups: dict[tuple[float, str], dict[str, None]] = {}
    wanted = []   # per page: (slot, (width, align, text), left, top)
    for box, f in zip(boxes, furniture):
        mine = []
        boxes_ = _slot_boxes(box, f.edge_mm, f.inset_mm, split=bool(f.header_right), top_mm=f.top_mm,
                             bottom_mm=f.bottom_mm)
        for slot, (left, top, width, align) in boxes_.items():
            text = _one_line(getattr(f, slot) or "")
            if slot == "header" and text and f.header_lead:
                text = _one_line(f.header_lead) + LEAD + text
            if text:
                groups.setdefault((width, align), {})[text] = None
                mine.append((slot, (width, align, text), left, top))
        wanted.append(mine)
    if not groups:
        return
    order = [(w, a, list(texts)) for (w, a), texts in groups.items()]
    sheet = pikepdf.open(io.BytesIO(run(furniture_sheet, _sheet_html(order))))
    lines = _sheet_lines(sheet)
    keys = [(w, a, t) for w, a, texts in order for t in texts]
    if len(lines) != len(keys):
        raise RuntimeError(f"page furniture: {len(keys)} texts laid out as {len(lines)} lines")
    fonts = Dictionary()
    for page in sheet.pages:
        for key, value in page.Resources.get("/Font", Dictionary()).items():
            fonts[key] = value
            _mend_ellipsis(value)
    resources = out.copy_foreign(sheet.make_indirect(Dictionary(Font=fonts)))
    sheet.close()
    r, g, b = (int(FURNITURE_COLOUR[i:i + 2], 16) / 255 for i in (1, 3, 5))
    colour = [(Array([round(r, 6), round(g, 6), round(b, 6)]), pikepdf.Operator("rg"))]

    forms: dict[tuple, pikepdf.Object] = {}
    for key, blocks in zip(keys, lines):
        ops = []
        for matrix, block in blocks:
            ops += [([], pikepdf.Operator("q")), *colour,
                    (Array([round(x, 6) for x in matrix]), pikepdf.Operator("cm")), *block,
                    ([], pikepdf.Operator("Q"))]
        forms[key] = out.make_stream(pikepdf.unparse_content_stream(ops), Type=Name.XObject, Subtype=Name.Form,
                                     BBox=Array([-2, -_ROW_PX * _PX, round(key[0] + 2, 2), 2]),
                                     Resources=resources)

    before = out.make_stream(b"q\n")
    for page, mine in zip(pages, wanted):
        if not mine:
            continue
        page = page.obj
        old = page.get("/Resources", Dictionary())
        res = Dictionary({k: v for k, v in old.items()})   # pages may share one; give each its own
        xobjects = Dictionary({k: v for k, v in old.get("/XObject", Dictionary()).items()})
        stamp = [b"\nQ\n"]
        for slot, key, left, top in mine:
            [(_, name, kind)] = [s for s in _SLOTS if s[0] == slot]
            xobjects[name] = forms[key]
            stamp.append(f"q /Artifact <</Type /Pagination /Subtype {kind}>> BDC "
                         f"1 0 0 1 {left:.4f} {top:.4f} cm {name} Do EMC Q\n".encode())
        res.XObject = xobjects
        page.Resources = res
        contents = page.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else ([contents] if contents is not None else [])
        page.Contents = Array([before, *streams, out.make_stream(b"".join(stamp))])


# --- document level -------------------------------------------------------------------------------

def _pdf_date(when: dt.datetime) -> tuple[str, str]:
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return when.strftime("D:%Y%m%d%H%M%SZ"), when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _xmp(title: str, lang: str, producer: str, stamp: str, ua_part: str, author: str = "",
         subject: str = "") -> bytes:
    esc = html.escape
    ua = f'<rdf:Description rdf:about="" pdfuaid:part="{esc(ua_part)}" />' if ua_part else ""
    text = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            '<rdf:RDF xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
            'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
            + ua
            + f'<rdf:Description rdf:about="" pdf:Producer="{esc(producer)}" />'
            + f'<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{esc(title)}</rdf:li>'
              '</rdf:Alt></dc:title></rdf:Description>'
            + (f'<rdf:Description rdf:about=""><dc:creator><rdf:Seq><rdf:li>{esc(author)}</rdf:li></rdf:Seq>'
               '</dc:creator></rdf:Description>' if author else "")
            + (f'<rdf:Description rdf:about=""><dc:description><rdf:Alt><rdf:li xml:lang="x-default">{esc(subject)}'
               '</rdf:li></rdf:Alt></dc:description></rdf:Description>' if subject else "")
            + f'<rdf:Description rdf:about=""><dc:language><rdf:Bag><rdf:li>{esc(lang)}</rdf:li></rdf:Bag></dc:language>'
              '</rdf:Description>'
            + f'<rdf:Description rdf:about=""><xmp:CreateDate>{stamp}</xmp:CreateDate>'
              f'<xmp:ModifyDate>{stamp}</xmp:ModifyDate><xmp:MetadataDate>{stamp}</xmp:MetadataDate></rdf:Description>'
            + '</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="r"?>')
    return text.encode("utf-8")


def merge(parts: list[Part], *, title: str, lang: str = "en-GB", timestamp: dt.datetime, identifier_seed: str,
          furniture: list[Furniture] | Callable[[], list[Furniture]] | None = None, author: str = "", subject: str = "",
          keywords: str = "", run: Callable[[Callable, object], object] | None = None) -> bytes:
    """One tagged PDF of the parts' pages in order (see the module's docstring). `furniture`, when
    given, has one entry per page of the result; `author`, `subject` and `keywords` the document
    information a reader's Properties shows, as WeasyPrint writes them from <meta>. A part whose `pdf`
    is a callable (a part still being laid out) is merged after the others, into its place, so the
    caller's layout and this merge run at once; `furniture` may be a callable too, called once every
    part is in. Raises ValueError for a link to an unknown `pack-part:` anchor, two parts with one
    anchor, or furniture for the wrong number of pages."""
    if not parts:
        raise ValueError("nothing to merge: no parts")
    merger = _Merger(lang)
    try:
        late = [i for i, part in enumerate(parts) if callable(part.pdf)]
        for i, part in enumerate(parts):
            if not callable(part.pdf):
                merger.add(i, part)
        for i in late:
            merger.add(i, Part(parts[i].pdf(), parts[i].anchor, parts[i].bookmark))
        if callable(furniture):
            furniture = furniture()
        out = merger.out
        if furniture is not None and len(furniture) != len(out.pages):
            raise ValueError(f"furniture is given for {len(furniture)} pages, but the parts have {len(out.pages)}")
        merger.resolve_pack_links(parts)
        merger.resolve_dest_links()
        merger.write_structure()
        merger.write_names()
        merger.write_outline()
        repage_links(out)     # a link's description names the page it goes to: pages have moved
        if furniture is not None:
            _stamp_furniture(out, furniture, run or _here)

        pdf_date, xmp_date = _pdf_date(timestamp)
        producer = "; ".join(dict.fromkeys(p for p in merger.producers if p)) or "opgen"
        producer = f"{producer}; pikepdf {pikepdf.__version__}"
        root = out.Root
        root.Lang = String(lang)
        root.MarkInfo = Dictionary(Marked=merger.tagged_parts == len(parts))
        root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        if merger.outline:
            root.PageMode = Name.UseOutlines
        ua_part = merger.uaid.pop() if len(merger.uaid) == 1 else ""
        root.Metadata = out.make_stream(_xmp(title, lang, producer, xmp_date, ua_part, author, subject),
                                        Type=Name.Metadata, Subtype=Name.XML)
        info = Dictionary(Title=String(title), Producer=String(producer),
                          CreationDate=String(pdf_date), ModDate=String(pdf_date))
        for key, value in (("/Author", author), ("/Subject", subject), ("/Keywords", keywords)):
            if value:
                info[key] = String(value)
        info = out.make_indirect(info)
        out.trailer.Info = info

        buffer = io.BytesIO()
        out.save(buffer, static_id=True, compress_streams=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, min_version=merger.version)
    finally:
        merger.close()
    data = buffer.getvalue()
    return _set_identifier(data, identifier_seed)


def _set_identifier(data: bytes, seed: str) -> bytes:
    """QPDF wrote its fixed test /ID; put one made from the caller's seed in its place."""
    first = hashlib.md5(seed.encode("utf-8")).digest()
    second = hashlib.md5(("opgen.merge:" + seed).encode("utf-8")).digest()
    return replace_static_id(data, first, second)

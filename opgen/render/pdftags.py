"""Mend the structure (tags) of a PDF as WeasyPrint writes it, so that a screen reader can trust it.

WeasyPrint 70 tags every text it draws (pdf_tags=True), but read back the tags do not hold up:

- page furniture: the text of @page margin boxes (running header, footer, "Page X of Y") is marked
  with MCIDs whose structure elements are built but never linked into the tree (weasyprint/pdf/
  tags.py says so: an artifact would have needed PDF 2.0). Here it becomes
  `/Artifact <</Type /Pagination /Subtype /Header|/Footer>> BDC ... EMC` and leaves the ParentTree;
- the DRAFT watermark (a fixed, aria-hidden element, repeated on every page) is tagged as content:
  here a `/Pagination /Watermark` artifact, its elements gone;
- links: an <a> is a Link element, but a block link's inner boxes and its ::after page number are
  more Link elements nested in it, and the annotation's /Contents is the target id (`sec-1`). Here
  each annotation has one Link element holding its OBJR and its text, never inside another Link,
  described (/Alt, and /Contents on the annotation) by the heading it goes to;
- a box split by a page break is two structure elements, one per page (a table is two tables, a
  list two lists, a section two sections). Given where the layout split (`continued`, worked out
  from WeasyPrint's boxes by `layout_hints`), the pieces are one element again, and a table
  header row repeated on the next page is an artifact; a list item outside any list is put in one;
- marked content that draws nothing (the spaces of a `leader()`, dozens a contents line) is an
  artifact, and an element left empty goes;
- a table's header cells get their /Scope (opgen.render.pdfscope), in the same pass.

Every MCID left is reached from exactly one element and the ParentTree says which (an artifact's
old MCID is null there); /StructParents are kept; only what changed is rewritten; the same input
gives the same bytes (QPDF's static half of the /ID replaced by one made from the input's).
Content streams are scanned with regular expressions that rely on pydyf's layout (one operator a
line; text as hex strings, never literal strings or inline images); text and positions are worked
out only for what needs them (furniture, headings, links), so the fixer costs a small share of
WeasyPrint's time (bench/bench_pdftags.py).
"""

from __future__ import annotations

import bisect
import hashlib
import io
import re
from dataclasses import dataclass
from typing import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from opgen import display
from opgen.render.pdfscope import scope_table
from opgen.render.pdfstruct import dests, is_struct_elem, kids, number_tree, replace_static_id

# --- scanning a content stream ------------------------------------------------------------------

_NUM = rb"[+-]?(?:\d+\.?\d*|\.\d+)"
_NAME = rb"[^\s()<>\[\]{}/%]+"
# WeasyPrint (pydyf) writes one operator a line, its operands before it on that line or (for
# marked content) on the lines above: the patterns start at a line's start, which keeps them fast.
_BEFORE, _AFTER = rb"(?<![^\s\]>])", rb"(?![^\s\[</])"
_MARKS = re.compile(rb"\n(?:/(?P<tag>" + _NAME + rb")\s*(?:<<(?P<props>[^<>]*)>>\s*BDC|/" + _NAME
                    + rb"\s*BDC|BMC)|(?P<emc>EMC))(?=\s)")
_STATE = re.compile(rb"\n(?:(?P<q>q)|(?P<Q>Q)|(?P<m>[-+\d. ]+) cm)(?=\s)")
_TM = re.compile(_BEFORE + rb"((?:" + _NUM + rb"\s+){6})Tm" + _AFTER)
_TF = re.compile(rb"\n/(" + _NAME + rb")\s+" + _NUM + rb"\s+Tf(?=\s)")
_SHOW = re.compile(_BEFORE + rb"(?:\[(?P<arr>[^\]]*)\]\s*TJ|<(?P<hex>[0-9A-Fa-f\s]*)>\s*Tj|/(?P<font>" + _NAME
                   + rb")\s+" + _NUM + rb"\s+Tf)" + _AFTER)
_MCID = re.compile(rb"/MCID\s+(\d+)")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


@dataclass
class _Marked:
    mcid: int
    tag: bytes
    start: int              # the BDC operator (tag, properties, BDC) in the page's content
    end: int
    close: int | None = None  # where its EMC starts


def _scan(data: bytes) -> list[_Marked]:
    """Every marked-content sequence with an MCID in a page's content (which starts with a newline),
    in order."""
    found: list[_Marked] = []
    stack: list[_Marked | None] = []
    for m in _MARKS.finditer(data):
        if m.group("emc") is not None:
            if stack:
                done = stack.pop()
                if done is not None:
                    done.close = m.start() + 1
            continue
        props = m.group("props")
        mcid = _MCID.search(props) if props is not None else None
        if mcid is not None:
            marked = _Marked(int(mcid.group(1)), m.group("tag"), m.start() + 1, m.end())
            found.append(marked)
            stack.append(marked)
        else:
            stack.append(None)
    return found


def _mul(a, b):
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


class _PageText:
    """Where a page's marked content sits and what it says, worked out only when asked for."""

    def __init__(self, data: bytes, fonts_dict, fonts: "_Fonts"):
        self.data = data
        self.fonts_dict = fonts_dict
        self.fonts = fonts
        self._ctm: tuple[list[int], list[tuple]] | None = None
        self._tf: tuple[list[int], list[bytes]] | None = None

    def ctm_at(self, pos: int) -> tuple:
        if self._ctm is None:
            where, what = [0], [(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)]
            stack: list[tuple] = []
            ctm = what[0]
            for m in _STATE.finditer(self.data):
                if m.group("q") is not None:
                    stack.append(ctm)
                    continue
                if m.group("Q") is not None:
                    ctm = stack.pop() if stack else ctm
                else:
                    numbers = m.group("m").split()
                    if len(numbers) != 6:
                        continue
                    ctm = _mul(tuple(float(x) for x in numbers), ctm)
                where.append(m.end())
                what.append(ctm)
            self._ctm = (where, what)
        where, what = self._ctm
        return what[bisect.bisect_right(where, pos) - 1]

    def where(self, m: _Marked) -> tuple[float, float] | None:
        """(x, y) of the first text in a marked sequence, in PDF points; None if it draws none."""
        found = _TM.search(self.data, m.end, m.close if m.close is not None else len(self.data))
        if found is None:
            return None
        point = _mul(tuple(float(x) for x in found.group(1).split()), self.ctm_at(found.start()))
        return point[4], point[5]

    def font_at(self, pos: int):
        if self._tf is None:
            where, what = [], []
            for m in _TF.finditer(self.data):
                where.append(m.start())
                what.append(m.group(1))
            self._tf = (where, what)
        where, what = self._tf
        i = bisect.bisect_right(where, pos) - 1
        return self.decoder(what[i]) if i >= 0 else (2, {})

    def decoder(self, name: bytes):
        font = self.fonts_dict.get("/" + name.decode("latin-1")) if self.fonts_dict is not None else None
        return self.fonts.decoder(font)

    def text(self, m: _Marked) -> str:
        end = m.close if m.close is not None else len(self.data)
        decoder = None
        out = []
        for found in _SHOW.finditer(self.data, m.end, end):
            if found.group("font") is not None:
                decoder = self.decoder(found.group("font"))
                continue
            if decoder is None:
                decoder = self.font_at(found.start())
            if found.group("arr") is not None:
                out.extend(_decode(h, decoder) for h in _HEX.findall(found.group("arr")))
            else:
                out.append(_decode(found.group("hex"), decoder))
        return "".join(out)
_CMAP_CHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_CMAP_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _to_unicode(font) -> tuple[int, dict[int, str]]:
    """(bytes a character code takes, code -> text) from a font's /ToUnicode CMap."""
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    table: dict[int, str] = {}
    stream = font.get("/ToUnicode")
    if isinstance(stream, pikepdf.Stream):
        data = stream.read_bytes()
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for code, uni in _CMAP_CHAR.findall(block):
                table[int(code, 16)] = _utf16(uni)
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            for lo, hi, uni in _CMAP_RANGE.findall(block):
                base = int(uni, 16)
                for i, code in enumerate(range(int(lo, 16), min(int(hi, 16), int(lo, 16) + 65535) + 1)):
                    table[code] = chr(base + i) if base + i < 0x110000 else ""
    return width, table


def _utf16(hexdigits: bytes) -> str:
    try:
        return bytes.fromhex(hexdigits.decode()).decode("utf-16-be", "replace")
    except ValueError:
        return ""


class _Fonts:
    def __init__(self):
        self.cache: dict[tuple[int, int], tuple[int, dict[int, str]]] = {}

    def decoder(self, font):
        if not isinstance(font, Dictionary):
            return 2, {}
        key = font.objgen
        if key == (0, 0) or key not in self.cache:
            found = _to_unicode(font)
            if key == (0, 0):
                return found
            self.cache[key] = found
        return self.cache[key]


def _decode(hexdigits: bytes, decoder) -> str:
    width, table = decoder
    digits = re.sub(rb"\s", b"", hexdigits)
    raw = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    return "".join(table.get(int.from_bytes(raw[i:i + width], "big"), "") for i in range(0, len(raw) - width + 1, width))


# --- the fixer ------------------------------------------------------------------------------------

_BLANK = re.compile(rb"(?:\s|BT|ET|/[^\s/\[\]()<>]+\s+gs|(?:[+-]?[\d.]+\s+){1,4}(?:rg|RG|g|G|k|K))*")
_HEADINGS = {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/H"}
_PAGINATION = {"header": b"/Artifact <</Type /Pagination /Subtype /Header>> BDC",
               "footer": b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC",
               "watermark": b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC",
               "repeat": b"/Artifact <</Type /Pagination>> BDC",
               "blank": b"/Artifact BMC"}


class _E:
    """A structure element as read once from the PDF: kids are _E, ("m", page, MCID) or ("o", OBJR)."""
    __slots__ = ("obj", "s", "page", "kids", "parent", "changed")

    def __init__(self, obj, s: str, page: int | None, parent):
        self.obj, self.s, self.page, self.parent = obj, s, page, parent
        self.kids: list = []
        self.changed = False


class _Fixer:
    def __init__(self, doc: pikepdf.Pdf, root):
        self.doc = doc
        self.root = root
        self.pages = [p.obj for p in doc.pages]
        self.page_of = {p.objgen: i for i, p in enumerate(self.pages)}
        self.entries: dict[int, object] = {}
        number_tree(root.get("/ParentTree"), self.entries)
        fonts = _Fonts()
        self.texts: list[_PageText] = []
        self.marked: list[list[_Marked]] = []
        self.mark: dict[tuple[int, int], _Marked] = {}
        for i, page in enumerate(self.pages):
            contents = page.get("/Contents")
            streams = list(contents) if isinstance(contents, Array) else ([contents] if contents is not None else [])
            data = b"\n" + b"\n".join(s.read_bytes() for s in streams)
            found = _scan(data)
            self.texts.append(_PageText(data, page.get("/Resources", Dictionary()).get("/Font"), fonts))
            self.marked.append(found)
            for m in found:
                self.mark[(i, m.mcid)] = m
        self.owner: dict[tuple[int, int], _E] = {}      # (page, MCID) -> the element holding it
        self.artifact: dict[tuple[int, int], str] = {}  # (page, MCID) -> what kind of artifact
        self.moved: set[tuple[int, int]] = set()        # MCIDs whose element changed
        self.annot_owner: dict[int, _E] = {}            # StructParent -> new element
        self.tops = self.read_tree()
        self._where: dict = {}

    # the tree, read once
    def read_tree(self) -> list[_E]:
        tops = kids(self.root)
        self.doc_elem = None
        if len(tops) == 1 and is_struct_elem(tops[0]) and tops[0].get("/S") == "/Document":
            self.doc_elem = tops[0]
            tops = kids(tops[0])
        seen: set = set()

        def new(obj, parent) -> _E | None:
            if not is_struct_elem(obj) or obj.objgen in seen:
                return None
            seen.add(obj.objgen)
            return _E(obj, "", None, parent)

        out = [e for e in (new(t, None) for t in tops) if e is not None]
        stack = list(reversed(out))
        while stack:
            e = stack.pop()
            obj = e.obj
            e.s = str(obj.S)
            pg = obj.get("/Pg")
            page = e.page = self.page_of.get(pg.objgen) if isinstance(pg, Dictionary) else None
            inner = []
            for kid in kids(obj):
                if isinstance(kid, Dictionary):
                    kind = kid.get("/Type")
                    if kind == "/MCR":
                        kpg = kid.get("/Pg")
                        kpage = self.page_of.get(kpg.objgen) if isinstance(kpg, Dictionary) else page
                        item = ("m", kpage, int(kid.MCID))
                        e.kids.append(item)
                        self.owner[item[1:]] = e
                    elif kind == "/OBJR":
                        e.kids.append(("o", kid))
                    else:
                        child = new(kid, e)
                        if child is not None:
                            e.kids.append(child)
                            inner.append(child)
                else:
                    item = ("m", page, int(kid))
                    e.kids.append(item)
                    self.owner[item[1:]] = e
            stack.extend(reversed(inner))
        return out

    def walk(self, elems):
        stack = list(reversed(elems))
        while stack:
            e = stack.pop()
            yield e
            stack.extend(reversed([k for k in e.kids if isinstance(k, _E)]))

    def content(self, e: _E):
        """(page, MCID) of every marked content under an element, in order."""
        for x in self.walk([e]):
            for k in x.kids:
                if isinstance(k, tuple) and k[0] == "m" and k[1] is not None:
                    yield k[1], k[2]

    def where(self, key) -> tuple[float, float] | None:
        if key not in self._where:
            m = self.mark.get(key)
            self._where[key] = self.texts[key[0]].where(m) if m is not None else None
        return self._where[key]

    def text(self, e: _E, limit: int = 400) -> str:
        out, last_y = [], None
        for n, key in enumerate(self.content(e)):
            m = self.mark.get(key)
            if m is None or key in self.artifact:
                continue
            piece = self.texts[key[0]].text(m)
            if not piece:
                continue
            at = self.where(key)
            y = at[1] if at else None
            if out and y is not None and last_y is not None and abs(y - last_y) > 1 \
                    and not out[-1][-1:].isspace() and not piece[:1].isspace():
                out.append(" ")
            out.append(piece)
            last_y = y if y is not None else last_y
            if n > limit:
                break
        return " ".join("".join(out).split())

    # 1. page furniture, blank marks and the watermark
    def furniture(self, watermark: str | None) -> None:
        for i, found in enumerate(self.marked):
            box = [float(x) for x in pikepdf.Page(self.pages[i]).mediabox]
            middle = (box[1] + box[3]) / 2
            data = self.texts[i].data
            for m in found:
                key = (i, m.mcid)
                if key not in self.owner:                  # marked, but not in the tree: a margin box
                    at = self.where(key)
                    self.artifact[key] = "blank" if at is None else "header" if at[1] > middle else "footer"
                elif m.close is not None and _BLANK.fullmatch(data, m.end, m.close):
                    self.artifact[key] = "blank"
        if watermark:
            # WeasyPrint tags the fixed element as a Div holding one Span of text, on every page
            wanted = " ".join(watermark.split())
            for e in list(self.walk(self.tops)):
                if e.s != "/Div" or len(e.kids) != 1 or not isinstance(e.kids[0], _E):
                    continue
                span = e.kids[0]
                if span.s != "/Span" or len(span.kids) != 1 or not isinstance(span.kids[0], tuple) \
                        or span.kids[0][0] != "m" or self.text(span) != wanted:
                    continue
                self.artifact[span.kids[0][1:]] = "watermark"
                if e.parent is None:
                    self.tops = [t for t in self.tops if t is not e]
                    self.tops_changed = True
                else:
                    e.parent.kids = [k for k in e.parent.kids if k is not e]
                    e.parent.changed = True
        holders: dict[int, _E] = {}
        for key in self.artifact:
            e = self.owner.pop(key, None)
            if e is not None:
                holders[id(e)] = e
                self.moved.add(key)
        for e in holders.values():
            e.kids = [k for k in e.kids if not (isinstance(k, tuple) and k[0] == "m" and k[1:] in self.artifact)]
            e.changed = True

    tops_changed = False

    # 2. split boxes made whole again
    def join_continued(self, continued: Sequence[int]) -> None:
        by_page: dict[int, list[_E]] = {}
        for top in self.tops:
            if top.page is not None:
                by_page.setdefault(top.page, []).append(top)
        gone: set = set()
        joined: dict[int, _E] = {}
        for boundary, depth in enumerate(continued):
            before, after = by_page.get(boundary), by_page.get(boundary + 1)
            if depth <= 0 or not before or not after:
                continue
            a, b = before[-1], after[0]
            a = joined.get(id(a), a)
            if a.s != b.s or a is b:
                continue
            self.join(a, b, depth, boundary + 1, joined)
            gone.add(id(b))
        if gone:
            self.tops = [t for t in self.tops if id(t) not in gone]
            self.tops_changed = True

    def join(self, a: _E, b: _E, depth: int, page: int, joined: dict) -> None:
        """b's kids (on `page`) to the end of a, and a's last element joined with b's first element
        likewise, `depth` levels down."""
        joined[id(b)] = a
        b_kids = list(b.kids)
        if a.s == "/Table" and b_kids and isinstance(b_kids[0], _E) and b_kids[0].s == "/THead" \
                and any(isinstance(k, _E) and k.s == "/THead" for k in a.kids):
            for key in self.content(b_kids[0]):        # the header row repeated on the next page
                self.artifact[key] = "repeat"
                self.owner.pop(key, None)
                self.moved.add(key)
            b_kids = b_kids[1:]
        last = a.kids[-1] if a.kids else None
        first = b_kids[0] if b_kids else None
        deeper = depth > 1 and isinstance(last, _E) and isinstance(first, _E) and last.s == first.s
        for kid in b_kids[1:] if deeper else b_kids:
            if isinstance(kid, _E):
                kid.parent = a
                kid.changed = True     # its /P
            elif kid[0] == "m":
                self.owner[kid[1:]] = a
                self.moved.add(kid[1:])
            a.kids.append(kid)
        a.changed = True
        if deeper:
            self.join(last, first, depth - 1, page, joined)

    # 3. a list item always in a list
    def lists(self) -> None:
        """An LI outside any L goes into the L just before it, or into an L of its own."""
        def mend(parent: _E | None, items: list) -> list | None:
            if parent is not None and parent.s == "/L":
                return None
            out, changed = [], False
            for k in items:
                if isinstance(k, _E) and k.s == "/LI":
                    changed = True
                    prev = out[-1] if out else None
                    if not (isinstance(prev, _E) and prev.s == "/L"):
                        obj = self.doc.make_indirect(Dictionary(Type=Name.StructElem, S=Name.L))
                        if k.page is not None:
                            obj.Pg = self.pages[k.page]
                        prev = _E(obj, "/L", k.page, parent)
                        prev.changed = True
                        out.append(prev)
                    k.parent = prev
                    k.changed = True
                    prev.kids.append(k)
                    prev.changed = True
                else:
                    out.append(k)
            return out if changed else None
        mended = mend(None, self.tops)
        if mended is not None:
            self.tops, self.tops_changed = mended, True
        for e in list(self.walk(self.tops)):
            mended = mend(e, e.kids)
            if mended is not None:
                e.kids, e.changed = mended, True

    # 4. links
    def links(self) -> None:
        by_obj: dict = {}
        for e in self.walk(self.tops):
            for k in e.kids:
                if isinstance(k, tuple) and k[0] == "o":
                    by_obj.setdefault(id(e), e)
        roots: dict[int, _E] = {}
        for e in by_obj.values():
            top = e
            while top.parent is not None and (top.parent.s == "/Link" or _holds_objr(top.parent)):
                top = top.parent
            roots.setdefault(id(top), top)
        if not roots:
            return
        destinations = dests(self.doc)
        headings = self.headings()
        for top in roots.values():
            self.flatten_link(top)
            description = self.describe(top, destinations, headings)
            if description:
                top.obj.Alt = String(description)
                for k in top.kids:
                    if k[0] == "o" and isinstance(k[1].get("/Obj"), Dictionary):
                        k[1].Obj.Contents = String(description)

    def flatten_link(self, top: _E) -> None:
        """One Link element: its OBJRs and marked content, with no element inside it."""
        flat = []

        def visit(e: _E, depth: int = 0) -> None:
            for k in e.kids:
                if isinstance(k, _E):
                    if depth < 100:
                        visit(k, depth + 1)
                    continue
                if k[0] == "o":
                    if "/Pg" not in k[1] and e.page is not None:
                        k[1].Pg = self.pages[e.page]
                    annot = k[1].get("/Obj")
                    if isinstance(annot, Dictionary) and "/StructParent" in annot:
                        self.annot_owner[int(annot.StructParent)] = top
                else:
                    self.owner[k[1:]] = top
                    if e is not top:
                        self.moved.add(k[1:])
                flat.append(k)
        visit(top)
        if top.s != "/Link" or any(isinstance(k, _E) for k in top.kids):
            top.s = "/Link"
            top.obj.S = Name.Link
            top.kids = flat
            top.changed = True

    def headings(self) -> dict[int, list[tuple[float, _E]]]:
        found: dict[int, list[tuple[float, _E]]] = {}
        for e in self.walk(self.tops):
            if e.s in _HEADINGS:
                first = next(iter(self.content(e)), None)
                at = self.where(first) if first else None
                if at is not None:
                    found.setdefault(first[0], []).append((at[1], e))
        return found

    def describe(self, link: _E, destinations, headings) -> str:
        own = self.text(link)
        target = None
        for k in link.kids:
            annot = k[1].get("/Obj") if k[0] == "o" else None
            if not isinstance(annot, Dictionary):
                continue
            if "/Dest" in annot:
                target = annot.Dest
            elif isinstance(annot.get("/A"), Dictionary) and annot.A.get("/S") == "/GoTo":
                target = annot.A.get("/D")
            if target is not None:
                break
        if target is None:
            action = next((k[1].Obj.get("/A") for k in link.kids if k[0] == "o" and isinstance(k[1].get("/Obj"), Dictionary)), None)
            uri = str(action.get("/URI", "")) if isinstance(action, Dictionary) else ""
            # a web or mail link reads as its text; an address opgen resolves later (a pack's
            # "pack-part:") is left for whoever resolves it
            # a link to another part of a document built in parts (`dest:`, resolved by the merge) reads
            # as its own text, the heading or reference it shows
            return own if re.match(r"(?i)(https?|mailto|ftp|dest):", uri) or not uri else ""
        if isinstance(target, (String, Name)):
            target = destinations.get(bytes(target) if isinstance(target, String) else str(target)[1:].encode())
        if isinstance(target, Dictionary):
            target = target.get("/D")
        if not isinstance(target, Array) or not len(target) or not isinstance(target[0], Dictionary):
            return own
        page = self.page_of.get(target[0].objgen)
        if page is None:
            return own
        top = float(target[3]) if len(target) > 3 and target[1] == "/XYZ" and target[3] is not None else 1e9
        below = [(y, h) for y, h in headings.get(page, []) if y <= top + 2]
        heading = self.text(max(below, key=lambda t: t[0])[1]) if below else ""
        return display.link_description(heading or own, _page_label(self.doc, page))

    # 5. the file: artifacts marked, elements written back, ParentTree in step
    def finish(self) -> None:
        for i, found in enumerate(self.marked):
            marks = [m for m in found if (i, m.mcid) in self.artifact]
            if not marks:
                continue
            data, out, at = self.texts[i].data, [], 0
            for m in marks:
                out.append(data[at:m.start])
                out.append(_PAGINATION[self.artifact[(i, m.mcid)]])
                at = m.end
            out.append(data[at:])
            self.pages[i].Contents = self.doc.make_stream(b"".join(out)[1:])
        self.prune()
        for e in self.walk(self.tops):
            if e.changed:
                self.write(e)
        holder = self.doc_elem if self.doc_elem is not None else self.root
        if self.tops_changed:
            holder.K = Array([t.obj for t in self.tops])
        # ParentTree: each page's array by MCID, each annotation's element
        arrays: dict[int, object] = {}
        for page, mcid in sorted(self.moved):
            obj = self.pages[page]
            if "/StructParents" not in obj:
                continue
            key = int(obj.StructParents)
            arr = arrays.get(key)
            if arr is None:
                old = self.entries.get(key)
                arr = arrays[key] = list(old) if isinstance(old, Array) else []
            while len(arr) <= mcid:
                arr.append(None)
            owner = self.owner.get((page, mcid))
            arr[mcid] = owner.obj if owner is not None else None
        for key, arr in arrays.items():
            self.entries[key] = Array(arr)
        for key, e in self.annot_owner.items():
            self.entries[key] = e.obj
        nums = Array()
        for key in sorted(self.entries):
            nums.append(key)
            nums.append(self.entries[key])
        self.root.ParentTree = self.doc.make_indirect(Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = max(self.entries, default=-1) + 1

    def write(self, e: _E) -> None:
        k = Array()
        for kid in e.kids:
            if isinstance(kid, _E):
                k.append(kid.obj)
            elif kid[0] == "o":
                k.append(kid[1])
            elif kid[1] == e.page:
                k.append(kid[2])
            else:
                k.append(Dictionary(Type=Name.MCR, Pg=self.pages[kid[1]], MCID=kid[2]))
        e.obj.K = k
        if e.parent is not None:
            e.obj.P = e.parent.obj

    def prune(self) -> None:
        """Elements left with nothing in them (a nested link's, the repeated header's) go."""
        def empty(e: _E) -> bool:
            kept = [k for k in e.kids if not (isinstance(k, _E) and empty(k))]
            if len(kept) != len(e.kids):
                e.kids = kept
                e.changed = True
            return not kept and "/Alt" not in e.obj and "/ActualText" not in e.obj
        kept = [t for t in self.tops if not empty(t)]
        if len(kept) != len(self.tops):
            self.tops = kept
            self.tops_changed = True


def _holds_objr(e: _E) -> bool:
    return any(isinstance(k, tuple) and k[0] == "o" for k in e.kids)


def _page_label(doc: pikepdf.Pdf, index: int) -> int:
    """The page's number as printed ("Page 12 of 40"): its place in the document."""
    return index + 1


def fix_structure(pdf: bytes, *, watermark: str | None = None, continued: Sequence[int] = ()) -> bytes:
    """The PDF WeasyPrint wrote, with its structure mended (see the module's docstring).

    `watermark`: the text of an element repeated on every page as a watermark ("DRAFT"), made a
    watermark artifact. `continued[i]`: how many levels of elements run on from page i + 1 to page
    i + 2 (a section, its table, the table's body: 3), which are joined. A PDF with no structure
    tree comes back as it was; any other is saved with its streams compressed: opgen.render.weasy has
    WeasyPrint write them uncompressed, as QPDF compresses them here faster than pydyf would (at zlib's
    level 6, not 9: a 42-page part 0.11 s sooner, 0.04% bigger)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.get("/StructTreeRoot")
        if not isinstance(root, Dictionary):
            return pdf
        fixer = _Fixer(doc, root)
        for e in fixer.walk(fixer.tops):   # table headers' scope, in the same pass (opening and saving a
            if e.s == "/Table":             # long part costs a tenth of a second), on the tree read once
                scope_table(e.obj)
        fixer.furniture(watermark)
        fixer.join_continued(continued)
        fixer.lists()
        fixer.links()
        fixer.finish()
        ident = doc.trailer.get("/ID")
        seed = b"".join(bytes(x) for x in ident) if isinstance(ident, Array) else pdf[:64]
        buffer = io.BytesIO()
        doc.save(buffer, static_id=True, compress_streams=True, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = buffer.getvalue()
    halves = [hashlib.md5(b"opgen.pdftags:" + seed).digest()]
    if isinstance(ident, Array):     # QPDF kept the first half of the input's /ID and fixed the second
        return replace_static_id(data, *halves)
    return replace_static_id(data, hashlib.md5(seed).digest(), *halves)


# --- what the layout knows ------------------------------------------------------------------------

def layout_hints(document) -> tuple[str | None, list[int]]:
    """From a laid-out WeasyPrint Document: the text of its watermark (an aria-hidden element fixed
    on every page, as opgen's templates draw "DRAFT"), and for each page break how many levels of
    elements run on across it (what `fix_structure` joins)."""
    try:
        return _layout_hints(document)
    except (AttributeError, KeyError, TypeError):   # boxes read through WeasyPrint's private API: if
        return None, []                              # it has changed, mend what needs no hints


def _layout_hints(document) -> tuple[str | None, list[int]]:
    from weasyprint.formatting_structure import boxes

    pages = document.pages
    watermark = None
    if pages:
        for box in pages[0]._page_box.descendants(placeholders=True):
            box = getattr(box, "_box", box)
            element = getattr(box, "element", None)
            if element is not None and element.get("aria-hidden") == "true" and box.style["position"] == "fixed":
                watermark = " ".join("".join(element.itertext()).split()) or None
                break
    paths = [(_flow_path(page, boxes, first=True), _flow_path(page, boxes, first=False)) for page in pages]
    continued = []
    for (_, last), (first, _) in zip(paths, paths[1:]):
        depth = 0
        for a, b in zip(last, first):
            if a != b:
                break
            depth += 1
        continued.append(depth)
    return watermark, continued


def _flow_path(page, boxes, *, first: bool) -> list[tuple]:
    """The elements (element, tag, kind of box) from the page's top down to its first (or last)
    box in the flow, as WeasyPrint's tags.py makes structure of them: the html and body boxes are
    not elements, a table wrapper and its table are one (captions and row groups its kids), a
    block of lines ends the path. A header row repeated at the top of a page is passed over."""
    root = next((c for c in page._page_box.children if not isinstance(c, boxes.MarginBox)), None)
    path: list[tuple] = []
    box = root
    for _ in range(200):
        if box is None or not isinstance(box, boxes.ParentBox) or isinstance(box, boxes.LineBox):
            break
        children = list(box.children)
        if box.element_tag not in ("html", "body"):
            if box.is_table_wrapper:
                table = box.get_wrapped_table()
                children = [k for c in box.children for k in (c.children if c is table else [c])]
                if first and len(children) > 1 and getattr(children[0], "is_header", False):
                    children = children[1:]
            path.append((id(box.element), box.element_tag, type(box).__name__))
        children = [c for c in children if not hasattr(c, "_box") and c.style["position"] not in ("fixed", "absolute")]
        if not children or any(isinstance(c, (boxes.LineBox, boxes.TextBox)) for c in children):
            break
        box = children[0] if first else children[-1]
    return path


def repage_links(doc: pikepdf.Pdf) -> None:
    """Put right the page in each link's description ("..., page 12") once pages have moved (parts
    merged into one document): the page its destination is now on. Only descriptions
    fix_structure wrote (ending in ", page N") change, on the annotation and its Link element."""
    page_of = {p.obj.objgen: i for i, p in enumerate(doc.pages)}
    root = doc.Root.get("/StructTreeRoot")
    entries: dict[int, object] = {}
    if isinstance(root, Dictionary):
        number_tree(root.get("/ParentTree"), entries)
    names = None
    for page in doc.pages:
        for annot in page.obj.get("/Annots", ()):
            if not isinstance(annot, Dictionary) or annot.get("/Subtype") != "/Link" or "/Contents" not in annot:
                continue
            target = annot.get("/Dest")
            if target is None and isinstance(annot.get("/A"), Dictionary) and annot.A.get("/S") == "/GoTo":
                target = annot.A.get("/D")
            if isinstance(target, (String, Name)):
                if names is None:
                    names = dests(doc)
                target = names.get(bytes(target) if isinstance(target, String) else str(target)[1:].encode())
            if isinstance(target, Dictionary):
                target = target.get("/D")
            if not isinstance(target, Array) or not len(target) or not isinstance(target[0], Dictionary):
                continue
            index = page_of.get(target[0].objgen)
            if index is None:
                continue
            text = display.link_repaged(str(annot.Contents), _page_label(doc, index))
            if text == str(annot.Contents):
                continue
            annot.Contents = String(text)
            elem = entries.get(int(annot.StructParent)) if "/StructParent" in annot else None
            if isinstance(elem, Dictionary) and "/Alt" in elem:
                elem.Alt = String(text)

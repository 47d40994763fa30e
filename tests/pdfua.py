"""A checker for the machine-checkable PDF/UA-1 rules that matter for opgen's board papers.

It reads a PDF back with pikepdf, as a screen reader's view of it would be built, and returns every
problem found as a Problem(rule, page, what). It is a test helper, not part of opgen.

Rules (the `rule` of each Problem):

- ``untagged``: a text-showing, path-painting or image operator outside both an /Artifact and a
  marked-content sequence with an MCID (content streams of pages and the form XObjects they draw).
- ``mcid-unreached``: an MCID in the content that no structure element reaches (no /ParentTree
  entry, or the entry names an element the tree does not reach, or one that does not claim that
  MCID on that page: /Pg wrong).
- ``mcid-dangling``: a structure element claims an MCID that the page's content does not have.
- ``headings``: the first heading is not H1, or a heading skips a level (H3 after H1); ``one-h1``:
  more than one H1 (a pack may allow several, one per paper it binds, with allow_many_h1=True).
- ``table-scope``: a TH without /Scope Row, Column or Both in an attribute object with /O /Table.
- ``table-structure``: TR outside Table/THead/TBody/TFoot, TH/TD outside TR, a Table or table
  section holding anything other than its rows and sections.
- ``list-structure``: LI outside L; L holding anything other than LI, Caption or L.
- ``figure-alt``: a Figure (or Formula) with no non-empty /Alt or /ActualText.
- ``link``: a /Link annotation not reached by an OBJR from a Link structure element, a Link element
  inside another Link, a link with no description (/Alt on the element, /Contents on the
  annotation), or a description that is an internal id (``sec-1``, ``#act-uc-03``).
- ``tabs``: a page with annotations whose /Tabs is not /S.
- ``lang``, ``marked``, ``display-title``, ``title``, ``pdfua-id``: the catalog's /Lang, /MarkInfo
  /Marked true, /ViewerPreferences /DisplayDocTitle true, a non-empty title in /Info and in XMP
  dc:title, and pdfuaid:part 1 in XMP.
- ``text-size``: text shown smaller than 7.5 pt (font size times the text and current matrices,
  measured along the glyphs' vertical axis).
- ``no-structure``: the document has no structure tree at all.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf

MIN_TEXT_PT = 7.5

TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh"}
TABLE_SECTIONS = {"THead", "TBody", "TFoot"}
HEADING = re.compile(r"^H([1-6])$")
INTERNAL_ID = re.compile(r"^#|^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+$")


@dataclass(frozen=True)
class Problem:
    rule: str
    page: int | None  # 1-based; None for document-level problems
    what: str

    def __str__(self) -> str:
        where = f"page {self.page}" if self.page else "document"
        return f"{self.rule} ({where}): {self.what}"


def check(source, *, allow_many_h1: bool = False) -> list[Problem]:
    """Every PDF/UA problem in a PDF (a path, bytes or an open pikepdf.Pdf)."""
    if isinstance(source, pikepdf.Pdf):
        return _Checker(source, allow_many_h1).run()
    if isinstance(source, (bytes, bytearray)):
        import io

        with pikepdf.open(io.BytesIO(bytes(source))) as pdf:
            return _Checker(pdf, allow_many_h1).run()
    with pikepdf.open(Path(source)) as pdf:
        return _Checker(pdf, allow_many_h1).run()


def summary(problems: list[Problem]) -> Counter:
    """Problems counted by rule."""
    return Counter(p.rule for p in problems)


def _text(value) -> str:
    if value is None:
        return ""
    try:
        return str(value).strip()
    except Exception:  # noqa: BLE001 - an undecodable string counts as empty
        return ""


def _name(value) -> str:
    return str(value)[1:] if value is not None and str(value).startswith("/") else str(value or "")


def _key(obj):
    """A stable identity for a PDF object (indirect objects by objgen, direct ones by id)."""
    try:
        if obj.is_indirect:
            return obj.objgen
    except Exception:  # noqa: BLE001
        pass
    return ("direct", id(obj))


def _mul(a, b):
    """Multiply two PDF matrices [a b c d e f] (a then b)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class _Checker:
    def __init__(self, pdf: pikepdf.Pdf, allow_many_h1: bool):
        self.pdf = pdf
        self.allow_many_h1 = allow_many_h1
        self.problems: list[Problem] = []
        self.page_no = {page.objgen: i + 1 for i, page in enumerate(pdf.pages)}
        self.role_map: dict[str, str] = {}
        # what the structure tree reaches
        self.reached_elems: set = set()
        self.claimed: dict[tuple, object] = {}  # (page objgen, mcid) -> element key
        self.objr_annots: dict = {}  # annotation objgen -> Link element (or other type)
        self.headings: list[tuple[int, int | None]] = []

    def add(self, rule, page, what):
        self.problems.append(Problem(rule, page, what))

    # -- document level -------------------------------------------------------------------------

    def run(self) -> list[Problem]:
        self.check_catalog()
        root = self.pdf.Root.get("/StructTreeRoot")
        if root is None:
            self.add("no-structure", None, "the document has no structure tree (/StructTreeRoot)")
        else:
            role_map = root.get("/RoleMap")
            if role_map is not None:
                self.role_map = {_name(k): _name(v) for k, v in role_map.items()}
            kids = root.get("/K")
            for kid in self.kids(kids):
                self.walk(kid, parent_type="Document", inside_link=False, page=None)
            self.check_headings()
        parent_tree = self.parent_tree(root) if root is not None else {}
        for index, page in enumerate(self.pdf.pages):
            self.check_page(index + 1, page, parent_tree)
        return self.problems

    def check_catalog(self):
        root = self.pdf.Root
        if not _text(root.get("/Lang")):
            self.add("lang", None, "no /Lang on the catalog (the document's language)")
        mark = root.get("/MarkInfo")
        if mark is None or not bool(mark.get("/Marked", False)):
            self.add("marked", None, "/MarkInfo /Marked is not true")
        prefs = root.get("/ViewerPreferences")
        if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
            self.add("display-title", None, "/ViewerPreferences /DisplayDocTitle is not true")
        info = self.pdf.trailer.get("/Info")
        if info is None or not _text(info.get("/Title")):
            self.add("title", None, "no title in the document information dictionary")
        try:
            meta = self.pdf.open_metadata()
            title = _text(meta.get("dc:title"))
            part = _text(meta.get("pdfuaid:part"))
        except Exception:  # noqa: BLE001 - unreadable XMP is missing XMP
            title = part = ""
        if not title:
            self.add("title", None, "no dc:title in the XMP metadata")
        if part != "1":
            self.add("pdfua-id", None, "no PDF/UA identification (pdfuaid:part 1) in the XMP metadata")

    # -- structure tree -------------------------------------------------------------------------

    @staticmethod
    def kids(k):
        if k is None:
            return []
        if isinstance(k, pikepdf.Array):
            return list(k)
        return [k]

    def role(self, elem) -> str:
        kind = _name(elem.get("/S"))
        seen = set()
        while kind in self.role_map and kind not in seen:
            seen.add(kind)
            kind = self.role_map[kind]
        return kind

    def page_of(self, obj):
        page = obj.get("/Pg") if isinstance(obj, pikepdf.Dictionary) else None
        return page.objgen if page is not None else None

    def walk(self, elem, *, parent_type: str, inside_link: bool, page):
        if not isinstance(elem, pikepdf.Dictionary):
            return
        key = _key(elem)
        if key in self.reached_elems:
            return
        self.reached_elems.add(key)
        kind = self.role(elem)
        page = self.page_of(elem) or page
        page_no = self.page_no.get(page)
        self.check_element(elem, kind, parent_type, inside_link, page_no)
        for kid in self.kids(elem.get("/K")):
            if isinstance(kid, (int, pikepdf.Object)) and not isinstance(kid, pikepdf.Dictionary):
                try:
                    mcid = int(kid)
                except (TypeError, ValueError):
                    continue
                self.claim(page, mcid, key)
            elif isinstance(kid, pikepdf.Dictionary):
                kid_type = _name(kid.get("/Type"))
                if kid_type == "MCR":
                    stream = kid.get("/Stm")
                    container = stream.objgen if stream is not None else (self.page_of(kid) or page)
                    self.claim(container, int(kid.get("/MCID")), key)
                elif kid_type == "OBJR":
                    target = kid.get("/Obj")
                    if target is not None:
                        self.objr_annots[_key(target)] = (kind, elem)
                else:
                    self.walk(kid, parent_type=kind, inside_link=inside_link or kind == "Link", page=page)

    def claim(self, page, mcid: int, elem_key):
        if page is None:
            self.add("mcid-unreached", None, f"a structure element claims MCID {mcid} without saying its page (/Pg)")
            return
        self.claimed[(page, mcid)] = elem_key

    def check_element(self, elem, kind, parent_type, inside_link, page_no):
        match = HEADING.match(kind)
        if match:
            self.headings.append((int(match.group(1)), page_no))
        if kind == "TH":
            if not self.th_scope(elem):
                self.add("table-scope", page_no, "a table header cell (TH) has no /Scope (Row, Column or Both)")
        if kind in ("TH", "TD") and parent_type != "TR":
            self.add("table-structure", page_no, f"a {kind} cell sits in {parent_type}, not in a TR row")
        if kind == "TR" and parent_type not in ({"Table"} | TABLE_SECTIONS):
            self.add("table-structure", page_no, f"a TR row sits in {parent_type}, not in a Table")
        if kind in TABLE_SECTIONS and parent_type != "Table":
            self.add("table-structure", page_no, f"a {kind} sits in {parent_type}, not in a Table")
        if kind == "Table" or kind in TABLE_SECTIONS:
            allowed = {"TR"} | (TABLE_SECTIONS | {"Caption"} if kind == "Table" else set())
            for kid in self.kids(elem.get("/K")):
                if isinstance(kid, pikepdf.Dictionary) and _name(kid.get("/Type")) not in ("MCR", "OBJR"):
                    kid_kind = self.role(kid)
                    if kid_kind not in allowed:
                        self.add("table-structure", page_no, f"a {kind} holds a {kid_kind}, not rows")
        if kind == "LI" and parent_type != "L":
            self.add("list-structure", page_no, f"a list item (LI) sits in {parent_type}, not in a list (L)")
        if kind == "L":
            for kid in self.kids(elem.get("/K")):
                if isinstance(kid, pikepdf.Dictionary) and _name(kid.get("/Type")) not in ("MCR", "OBJR"):
                    kid_kind = self.role(kid)
                    if kid_kind not in ("LI", "Caption", "L"):
                        self.add("list-structure", page_no, f"a list (L) holds a {kid_kind}, not list items")
        if kind in ("Figure", "Formula"):
            if not (_text(elem.get("/Alt")) or _text(elem.get("/ActualText"))):
                self.add("figure-alt", page_no, f"a {kind} has no alternative text (/Alt)")
        if kind == "Link" and inside_link:
            self.add("link", page_no, "a Link element sits inside another Link")

    @staticmethod
    def th_scope(elem) -> bool:
        attrs = elem.get("/A")
        if attrs is None:
            return False
        items = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and _name(item.get("/O")) == "Table":
                if _name(item.get("/Scope")) in ("Row", "Column", "Both"):
                    return True
        return False

    def check_headings(self):
        previous = None
        h1 = 0
        for level, page_no in self.headings:
            if level == 1:
                h1 += 1
                if h1 == 2 and not self.allow_many_h1:
                    self.add("one-h1", page_no, "a second H1: a paper has one H1, its title")
            if previous is None and level != 1:
                self.add("headings", page_no, f"the first heading is H{level}, not H1")
            elif previous is not None and level > previous + 1:
                self.add("headings", page_no, f"H{level} follows H{previous}: a heading level is skipped")
            previous = level

    def parent_tree(self, root) -> dict[int, object]:
        """The /ParentTree number tree flattened: key -> value."""
        result: dict[int, object] = {}
        tree = root.get("/ParentTree")

        def visit(node, depth=0):
            if node is None or depth > 32:
                return
            nums = node.get("/Nums")
            if nums is not None:
                for i in range(0, len(nums) - 1, 2):
                    result[int(nums[i])] = nums[i + 1]
            for kid in node.get("/Kids", []):
                visit(kid, depth + 1)

        visit(tree)
        return result

    # -- content ----------------------------------------------------------------------------------

    def check_page(self, page_no: int, page, parent_tree):
        page_obj = page.obj
        page_key = page_obj.objgen
        struct_parents = page_obj.get("/StructParents")
        entry = parent_tree.get(int(struct_parents)) if struct_parents is not None else None
        seen_mcids: set[int] = set()
        state = _ContentState(self, page_no, page_key, entry, seen_mcids, parent_tree)
        try:
            state.run(pikepdf.parse_content_stream(page_obj), page_obj.get("/Resources"), [], IDENTITY, depth=0)
        except pikepdf.PdfError as error:
            self.add("untagged", page_no, f"the page's content cannot be read: {error}")
        state.flush()
        for (claimed_page, mcid) in self.claimed:
            if claimed_page == page_key and mcid not in seen_mcids:
                self.add("mcid-dangling", page_no, f"the structure tree claims MCID {mcid}, which the page's own content does not have")
        self.check_annotations(page_no, page_obj, parent_tree)

    def check_annotations(self, page_no, page_obj, parent_tree):
        annots = page_obj.get("/Annots")
        if annots is None or len(annots) == 0:
            return
        if _name(page_obj.get("/Tabs")) != "S":
            self.add("tabs", page_no, "a page with annotations has no /Tabs /S (tab order by structure)")
        for annot in annots:
            if _name(annot.get("/Subtype")) != "Link":
                continue
            where = self.link_where(annot)
            found = self.objr_annots.get(_key(annot))
            if found is None:
                self.add("link", page_no, f"a link{where} is not reached from the structure tree (no OBJR)")
                continue
            kind, elem = found
            if kind != "Link":
                self.add("link", page_no, f"a link{where} sits under {kind}, not a Link element")
                continue
            number = annot.get("/StructParent")
            if number is None or _key(parent_tree.get(int(number))) != _key(elem):
                self.add("link", page_no, f"a link{where} has no /StructParent leading back to its Link element")
            description = _text(elem.get("/Alt")) or _text(annot.get("/Contents"))
            if not description:
                self.add("link", page_no, f"a link{where} has no description (/Alt or /Contents)")
            elif INTERNAL_ID.match(description):
                self.add("link", page_no, f"a link{where} is described by an internal id, {description!r}")

    @staticmethod
    def link_where(annot) -> str:
        action = annot.get("/A")
        if action is not None and action.get("/URI") is not None:
            return f" to {_text(action.get('/URI'))[:60]}"
        dest = annot.get("/Dest")
        if dest is None and action is not None:
            dest = action.get("/D")
        if isinstance(dest, (pikepdf.String, pikepdf.Name)):
            return f" to {_text(dest)[:60]}"
        return ""


class _ContentState:
    """Walks one page's content (and the forms it draws) with the marked-content stack, the graphics
    state's matrix and the text state, recording untagged content and small text."""

    def __init__(self, checker: _Checker, page_no, page_key, entry, seen_mcids, parent_tree=None):
        self.c = checker
        self.page_no = page_no
        self.page_key = page_key  # the container MCIDs are numbered in: the page, or a form XObject
        self.entry = entry
        self.seen = seen_mcids
        self.parent_tree = parent_tree or {}
        self.entry_is_page = True
        self.untagged = Counter()
        self.small: list[tuple[float, str]] = []
        self.reported_mcids: set[int] = set()

    def flush(self):
        for what, count in sorted(self.untagged.items()):
            for _ in range(count):
                self.c.add("untagged", self.page_no, what)
        for size, where in self.small:
            self.c.add("text-size", self.page_no, f"text of {size:.1f} pt{where} (at least {MIN_TEXT_PT} pt)")

    def mcid_ok(self, mcid: int):
        self.seen.add(mcid)
        if mcid in self.reported_mcids:
            return
        elem = None
        if self.entry is not None and isinstance(self.entry, pikepdf.Array) and 0 <= mcid < len(self.entry):
            elem = self.entry[mcid]
        problem = None
        if elem is None or not isinstance(elem, pikepdf.Dictionary):
            problem = f"MCID {mcid} has no structure element in /ParentTree"
        elif _key(elem) not in self.c.reached_elems:
            problem = f"MCID {mcid}'s structure element is not reached from the structure tree root"
        elif self.c.claimed.get((self.page_key, mcid)) != _key(elem):
            problem = (f"MCID {mcid}'s structure element does not claim it on this page (/Pg wrong or /K missing)"
                       if self.entry_is_page else
                       f"MCID {mcid} in a form XObject is not claimed by an MCR naming the form (/Stm)")
        if problem:
            if not self.entry_is_page and "form XObject" not in problem:
                problem = f"in a form XObject: {problem} (a form's MCIDs are its own, found through its /StructParents)"
            self.reported_mcids.add(mcid)
            self.c.add("mcid-unreached", self.page_no, problem)

    def run(self, instructions, resources, stack, ctm, depth):
        gstack = []
        tm = tlm = IDENTITY
        font_size = 0.0
        leading = 0.0
        for inst in instructions:
            if isinstance(inst, pikepdf.ContentStreamInlineImage):
                self.paint(stack, "an inline image")
                continue
            op = str(inst.operator)
            args = inst.operands
            if op == "q":
                gstack.append(ctm)
            elif op == "Q":
                ctm = gstack.pop() if gstack else ctm
            elif op == "cm":
                ctm = _mul(tuple(float(x) for x in args), ctm)
            elif op in ("BDC", "BMC"):
                tag = _name(args[0])
                mcid = None
                if op == "BDC" and isinstance(args[1], pikepdf.Dictionary) and args[1].get("/MCID") is not None:
                    mcid = int(args[1].get("/MCID"))
                    self.mcid_ok(mcid)
                stack.append((tag, mcid))
            elif op == "EMC":
                if stack:
                    stack.pop()
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tf":
                font_size = float(args[1])
            elif op == "TL":
                leading = float(args[0])
            elif op == "Tm":
                tm = tlm = tuple(float(x) for x in args)
            elif op in ("Td", "TD"):
                if op == "TD":
                    leading = -float(args[1])
                tlm = _mul((1, 0, 0, 1, float(args[0]), float(args[1])), tlm)
                tm = tlm
            elif op == "T*":
                tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
                tm = tlm
            elif op in TEXT_OPS:
                if op in ("'", '"'):
                    tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
                    tm = tlm
                if not self.shows_something(op, args):
                    continue
                self.paint(stack, "text")
                m = _mul(tm, ctm)
                size = abs(font_size) * math.hypot(m[2], m[3])
                if 0 < size < MIN_TEXT_PT - 0.05:
                    self.small.append((size, self.where(stack, m)))
            elif op in PAINT_OPS:
                self.paint(stack, "a painted path" if op != "sh" else "a shading")
            elif op == "Do":
                xobjects = resources.get("/XObject") if resources is not None else None
                xobject = xobjects.get(args[0]) if xobjects is not None else None
                if xobject is None:
                    continue
                subtype = _name(xobject.get("/Subtype"))
                if subtype == "Image":
                    self.paint(stack, "an image")
                elif subtype == "Form" and depth < 12:
                    matrix = xobject.get("/Matrix")
                    form_ctm = _mul(tuple(float(x) for x in matrix), ctm) if matrix is not None else ctm
                    form_resources = xobject.get("/Resources") or resources
                    # a form's MCIDs are its own (PDF 14.7.4.3): found through its /StructParents
                    # and claimed by an MCR whose /Stm is the form, never as the page's
                    form_stack = list(stack)
                    if xobject.get("/StructParent") is not None:
                        form_stack.append(("Form", -1))  # the whole form is one content item
                    number = xobject.get("/StructParents")
                    form_state = _ContentState(self.c, self.page_no, xobject.objgen,
                                               self.parent_tree.get(int(number)) if number is not None else None,
                                               set(), self.parent_tree)
                    form_state.entry_is_page = False
                    form_state.run(pikepdf.parse_content_stream(xobject), form_resources, form_stack, form_ctm, depth + 1)
                    form_state.flush()

    @staticmethod
    def shows_something(op, args) -> bool:
        value = args[-1] if args else None
        if isinstance(value, pikepdf.Array):
            return any(isinstance(x, pikepdf.String) and len(bytes(x)) > 0 for x in value)
        if isinstance(value, pikepdf.String):
            return len(bytes(value)) > 0
        return False

    def paint(self, stack, what):
        if any(tag == "Artifact" for tag, _ in stack):
            return
        if any(mcid is not None for _, mcid in stack):
            return
        inside = f" inside /{stack[-1][0]} without an MCID" if stack else " outside any marked content"
        self.untagged[f"{what}{inside}"] += 1

    def where(self, stack, m) -> str:
        mcid = next((mcid for _, mcid in reversed(stack) if mcid is not None), None)
        tag = ""
        if mcid is not None and isinstance(self.entry, pikepdf.Array) and 0 <= mcid < len(self.entry):
            elem = self.entry[mcid]
            if isinstance(elem, pikepdf.Dictionary):
                path = []
                node = elem
                for _ in range(4):
                    if not isinstance(node, pikepdf.Dictionary) or node.get("/S") is None:
                        break
                    path.append(self.c.role(node))
                    node = node.get("/P")
                tag = " in " + "<".join(path)
        return f"{tag} at ({m[4]:.0f}, {m[5]:.0f})"


def main(argv: list[str] | None = None) -> int:
    """`python tests/pdfua.py FILE.pdf ...`: every problem of each PDF, and the count by rule."""
    import sys

    files = sys.argv[1:] if argv is None else argv
    failed = 0
    for name in files:
        found = check(name)
        failed += bool(found)
        counts = ", ".join(f"{rule} {n}" for rule, n in sorted(summary(found).items())) or "no problems"
        print(f"{name}: {counts}")
        for problem in found:
            print(f"  {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

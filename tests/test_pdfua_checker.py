"""The PDF/UA checker (tests/pdfua.py) itself: a small, well-made PDF passes, and each rule fails on a
PDF that breaks it, so a clean result on opgen's papers means something."""

from __future__ import annotations

import io

import pikepdf
import pytest

import pdfua



def font() -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)


def text(mcid: int | None, words: str = "Hello", size: float = 10, y: int = 700, tag: str = "P") -> str:
    show = f"BT /F1 {size} Tf 1 0 0 1 72 {y} Tm ({words}) Tj ET"
    if mcid is None:
        return show
    return f"/{tag} <</MCID {mcid}>> BDC {show} EMC"


def artifact(body: str) -> str:
    return f"/Artifact BMC {body} EMC"


def E(kind: str, *kids, **entries):
    """A structure element: kids are elements, MCIDs (ints on the page) or ("OBJR", annotation index)."""
    return {"S": kind, "K": list(kids), "entries": entries}


def make_pdf(
    content: str,
    tree: list | None,
    *,
    annots: list[dict] | None = None,
    lang: str | None = "en-GB",
    marked: bool = True,
    display_title: bool = True,
    title: str | None = "A board paper",
    xmp_title: str | None = "A board paper",
    pdfua_part: str | None = "1",
    parent_tree: bool = True,
    page_tabs: str | None = "S",
    forms: dict[str, str] | None = None,
    skip_parent_tree_mcids: set[int] = frozenset(),
    wrong_page_mcids: set[int] = frozenset(),
) -> bytes:
    pdf = pikepdf.new()
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font()))
    if forms:
        xobjects = pikepdf.Dictionary()
        for name, body in forms.items():
            form = pikepdf.Stream(pdf, body.encode("latin-1"))
            form.Type = pikepdf.Name.XObject
            form.Subtype = pikepdf.Name.Form
            form.BBox = [0, 0, 612, 792]
            form.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font()))
            xobjects[f"/{name}"] = form
        resources.XObject = xobjects
    page = pdf.add_blank_page(page_size=(612, 792))
    other = pdf.add_blank_page(page_size=(612, 792))
    page.obj.Resources = resources
    page.obj.Contents = pdf.make_stream(content.encode("latin-1"))
    page.obj.StructParents = 0
    annotation_objects = []
    for i, spec in enumerate(annots or []):
        annot = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[72, 600, 200, 620],
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(spec.get("uri", "https://example.org"))),
            )
        )
        if spec.get("contents") is not None:
            annot.Contents = pikepdf.String(spec["contents"])
        annot.StructParent = 1 + i
        annotation_objects.append(annot)
    if annotation_objects:
        page.obj.Annots = pdf.make_indirect(pikepdf.Array(annotation_objects))
        if page_tabs:
            page.obj.Tabs = pikepdf.Name("/" + page_tabs)
    mcid_owner: dict[int, pikepdf.Object] = {}
    annot_owner: dict[int, pikepdf.Object] = {}

    def build(spec, parent):
        elem = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + spec["S"]), P=parent))
        elem.Pg = page.obj
        kids = pikepdf.Array()
        for kid in spec["K"]:
            if isinstance(kid, int):
                if kid in wrong_page_mcids:
                    kids.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, MCID=kid, Pg=other.obj))
                else:
                    kids.append(kid)
                mcid_owner[kid] = elem
            elif isinstance(kid, tuple) and kid[0] == "OBJR":
                annot = annotation_objects[kid[1]]
                kids.append(pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot, Pg=page.obj))
                annot_owner[kid[1]] = elem
            else:
                kids.append(build(kid, elem))
        elem.K = kids
        for key, value in spec["entries"].items():
            if key == "A":
                elem.A = pikepdf.Dictionary({f"/{k}": (pikepdf.Name("/" + v) if k in ("O", "Scope") else v) for k, v in value.items()})
            else:
                elem[f"/{key}"] = pikepdf.String(value)
        return elem

    if tree is not None:
        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        root.K = pikepdf.Array([build(spec, root) for spec in tree])
        if parent_tree:
            count = max(mcid_owner, default=-1) + 1
            mcids = pikepdf.Array(
                [mcid_owner[i] if i in mcid_owner and i not in skip_parent_tree_mcids else pikepdf.Object.parse(b"null") for i in range(count)]
            )
            nums = pikepdf.Array([0, mcids])
            for i in range(len(annotation_objects)):
                if i in annot_owner:
                    nums.extend([1 + i, annot_owner[i]])
            root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        pdf.Root.StructTreeRoot = root
    if lang:
        pdf.Root.Lang = pikepdf.String(lang)
    if marked:
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    if display_title:
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    if title:
        pdf.docinfo["/Title"] = title
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        if xmp_title:
            meta["dc:title"] = xmp_title
        if pdfua_part:
            meta.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
            meta["pdfuaid:part"] = pdfua_part
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


GOOD_CONTENT = " ".join(
    [
        artifact("0 0 612 20 re f"),
        artifact(text(None, "Page 1 of 1", y=20)),
        text(0, "Plan", size=18, tag="H1"),
        text(1, "Section", size=14, tag="H2"),
        text(2, "Body text", tag="P"),
        "/Figure <</MCID 3>> BDC 72 300 100 100 re f EMC",
        text(4, "Area", tag="TH", y=250),
        text(5, "Dover", tag="TD", y=240),
        text(6, "Item", tag="LBody", y=200),
        text(7, "Read more", tag="Link", y=610),
    ]
)

GOOD_TREE = [
    E(
        "Document",
        E("H1", 0),
        E("H2", 1),
        E("P", 2),
        E("Figure", 3, Alt="Bar chart of QIPP savings by quarter"),
        E("Table", E("TR", E("TH", 4, A={"O": "Table", "Scope": "Column"})), E("TR", E("TD", 5))),
        E("L", E("LI", E("LBody", 6))),
        E("P", E("Link", 7, ("OBJR", 0), Alt="The NHS England planning guidance")),
    )
]
GOOD_LINKS = [{"uri": "https://www.england.nhs.uk/"}]


def problems(**changes) -> list[pdfua.Problem]:
    arguments = {"content": GOOD_CONTENT, "tree": GOOD_TREE, "annots": GOOD_LINKS}
    arguments.update(changes)
    return pdfua.check(make_pdf(**arguments))


def rules(**changes) -> set[str]:
    return {p.rule for p in problems(**changes)}


def test_a_well_made_pdf_passes():
    assert problems() == []


def test_content_outside_tags_and_artifacts_fails():
    found = problems(content=GOOD_CONTENT + " 10 10 50 50 re f " + text(None, "Loose", y=100))
    untagged = [p for p in found if p.rule == "untagged"]
    assert len(untagged) == 2, found
    assert {p.page for p in untagged} == {1}
    assert any("text" in p.what for p in untagged) and any("path" in p.what for p in untagged)


def test_marked_content_without_mcid_is_not_tagged():
    found = problems(content=GOOD_CONTENT + " /Span BMC " + text(None, "Loose") + " EMC")
    assert [p.rule for p in found] == ["untagged"]
    assert "/Span without an MCID" in found[0].what


def test_content_in_a_form_xobject_is_checked_with_the_callers_tags():
    loose = problems(content=GOOD_CONTENT + " /Fm1 Do", forms={"Fm1": text(None, "In a form")})
    assert {p.rule for p in loose} == {"untagged"}
    as_artifact = problems(content=GOOD_CONTENT + " " + artifact("/Fm1 Do"), forms={"Fm1": text(None, "In a form")})
    assert as_artifact == []


def test_an_mcid_inside_a_form_xobject_is_the_forms_own():
    # the form's text is marked MCID 8 and the tree claims MCID 8 "on the page": the page has no MCID
    # 8 (it is the form's), so the tree points at content that does not exist there (WeasyPrint does
    # this for text under CSS opacity)
    tree = [E("Document", *GOOD_TREE[0]["K"], E("P", 8))]
    found = problems(content=GOOD_CONTENT + " /Fm1 Do", forms={"Fm1": text(8, "Faded", tag="Span")}, tree=tree)
    assert {p.rule for p in found} == {"mcid-unreached", "mcid-dangling"}
    assert any("form XObject" in p.what for p in found)


def test_an_mcid_no_structure_element_reaches_fails():
    # MCID 8 is in the content but not in the tree or the parent tree
    assert rules(content=GOOD_CONTENT + " " + text(8, "Orphan", tag="Span")) == {"mcid-unreached"}
    # in the tree but missing from /ParentTree
    assert rules(skip_parent_tree_mcids={2}) == {"mcid-unreached"}
    # claimed on another page (/Pg wrong): the content's MCID is unreached and the claim dangles
    assert rules(wrong_page_mcids={2}) == {"mcid-unreached", "mcid-dangling"}


def test_a_claimed_mcid_the_page_lacks_dangles():
    tree = [E("Document", *GOOD_TREE[0]["K"], E("P", 9))]
    assert rules(tree=tree) == {"mcid-dangling"}


def test_no_structure_tree_fails():
    assert "no-structure" in rules(tree=None)


def test_headings_must_nest():
    skipped = [E("Document", E("H1", 0), E("H3", 1), *GOOD_TREE[0]["K"][2:])]
    assert rules(tree=skipped) == {"headings"}
    first_not_h1 = [E("Document", E("H2", 0), E("H2", 1), *GOOD_TREE[0]["K"][2:])]
    assert rules(tree=first_not_h1) == {"headings"}
    two_h1 = [E("Document", E("H1", 0), E("H1", 1), *GOOD_TREE[0]["K"][2:])]
    assert rules(tree=two_h1) == {"one-h1"}
    assert pdfua.check(make_pdf(GOOD_CONTENT, two_h1, annots=GOOD_LINKS), allow_many_h1=True) == []


def table_tree(table):
    kids = list(GOOD_TREE[0]["K"])
    kids[4] = table
    return [E("Document", *kids)]


def test_header_cells_need_scope():
    no_scope = E("Table", E("TR", E("TH", 4)), E("TR", E("TD", 5)))
    assert rules(tree=table_tree(no_scope)) == {"table-scope"}
    wrong_owner = E("Table", E("TR", E("TH", 4, A={"O": "Layout", "Scope": "Column"})), E("TR", E("TD", 5)))
    assert rules(tree=table_tree(wrong_owner)) == {"table-scope"}


def test_tables_hold_rows_and_rows_hold_cells():
    nested = E("Table", E("TR", E("TD", E("Table", E("TR", E("TD", 4))))), E("TD", 5))
    found = problems(tree=table_tree(nested))
    assert {p.rule for p in found} == {"table-structure"}
    assert any("TD cell sits in Table" in p.what for p in found)
    assert any("Table holds a TD" in p.what for p in found)
    loose_cell = [E("Document", E("H1", 0), E("H2", 1), E("P", 2), E("Figure", 3, Alt="Chart"), E("TD", 4), E("P", 5), *GOOD_TREE[0]["K"][5:])]
    assert rules(tree=loose_cell) == {"table-structure"}


def test_list_items_belong_in_lists():
    kids = list(GOOD_TREE[0]["K"])
    kids[5] = E("Div", E("LI", E("LBody", 6)))
    assert rules(tree=[E("Document", *kids)]) == {"list-structure"}


def test_figures_need_alt_text():
    kids = list(GOOD_TREE[0]["K"])
    kids[3] = E("Figure", 3)
    assert rules(tree=[E("Document", *kids)]) == {"figure-alt"}
    kids[3] = E("Figure", 3, ActualText="QIPP savings by quarter")
    assert rules(tree=[E("Document", *kids)]) == set()


def link_tree(link):
    kids = list(GOOD_TREE[0]["K"])
    kids[6] = E("P", link)
    return [E("Document", *kids)]


def test_links_need_a_link_element_and_a_description():
    assert rules(tree=link_tree(E("Link", 7, ("OBJR", 0)))) == {"link"}  # no description
    assert rules(tree=link_tree(E("Link", 7, ("OBJR", 0))), annots=[{"contents": "Planning guidance"}]) == set()
    assert rules(tree=link_tree(E("Span", 7, ("OBJR", 0), Alt="Planning guidance"))) == {"link"}
    assert rules(tree=link_tree(E("Link", 7, Alt="Planning guidance"))) == {"link"}  # no OBJR
    found = problems(tree=link_tree(E("Link", 7, ("OBJR", 0), Alt="sec-1")))
    assert [p.rule for p in found] == ["link"] and "internal id" in found[0].what
    nested = E("Link", E("Link", 7, ("OBJR", 0), Alt="Planning guidance"), Alt="Guidance")
    assert rules(tree=link_tree(nested)) == {"link"}
    assert rules(page_tabs=None) == {"tabs"}


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"lang": None}, "lang"),
        ({"marked": False}, "marked"),
        ({"display_title": False}, "display-title"),
        ({"title": None}, "title"),
        ({"xmp_title": None}, "title"),
        ({"pdfua_part": None}, "pdfua-id"),
    ],
)
def test_document_level_requirements(change, rule):
    found = problems(**change)
    assert [p.rule for p in found] == [rule]
    assert found[0].page is None


def test_text_smaller_than_7_5_pt_fails_counting_the_matrices():
    small = GOOD_CONTENT + " " + text(8, "Tiny", size=7, tag="Span")
    tree = [E("Document", *GOOD_TREE[0]["K"], E("P", 8))]
    found = problems(content=small, tree=tree)
    assert [p.rule for p in found] == ["text-size"]
    assert "7.0 pt" in found[0].what
    # 10 pt text drawn at 0.7 scale is 7 pt on the page
    scaled = GOOD_CONTENT + " q 0.7 0 0 0.7 0 0 cm " + text(8, "Scaled", size=10, tag="Span") + " Q"
    assert rules(content=scaled, tree=tree) == {"text-size"}
    # 5 pt text drawn at twice the size is 10 pt: fine
    enlarged = GOOD_CONTENT + " q 2 0 0 2 0 0 cm " + text(8, "Large", size=5, y=100, tag="Span") + " Q"
    assert rules(content=enlarged, tree=tree) == set()
    # and text at 7.5 pt exactly is fine
    assert rules(content=GOOD_CONTENT + " " + text(8, "Edge", size=7.5, tag="Span"), tree=tree) == set()

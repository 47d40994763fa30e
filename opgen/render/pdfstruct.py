"""Reading a tagged PDF's structure with pikepdf: number and name trees, structure elements and
their kids. Shared by opgen.render.merge (joining tagged PDFs) and opgen.render.pdftags (mending
the tags WeasyPrint writes), so both read a tree the same way."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def number_tree(node, out: dict[int, object], depth: int = 0) -> None:
    """Every (key, value) of a number tree (a /Nums leaf or /Kids), into `out`."""
    if depth > 64 or not isinstance(node, Dictionary):
        return
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            out[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", ()):
        number_tree(kid, out, depth + 1)


def name_tree(node, out: dict[bytes, object], depth: int = 0) -> None:
    """Every (key, value) of a name tree (a /Names leaf or /Kids), into `out`; keys as bytes."""
    if depth > 64 or not isinstance(node, Dictionary):
        return
    names = node.get("/Names")
    if names is not None:
        for i in range(0, len(names) - 1, 2):
            out.setdefault(bytes(names[i]), names[i + 1])
    for kid in node.get("/Kids", ()):
        name_tree(kid, out, depth + 1)


def dest_key(value) -> bytes | None:
    """The name of a named destination as bytes (a string or, in older files, a name)."""
    if isinstance(value, String):
        return bytes(value)
    if isinstance(value, Name):
        return str(value)[1:].encode("utf-8")
    return None


def kids(elem) -> list:
    """A structure element's /K as a list (an MCID, an MCR or OBJR dictionary, or an element each)."""
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_struct_elem(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj and obj.get("/Type") not in ("/MCR", "/OBJR")


def attribute_dicts(elem):
    """The attribute dictionaries of an element's /A (one, or an array of them)."""
    a = elem.get("/A")
    if isinstance(a, Dictionary):
        yield a
    elif isinstance(a, Array):
        for item in a:
            if isinstance(item, Dictionary):
                yield item


def dests(pdf: pikepdf.Pdf) -> dict[bytes, object]:
    """Every named destination of a document (/Names /Dests and the older /Root /Dests)."""
    found: dict[bytes, object] = {}
    names = pdf.Root.get("/Names")
    if isinstance(names, Dictionary) and "/Dests" in names:
        name_tree(names.Dests, found)
    old = pdf.Root.get("/Dests")
    if isinstance(old, Dictionary):
        for key, value in old.items():
            found.setdefault(key[1:].encode("utf-8"), value)
    return found


STATIC_ID = bytes.fromhex("31415926535897932384626433832795")  # what QPDF writes with static_id


def replace_static_id(data: bytes, *halves: bytes) -> bytes:
    """A PDF QPDF saved with static_id, with each part of its /ID that QPDF fixed (both for a new
    document, the second for one that had an /ID) replaced, in order, by `halves` (16 bytes each;
    same length, so no offset moves)."""
    static = b"<" + STATIC_ID.hex().encode() + b">"
    if data.count(static) != len(halves) or any(len(h) != 16 for h in halves):
        raise RuntimeError("the PDF's /ID is not where QPDF writes it")
    for half in halves:
        data = data.replace(static, b"<" + half.hex().encode() + b">", 1)
    return data

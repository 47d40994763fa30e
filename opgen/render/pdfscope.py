"""Table header cells' /Scope in a tagged PDF as WeasyPrint writes it.

WeasyPrint 70 tags a <th> as a TH element with an /ID, and gives each <td> the /Headers (the IDs of
its row's and column's header cells, the row ones from `scope="row"`), but never writes the TH's own
/Scope, which PDF/UA-1 checkers and screen readers look for. Here every TH gets `/Scope /Row`,
`/Column` or `/Both` in its table attribute object (`/O /Table`), read back from what WeasyPrint
recorded: a header that cells of its own row name is a row header, one that cells of other rows
name is a column header. A header no cell names (a table with no data cells under it) is a column
header in a table's head or first row, and a row header when it starts a later row.
"""

from __future__ import annotations

from pikepdf import Array, Dictionary, Name

from opgen.render.pdfstruct import kids

SECTIONS = ("/THead", "/TBody", "/TFoot")


def _elements(elem) -> list:
    return [kid for kid in kids(elem) if isinstance(kid, Dictionary) and kid.get("/S") is not None]


def _rows(table) -> list[tuple[object, str]]:
    """The table's TR elements in order, each with the section it sits in ('/THead', ...; '' if none)."""
    rows = []
    for kid in _elements(table):
        kind = str(kid.get("/S"))
        if kind == "/TR":
            rows.append((kid, ""))
        elif kind in SECTIONS:
            rows.extend((row, kind) for row in _elements(kid) if str(row.get("/S")) == "/TR")
    return rows


def _table_attributes(cell) -> Dictionary:
    """The cell's attribute object owned by /Table (made if missing)."""
    attrs = cell.get("/A")
    items = list(attrs) if isinstance(attrs, Array) else [attrs] if attrs is not None else []
    for item in items:
        if isinstance(item, Dictionary) and str(item.get("/O")) == "/Table":
            return item
    made = Dictionary(O=Name.Table)
    if attrs is None:
        cell.A = made
    elif isinstance(attrs, Array):
        attrs.append(made)
    else:
        cell.A = Array([attrs, made])
    return made


def _headers(cell) -> list[bytes]:
    attrs = cell.get("/A")
    items = list(attrs) if isinstance(attrs, Array) else [attrs] if attrs is not None else []
    found = []
    for item in items:
        if isinstance(item, Dictionary) and item.get("/Headers") is not None:
            found.extend(bytes(h) for h in item.Headers)
    return found


def scope_table(table) -> int:
    """Give every TH of one Table element its /Scope; return how many were set."""
    rows = _rows(table)
    named_by_own_row: set[bytes] = set()
    named_by_other_row: set[bytes] = set()
    for index, (row, _section) in enumerate(rows):
        own = {bytes(c.ID) for c in _elements(row) if str(c.get("/S")) == "/TH" and c.get("/ID") is not None}
        for cell in _elements(row):
            if str(cell.get("/S")) != "/TD":
                continue
            for header in _headers(cell):
                (named_by_own_row if header in own else named_by_other_row).add(header)
    count = 0
    for index, (row, section) in enumerate(rows):
        cells = _elements(row)
        for position, cell in enumerate(cells):
            if str(cell.get("/S")) != "/TH":
                continue
            key = bytes(cell.ID) if cell.get("/ID") is not None else None
            as_row = key in named_by_own_row
            as_column = key in named_by_other_row
            if not as_row and not as_column:
                if section == "/THead" or index == 0 or position > 0:
                    as_column = True
                else:
                    as_row = True
            scope = Name.Both if as_row and as_column else Name.Row if as_row else Name.Column
            _table_attributes(cell).Scope = scope
            count += 1
    return count

"""opgen.ids: the one table of id-bearing lists and year-keyed money fields, checked against the schema
and against the model, so adding a list or a money field to the schema fails here until the table says
so."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from opgen.ids import (DOMAIN_REFERENCES, ID_LISTS, MONEY_FIELDS, PERCENT_FIELDS, item_money, item_paths,
                       natural_key, section_money, semantic_key, tbc_inventory, tbc_sort_key)
from opgen.pipeline import plan_from_bytes
from opgen.resources import SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "plans").glob("*.yaml"))
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"


# --- the schema, walked --------------------------------------------------------------------------------

def _resolve(node: dict, schema: dict | None = None) -> tuple[dict, str | None]:
    """A schema node with its $ref followed, and the name of the $defs entry it came from."""
    name = None
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = (schema or SCHEMA)["$defs"][name]
    return node, name


def _walk(node: dict, path: tuple, unit: tuple | None, found: dict, schema: dict | None = None) -> None:
    """Collect, by data path: arrays whose items have an `id`, and year-keyed fields with the unit in
    scope (the data path of the nearest enclosing `unit`, None where it is not a money unit)."""
    node, ref = _resolve(node, schema)
    if ref is not None:
        found["refs"].setdefault(ref, set()).add(path)
    if len(path) > 12:
        raise AssertionError(f"schema nests too deep at {path}")
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        items, _ = _resolve(node["items"], schema)
        if "id" in items.get("properties", {}) or "id" in items.get("required", []):
            found["ids"].add(path)
        if "domain" in items.get("properties", {}):
            found["domain"].add(path)
        _walk(node["items"], path + ("*",), unit, found, schema)
        return
    names = node.get("propertyNames")
    if names is not None:
        key, key_ref = _resolve(names, schema)
        if key_ref == "financial_year" or key.get("x-kind") == "financial_year":
            found["years"][path] = unit
        elif key_ref == "period" or key.get("x-kind") == "period":
            found["periods"][path] = unit
    properties = node.get("properties") or {}
    if "unit" in properties:
        _, unit_ref = _resolve(properties["unit"], schema)
        unit = path + ("unit",) if unit_ref == "money_unit" else None
    for name, child in properties.items():
        _walk(child, path + (name,), unit, found, schema)
    if isinstance(node.get("additionalProperties"), dict):
        _walk(node["additionalProperties"], path + ("<key>",), unit, found, schema)


@pytest.fixture(scope="module")
def schema_walk() -> dict:
    found: dict = {"ids": set(), "domain": set(), "years": {}, "periods": {}, "refs": {}}
    _walk(SCHEMA, (), None, found)
    return found


def test_the_walk_would_notice_a_new_list_or_money_field():
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["qipp"]["properties"]["stated_net_saving"] = {"$ref": "#/$defs/money_by_year"}
    schema["properties"]["workstreams"] = {"type": "array", "items": {"type": "object", "properties": {
        "id": {"$ref": "#/$defs/id"}, "budget": {"$ref": "#/$defs/money_by_year"}}}}
    found: dict = {"ids": set(), "domain": set(), "years": {}, "periods": {}, "refs": {}}
    _walk(schema, (), None, found, schema)
    assert ("workstreams",) in found["ids"] - {x.path for x in ID_LISTS}
    assert found["years"][("qipp", "stated_net_saving")] == ("qipp", "unit")
    assert found["years"][("workstreams", "*", "budget")] is None  # no money unit: caught by the $ref check
    assert ("workstreams", "*", "budget") in found["refs"]["money_by_year"]


def test_id_lists_are_every_schema_array_whose_items_carry_an_id(schema_walk):
    assert schema_walk["ids"] == {x.path for x in ID_LISTS}
    assert len({x.path for x in ID_LISTS}) == len(ID_LISTS)
    assert all(x.label for x in ID_LISTS)
    assert all(x.scope in ("plan", "table", "indicator") for x in ID_LISTS)
    # a data table's rows and columns have ids unique within their table, not the plan
    assert {x.path for x in ID_LISTS if x.scope == "table"} == {("tables", "*", "rows"), ("tables", "*", "columns")}
    # an indicator's areas have ids unique within their indicator (indicators v2)
    assert {x.path for x in ID_LISTS if x.scope == "indicator"} == {("indicators", "*", "areas"),
                                                                   ("bcf", "metrics", "*", "areas")}


def test_money_fields_are_every_year_keyed_money_property_with_its_unit(schema_walk):
    money = {path: unit for path, unit in schema_walk["years"].items() if unit is not None}
    assert money == {f.path: f.unit for f in MONEY_FIELDS if not f.by_period}
    # every money_by_year in the schema is one of them (none sits outside a section with a money unit);
    # a BCF scheme's funding is money by year that may also be a range (bcf_funding_by_year)
    assert schema_walk["refs"]["money_by_year"] | schema_walk["refs"]["bcf_funding_by_year"] == set(money)
    assert schema_walk["refs"]["bcf_funding_by_year"] == {("bcf", "schemes", "*", "funding")}


def test_period_keyed_money_fields_are_every_money_by_period_with_its_unit(schema_walk):
    """Money for any period (a finance line's amounts, a group's stated totals): in MONEY_FIELDS
    marked by_period (not bounded by the plan period), each inside a section with a money unit."""
    by_period = {f.path: f.unit for f in MONEY_FIELDS if f.by_period}
    assert set(by_period) == schema_walk["refs"]["money_by_period"]
    assert {path: schema_walk["periods"][path] for path in by_period} == by_period
    assert len({f.path for f in MONEY_FIELDS}) == len(MONEY_FIELDS)


def test_percent_fields_are_every_percent_by_period(schema_walk):
    """Percentages by period are not money (no unit): each is in PERCENT_FIELDS, whose range rule
    (0 to 100) opgen validate applies."""
    assert set(PERCENT_FIELDS) == schema_walk["refs"]["percent_by_period"]
    assert not set(PERCENT_FIELDS) & {f.path for f in MONEY_FIELDS}
    # every period-keyed map in finance is money, a percentage or a line's RAG by period
    finance = {path for path in schema_walk["periods"] if path[0] == "finance"}
    assert finance == ({f.path for f in MONEY_FIELDS if f.by_period} | set(PERCENT_FIELDS)
                       | {("finance", "lines", "*", "rag")})


def test_year_keyed_fields_that_are_not_money_are_the_known_ones(schema_walk):
    """An action's RAG is keyed by financial year and is not money (indicator targets and actuals are
    keyed by any period since version 2, so they are not year-keyed). Anything else year-keyed must
    be classified, here or in MONEY_FIELDS."""
    other = {path for path, unit in schema_walk["years"].items() if unit is None}
    assert other == {("actions", "*", "rag")}


def test_domain_references_are_the_lists_whose_items_name_a_domain(schema_walk):
    assert set(DOMAIN_REFERENCES) == schema_walk["domain"]


def test_section_and_item_money_helpers():
    assert [f.name for f in section_money("qipp")] == ["stated_total", "stated_savings_total",
                                                        "stated_investment_total"]
    assert [f.name for f in section_money("bcf")] == ["minimum_contribution", "actual_contribution", "stated_totals"]
    assert [f.name for f in item_money(("bcf", "contributions"))] == ["minimum", "actual"]
    assert [f.label for f in item_money(("qipp", "schemes"))] == ["savings", "investment"]
    assert [f.name for f in item_money(("finance", "expenditure"))] == ["amounts"]
    assert item_money(("risks",)) == ()
    assert item_money(("finance", "lines")) == ()  # by period: only when asked for
    assert [f.name for f in item_money(("finance", "lines"), periods=True)] == ["amounts"]
    assert [f.path[-1] for f in section_money("finance", periods=True)][-2:] == ["allocation", "expenditure"]
    per_item = {f.path for f in MONEY_FIELDS if f.per_item}
    assert per_item == {f.path for lst in ID_LISTS for f in item_money(lst.path, periods=True)}


# --- the table against the model -------------------------------------------------------------------------

def _with_everything(data: dict) -> dict:
    """The South Kent Coast plan (as version 2) with a finance allocation, a Better Care Fund and
    narrative chapters three levels deep, so every list and every money field of the schema is present."""
    data = copy.deepcopy(data)
    data["schema_version"] = 2
    data["plan"]["drivers"] = [{"id": "DRV-FYFV", "title": "Five Year Forward View", "kind": "national"}]
    data["plan"]["providers"] = [{"id": "MTW", "title": "Maidstone and Tunbridge Wells NHS Trust", "kind": "acute"}]
    data["sections"] = [
        {"id": "governance", "title": "Leadership and governance", "place": {"after": "vision"},
         "body": "The Governing Body is accountable.",
         "sections": [{"id": "gov-board", "title": "The Governing Body",
                       "sections": [{"id": "gov-committees", "title": "Committees"}]}]},
        {"id": "glossary", "title": "Glossary", "place": {"appendix": True}},
    ]
    data["finance"]["allocation"] = [{"id": "FIN-ALLOC", "title": "Programme allocation",
                                      "amounts": {"2014/15": 270.1, "2015/16": "tbc"}}]
    data["finance"]["allocation_stated_total"] = {"2014/15": 270.1}
    data["finance"]["contingency"] = {"2014/15": 1.3}
    data["finance"]["non_recurrent"] = {"2014/15": 6.5}
    data["finance"]["lines"] = [{"id": "FIN-OUTTURN", "title": "Cumulative surplus", "group": "position",
                                 "amounts": {"2012/13": 2100, "2018/19": "tbc"}, "percent": {"2012/13": 1.0},
                                 "rag": {"2012/13": "green"}}]
    data["finance"]["stated_totals"] = {"allocation": {"2016/17": 275}, "expenditure": {"2013-12": 180}}
    data["finance"]["assumptions"] = [{"id": "FIN-AS-1", "title": "Tariff deflator", "values": {"2014/15": 1.5}}]
    data["qipp"]["stated_savings_total"] = {"2014/15": 9297}
    data["qipp"]["stated_investment_total"] = {"2014/15": 0}
    data["qipp"]["schemes"][0]["investment"] = {"2014/15": 0}
    data["bcf"] = {
        "unit": "gbp_thousands",
        "schemes": [{"id": "BCF-01", "title": "Integrated care teams", "funding": {"2014/15": 400, "2015/16": "tbc"}},
                    {"id": "BCF-02", "title": "Carers' breaks", "funding": {"2015/16": 120}}],
        "minimum_contribution": {"2015/16": 11000},
        "actual_contribution": {"2015/16": "tbc"},
        "metrics": [{"id": "BCF-M-NEA", "domain": "hospital", "title": "Non-elective admissions",
                     "unit": "count", "polarity": "lower_is_better", "targets": {"2015/16": "tbc"},
                     "areas": [{"id": "swale", "title": "Swale", "targets": {"2015/16": 100}}]}],
        "contributions": [{"id": "kcc", "organisation": "Kent County Council", "minimum": {"2015/16": 10000},
                           "actual": {"2015/16": 12000}, "holds_pool": True}],
        "stated_totals": {"2015/16": 120},
        "risks": [{"id": "BCF-R1", "domain": "hospital", "title": "Admissions not reduced",
                   "gross": {"likelihood": 4, "impact": 4}, "likelihood": 3, "impact": 4}],
    }
    data["governance"] = {"bodies": [{"id": "GOV-GB", "title": "Governing Body"},
                                     {"id": "GOV-QC", "title": "Quality Committee", "reports_to": "GOV-GB"}]}
    data["frameworks"] = [{"id": "jhws", "title": "Kent Joint Health and Wellbeing Strategy", "kind": "jhws",
                           "items": [{"id": "jhws-o1", "title": "Every child has the best start in life"}]}]
    data["domains"][0]["aligns"] = ["jhws-o1"]
    data["indicators"][0]["areas"] = [{"id": "dover", "title": "Dover and Deal", "kind": "locality",
                                       "targets": {"2015/16": "tbc"}}]
    data["tables"] = [{"id": "planning-assumptions", "title": "Planning assumptions", "chapter": "finance",
                       "columns": [{"id": "item", "type": "text"}, {"id": "2013/14", "type": "percent"}],
                       "rows": [{"id": "growth", "item": "Allocation growth", "2013/14": "tbc"}]}]
    return data


@pytest.fixture(scope="module")
def everything():
    # the version 1 South Kent Coast plan: its own sections and see-references would be replaced below
    data = _with_everything(yaml.safe_load((ROOT / "tests" / "fixtures" / "v1" / "south-kent-coast-2014-16.yaml")
                                           .read_text(encoding="utf-8")))
    result = plan_from_bytes(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode(), "all.yaml")
    assert result.ok, [d.as_text() for d in result.report.errors]
    return data, result.plan


def _at(data, path: tuple):
    for part in path:
        data = data[part]
    return data


def _matches(pattern: tuple, path: tuple) -> bool:
    return len(pattern) == len(path) and all(p == "*" or p == q for p, q in zip(pattern, path))


def test_each_id_list_reads_the_model_items_of_that_list(everything):
    data, plan = everything
    for lst in ID_LISTS:
        items = list(lst.items(plan))
        assert items, f"the test plan has no {lst.label}"
        for x in items:
            assert _matches(lst.path, x.path[:-1]), (lst.path, x.path)
            assert _at(data, x.path)["id"] == x.id
    everything_ids = [i for lst in ID_LISTS for i in (x.id for x in lst.items(plan))]
    assert set(item_paths(plan).values()) == set(everything_ids)
    assert len(item_paths(plan)) == len(everything_ids)


def test_each_money_field_is_a_year_map_on_the_model(everything):
    data, plan = everything
    seen = 0
    for f in MONEY_FIELDS:
        section = getattr(plan, f.section)
        owners = [section]
        if f.per_item:
            (lst,) = [x for x in ID_LISTS if f.path[:len(x.path)] == x.path and len(f.path) == len(x.path) + 2]
            owners = list(lst.items(plan))
        assert _at(data, f.unit) in ("gbp", "gbp_thousands", "gbp_millions")
        for owner in owners:
            mapping = f.read(owner)
            assert isinstance(mapping, dict)
            seen += bool(mapping)
            assert all(hasattr(year, "label") for year in mapping)
    assert seen >= len(MONEY_FIELDS)


def test_tbc_inventory_is_keyed_by_ids_not_positions(everything):
    _, plan = everything
    tbcs = tbc_inventory(plan)
    assert tbcs[("BCF-01", "funding", "2015/16")] == "BCF BCF-01 funding 2015/16"
    assert tbcs[("FIN-ALLOC", "amounts", "2015/16")] == "Allocation FIN-ALLOC 2015/16"
    assert tbcs[("FIN-OUTTURN", "amounts", "2018/19")] == "Finance line FIN-OUTTURN 2018/19"
    assert tbcs[("bcf", "actual_contribution", "2015/16")] == "BCF actual contribution 2015/16"
    assert tbcs[("BCF-M-NEA", "targets", "2015/16")] == "Indicator BCF-M-NEA target 2015/16"
    # a table row's id is unique only in its table, so its cells are keyed under the table's id
    assert tbcs[("planning-assumptions", "growth", "2013/14")] == \
        "Table 'Planning assumptions', row 'Allocation growth', 2013/14"
    ordered = sorted(tbcs, key=tbc_sort_key)
    assert ordered.index(("BCF-01", "funding", "2015/16")) < ordered.index(("BCF-M-NEA", "targets", "2015/16"))


def test_semantic_key_and_natural_key():
    paths = {("actions", 19): "HOSP-01", ("actions", 19, "milestones", 0): "HOSP-01-M1"}
    assert semantic_key(("actions", 19, "milestones", 0, "due"), paths) == ("HOSP-01-M1", "due")
    assert semantic_key(("actions", 19, "rag", "2014/15"), paths) == ("HOSP-01", "rag", "2014/15")
    assert semantic_key(("qipp", "stated_total", "2014/15"), paths) == ("qipp", "stated_total", "2014/15")
    assert sorted(["OOH-10", "OOH-2", "ooh-1"], key=natural_key) == ["ooh-1", "OOH-2", "OOH-10"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_id_in_an_example_is_found_by_the_table(example):
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    result = plan_from_bytes(example.read_bytes(), str(example))
    assert result.ok

    def ids_in(node) -> int:
        if isinstance(node, dict):
            return ("id" in node) + sum(ids_in(v) for v in node.values())
        if isinstance(node, list):
            return sum(ids_in(v) for v in node)
        return 0

    assert len(item_paths(result.plan)) == ids_in(data)

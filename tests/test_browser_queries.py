"""Neo4j Browser material in browser/: the saved queries run on the county and return what their names promise,
and the GraSS style parses the way Neo4j Browser parses it and styles every label and relationship type.

The query tests need Neo4j (the `county` fixture with the neo4j backend only); the style tests need nothing.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

import county as C  # noqa: N812 - C.E[...], C.P[...]: the hand-built county, read like constants
from graph.stores.neo4j import queries as neo4j_queries

BROWSER = Path(__file__).resolve().parents[1] / "browser"
QUERIES = BROWSER / "saved-queries.cypher"
GRASS = BROWSER / "creditnet.grass"
ROLE_TYPES = set(neo4j_queries.ROLE_TYPES)


# --- the saved queries file ---------------------------------------------------------------------------------
@dataclass
class SavedQuery:
    name: str
    cypher: str
    examples: dict[str, object] = field(default_factory=dict)   # the `// :param` lines

    @property
    def parameters(self) -> set[str]:
        return set(re.findall(r"\$(\w+)", self.cypher))


def parse_saved_queries(text: str) -> dict[str, SavedQuery]:
    """Split the file at `// name:` lines; comments before the first one are the file's preamble."""
    queries: dict[str, SavedQuery] = {}
    current: SavedQuery | None = None
    lines: list[str] = []

    def close():
        if current is not None:
            current.cypher = "\n".join(lines).strip().removesuffix(";").strip()
            queries[current.name] = current

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("// name:"):
            close()
            current, lines = SavedQuery(line.removeprefix("// name:").strip(), ""), []
            continue
        if current is None:
            assert not line or line.startswith("//"), f"Cypher before the first `// name:` line: {raw!r}"
            continue
        m = re.fullmatch(r"// :param (\w+) => (.+)", line)
        if m:
            current.examples[m.group(1)] = ast.literal_eval(m.group(2))
        elif line and not line.startswith("//"):
            lines.append(raw)
    close()
    return queries


SAVED = parse_saved_queries(QUERIES.read_text(encoding="utf-8"))


def saved(promise: str) -> SavedQuery:
    [query] = [q for name, q in SAVED.items() if promise in name]
    return query


def test_saved_queries_are_named_and_declare_their_parameters():
    assert len(SAVED) == 4
    for promise in ("who is connected to this restricted person", "which active listings must my department enforce",
                    "everything under this enterprise", "how are A and B connected"):
        q = saved(promise)
        assert q.cypher and ";" not in q.cypher, f"{q.name}: one statement per query"
        assert q.parameters == set(q.examples), f"{q.name}: every $parameter has a `// :param` example line"
        assert re.search(r"\bLIMIT \d+\s*$", q.cypher), f"{q.name}: bounded by a final LIMIT"


def test_variable_length_patterns_are_bounded():
    for q in SAVED.values():
        for hops in re.findall(r"\*(\d*\.\.\d*|\d*)\]", q.cypher):
            assert re.fullmatch(r"\d*\.\.\d+", hops), f"{q.name}: unbounded pattern *{hops}"
            assert int(hops.split("..")[1]) <= 6, f"{q.name}: deeper than 6 hops"


# --- running them on the county -------------------------------------------------------------------------------
@pytest.fixture
def run(county):
    """Run Cypher (a saved query, or text) on the county through the store's driver, as Browser would."""
    def go(query: SavedQuery | str, **params):
        cypher = query.cypher if isinstance(query, SavedQuery) else query
        with county.driver.session(database=county.database) as s:
            return list(s.run(cypher, **params))
    return go


@dataclass
class Graph:
    nodes: dict[str, object]
    relationships: dict[str, object]
    paths: list[object]

    def labelled(self, label: str) -> list:
        return [n for n in self.nodes.values() if label in n.labels]

    def enterprises(self) -> set[str]:
        return {n.get("uscc") or n.get("reg_no") for n in self.labelled("Enterprise")}


def graph_of(records) -> Graph:
    from neo4j.graph import Node, Path as GraphPath, Relationship
    g = Graph({}, {}, [])
    for record in records:
        for value in record.values():
            if isinstance(value, GraphPath):
                g.paths.append(value)
                for n in value.nodes:
                    g.nodes[n.element_id] = n
                for r in value.relationships:
                    g.relationships[r.element_id] = r
            elif isinstance(value, Node):
                g.nodes[value.element_id] = value
            elif isinstance(value, Relationship):
                g.relationships[value.element_id] = value
    return g


neo4j_only = pytest.mark.parametrize("backend", ["neo4j"], indirect=True)


@neo4j_only
def test_who_is_connected_to_a_restricted_person(run):
    q = saved("who is connected to this restricted person")
    assert q.examples == {"id": C.P["RESTRICTED"]}
    g = graph_of(run(q, **q.examples))
    # 张三 is 法定代表人 of OFFICER and 股东 of SHAREHOLDER_ONLY, and named on a 失信被执行人 listing.
    assert {C.E["OFFICER"], C.E["SHAREHOLDER_ONLY"]} <= g.enterprises()
    assert C.uscc(500) in g.enterprises()                       # the enterprise of the listing that names him
    assert [n["list_type"] for n in g.labelled("Listing")] == ["失信被执行人"]
    assert {d["name"] for d in g.labelled("Department")} == {"县法院"}
    assert C.E["CLEAR"] not in g.enterprises()
    roles = [p for p in g.paths if p.relationships and p.relationships[0].type in ROLE_TYPES]
    assert roles and all(len(p) <= 3 and {r.type for r in p.relationships} <= ROLE_TYPES for p in roles)


def _listed_enterprises(g: Graph) -> set[str]:
    eids = {n["eid"] for n in g.labelled("Listing")}
    return {n["uscc"] for n in g.labelled("Enterprise") if n["eid"] in eids}


@neo4j_only
@pytest.mark.parametrize("as_of", ["2026-06-01", date(2026, 6, 1)], ids=["text", "date"])
def test_active_listings_my_department_must_enforce(run, as_of):
    q = saved("which active listings must my department enforce")
    assert q.examples == {"department": "县财政局", "as_of": C.AS_OF}
    records = run(q, department="县财政局", as_of=as_of)
    g = graph_of(records)
    listed = _listed_enterprises(g)
    assert {C.E["LISTED"], C.E["SERIOUS"], C.E["SERIOUS_OLD"], C.E["OLD"], C.E["BRACKETS"]} <= listed
    assert C.E["EXPIRED"] not in listed and C.E["FUTURE"] not in listed
    for listing in g.labelled("Listing"):
        assert listing["valid_from"] <= C.AS_OF and (listing.get("valid_to") is None or C.AS_OF <= listing["valid_to"])
    assert {r["d"]["name"] for r in records} == {"县财政局"}
    senders = {r["l"]["list_type"]: r["sender"]["name"] for r in records}
    assert senders["经营异常名录"] == "县市场监督管理局"                 # sent as 西吉县市场监督管理局


@neo4j_only
def test_active_listings_by_a_spelling_the_sender_used(run):
    # The 失信被执行人 listing naming 张三 was sent to "县市场监管局 县公安局": the alias finds the bureau's node.
    q = saved("which active listings must my department enforce")
    records = run(q, department="县市场监管局", as_of=C.AS_OF)
    assert {r["d"]["name"] for r in records} == {"县市场监督管理局"}
    assert [r["p"]["id_number"] for r in records] == [C.P["RESTRICTED"]]
    assert run(q, department="县市场监管局", as_of="2025-12-31") == []   # not yet active then


@neo4j_only
def test_everything_under_an_enterprise(run):
    q = saved("everything under this enterprise")
    assert q.examples == {"code": C.E["CLEAR"]}
    g = graph_of(run(q, **q.examples))
    assert g.enterprises() == {C.E["CLEAR"]}
    kinds = {label for n in g.labelled("Record") for label in n.labels} - {"Record"}
    assert kinds == {"License", "LicenseChange", "Inspection"}
    assert [p["name"] for p in g.labelled("Person")] == ["赵六"]
    assert {d["name"] for d in g.labelled("Department")} == {"县市场监督管理局"}
    [change] = [r for r in g.relationships.values() if r.type == "CHANGES"]
    assert "LicenseChange" in change.start_node.labels and "License" in change.end_node.labels


@neo4j_only
def test_everything_under_an_enterprise_found_by_registration_number(run):
    q = saved("everything under this enterprise")
    g = graph_of(run(q, code=C.OLD_REG_NO))
    assert {n["uscc"] for n in g.labelled("Enterprise")} == {C.E["OLD"]}
    assert [n["list_type"] for n in g.labelled("Listing")] == ["黑名单"]
    # LISTED: penalty and its change, its listing, its shareholder 王五, and C2 where LISTED is itself a shareholder.
    g = graph_of(run(q, code=C.E["LISTED"]))
    kinds = {label for n in g.labelled("Record") for label in n.labels} - {"Record"}
    assert kinds == {"Penalty", "PenaltyChange", "Listing"}
    assert "王五" in {p["name"] for p in g.labelled("Person")}
    assert C.E["C2"] in g.enterprises()


@neo4j_only
def test_how_two_parties_are_connected(run):
    q = saved("how are A and B connected")
    assert q.examples == {"a": C.E["TWO_HOPS"], "b": C.E["LISTED"]}
    g = graph_of(run(q, **q.examples))
    assert g.paths and all(len(p) == 2 for p in g.paths)
    assert [p["name"] for p in g.labelled("Person")] == ["王五"]          # both have 王五 as 股东

    assert {len(p) for p in graph_of(run(q, a=C.E["CHAIN"], b=C.E["LISTED"])).paths} == {3}
    assert {len(p) for p in graph_of(run(q, a=C.P["RESTRICTED"], b=C.E["SHAREHOLDER_ONLY"])).paths} == {1}
    assert run(q, a=C.E["CLEAR"], b=C.E["LISTED"]) == []
    assert run(q, a=C.E["LISTED"], b=C.E["LISTED"]) == []


# --- the GraSS style --------------------------------------------------------------------------------------------
def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """Parse GraSS as Neo4j Browser does (graphStyle.ts `parse`): braces outside single quotes delimit a rule,
    quotes are dropped, declarations split at ';' and then at ':'. Rules keep their order: Browser applies every
    matching rule in file order, so a later rule wins."""
    rules: dict[str, dict[str, str]] = {}
    selector, body, in_string, in_body = "", "", False, False
    for c in text:
        if c == "'":
            in_string = not in_string
            continue
        if c == "{" and not in_string:
            in_body = True
            continue
        if c == "}" and not in_string:
            assert selector not in rules, f"rule {selector} appears twice"
            rules[selector] = {}
            for declaration in body.split(";"):
                if declaration.strip():
                    parts = declaration.split(":")
                    # Browser keeps only the text before a second ':' — a value must not contain one.
                    assert len(parts) == 2, f"{selector}: not `key: value`: {declaration.strip()!r}"
                    rules[selector][parts[0].strip()] = parts[1].strip()
            selector, body, in_body = "", "", False
            continue
        if in_body:
            body += c
        elif not c.isspace():
            selector += c
    assert not in_string and not in_body and not selector.strip(), "unterminated rule or string"
    return rules


def model_labels() -> tuple[set[str], set[str]]:
    """Every node label and relationship type the Neo4j store writes, read from its Cypher."""
    from graph.stores import changes
    from graph.stores.neo4j import amendment_queries, load_queries, schema_queries
    modules = (neo4j_queries, load_queries, schema_queries, amendment_queries, changes)
    source = "\n".join(Path(m.__file__).read_text(encoding="utf-8") for m in modules)
    labels = set(re.findall(r"\(\w*:([A-Z]\w*)", source)) | set(neo4j_queries.RECORD_LABELS.values())
    types = {t for group in re.findall(r"\[\w*:([A-Z_|]+)", source) for t in group.split("|")}
    types |= ROLE_TYPES | set(neo4j_queries.DEPARTMENT_TYPES.values())
    return labels, types


GRASS_TEXT = GRASS.read_text(encoding="utf-8")
STYLE = parse_grass(GRASS_TEXT)
LABELS, TYPES = model_labels()
# Written by withdrawals and objections, and by rows that could not be read: none in the county.
AMENDMENT_SHAPES = {"RecordEvent", "OF_RECORD", "Objection", "AGAINST", "UnreadRow"}
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def test_model_labels_are_read_from_the_store():
    assert {"Enterprise", "Person", "Department", "Record", "Listing", "License", "LicenseChange", "Penalty",
            "PenaltyChange", "Inspection"} <= LABELS
    assert {"CONCERNS", "NAMES", "CHANGES", "ISSUED_BY", "SENT_BY", "RECEIVED_BY", "LEGAL_REPRESENTATIVE_OF"} <= TYPES


def test_grass_parses_as_browser_parses_it():
    assert "/*" not in GRASS_TEXT and "//" not in GRASS_TEXT, "Browser's GraSS parser has no comments"
    assert '"' not in GRASS_TEXT, "captions in single quotes: Browser keeps double quotes as text"
    assert {"node", "relationship"} <= set(STYLE)
    for selector, props in STYLE.items():
        assert re.fullmatch(r"(node|relationship)(\.\w+)?", selector), selector
        # The bare `node` rule has none on purpose: Browser then picks a name-like property for unknown labels.
        assert "caption" in props or selector == "node", f"{selector} has no caption"
        for key in ("color", "border-color", "text-color-internal", "text-color-external"):
            if key in props:
                assert COLOUR.fullmatch(props[key]), f"{selector} {key}: {props[key]}"


def test_every_label_has_its_own_colour_and_a_caption():
    for label in LABELS:
        assert f"node.{label}" in STYLE, f"no style for :{label}"
    colours = {label: STYLE[f"node.{label}"]["color"].upper() for label in LABELS}
    assert len(set(colours.values())) == len(colours), f"labels share a colour: {colours}"
    for rel_type in TYPES:
        assert "caption" in STYLE.get(f"relationship.{rel_type}", {}), f"no caption for [:{rel_type}]"
    for rel_type in ROLE_TYPES:
        assert "{role}" in STYLE[f"relationship.{rel_type}"]["caption"]
    # Records carry two labels (Record:License …): the specific rule comes later, so its caption wins.
    order = list(STYLE)
    for label in neo4j_queries.RECORD_LABELS.values():
        assert order.index("node.Record") < order.index(f"node.{label}")


def test_captions_are_readable_chinese():
    assert STYLE["node.Enterprise"]["caption"] == "{short_name}"  # 金金建材, not 西吉县金金… (test_browser_captions.py)
    assert STYLE["node.Person"]["caption"].startswith("{name}")
    assert STYLE["node.Department"]["caption"] == "{name}"
    assert STYLE["node.Listing"]["caption"] == "{list_type} {valid_from}–{valid_to}"
    # Browser never shows a full ID number in a caption: ID numbers are departmental data.
    assert not any("{id_number}" in props.get("caption", "") for props in STYLE.values())


@neo4j_only
def test_caption_properties_exist_on_the_county(run):
    """Every {property} of a caption is a property the store writes, so no caption comes out empty."""
    checked = set()
    for selector, props in STYLE.items():
        kind, _, name = selector.partition(".")
        if not name:
            continue
        pattern = f"(n:{name})" if kind == "node" else f"()-[n:{name}]->()"
        if not run(f"MATCH {pattern} RETURN count(n) AS n")[0]["n"]:
            continue
        checked.add(name)
        for prop in re.findall(r"\{(\w+)\}", props["caption"]):
            n = run(f"MATCH {pattern} WHERE n[$prop] IS NOT NULL RETURN count(n) AS n", prop=prop)[0]["n"]
            assert n, f"no {selector} in the county has the caption property {prop}"
    # The county exercises every label and type except BRANCH_OF (no branch in the county) and what only a
    # withdrawal, a correction or an objection writes (test_amendment_captions_exist below).
    assert (LABELS | TYPES) - checked <= {"BRANCH_OF"} | AMENDMENT_SHAPES


@neo4j_only
@pytest.mark.writes
def test_amendment_captions_exist(store, backend, home, tmp_path):
    """A withdrawal's event, an objection and a row that could not be read carry the properties their captions show."""
    from county import BLACKLIST_HEADERS, E, NAMES, write_csv
    from graph.amendments import Actor, withdraw
    from graph.ingest import load_file
    from graph.objections import register

    rows = [["1", E["CLEAR"], NAMES["CLEAR"], "依据", "", "2026-05-01", "", "县法院", "县财政局", "失信被执行人", "", "", "",
             ""]]
    load_file(store, write_csv(tmp_path / "bl.csv", BLACKLIST_HEADERS, rows), home=home)
    record_ids = [r["record_id"] for r in store.read(lambda reader: reader.records_of(E["CLEAR"]))["blacklist"]]
    register(store, record_ids[0], "西吉县企业", "已履行", Actor.cli(None))
    bad = [["1", E["CLEAR"], NAMES["CLEAR"], "依据", "", "2026-02-30", "", "县法院", "县财政局", "失信被执行人", "", "", "", ""]]
    load_file(store, write_csv(tmp_path / "bad.csv", BLACKLIST_HEADERS, bad), home=home)  # a row that cannot be read
    withdraw(store, Actor.cli("县法院"), "录入错误", record_ids=record_ids)
    with store.driver.session(database=store.database) as s:
        for name in AMENDMENT_SHAPES:
            relationship = name.isupper()
            pattern = f"()-[n:{name}]->()" if relationship else f"(n:{name})"
            caption = STYLE[f"relationship.{name}" if relationship else f"node.{name}"]["caption"]
            assert s.run(f"MATCH {pattern} RETURN count(n) AS n").single()["n"], name
            for prop in re.findall(r"\{(\w+)\}", caption):
                found = s.run(f"MATCH {pattern} WHERE n[$prop] IS NOT NULL RETURN count(n) AS n", prop=prop).single()
                assert found["n"], f"no {name} has the caption property {prop}"

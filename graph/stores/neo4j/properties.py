"""What an enterprise node and a record node hold on Neo4j: its fields, once, as the node's own properties.

Stores written by earlier versions held each node's fields twice: a JSON copy (`props`, which the readers parsed) and the fields
Neo4j Browser shows (captions, the saved queries' dates) as plain properties. The server paid for both in every
load — in the transaction state its collector copies, and in the commit — so a node now holds each field once,
as a property, and the readers rebuild the fields from the node's properties. A store written before keeps
reading (`fields` still understands a JSON copy) and is rewritten to this shape once by init_schema
(`migration_rows`), so that re-loading an unchanged file into it changes nothing.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from graph.names import is_han, normalise_name, short_name

# Properties that say what a node is, beside its fields. A field may not have one of these names (the loaders'
# field names never do; `node_value` refuses one that would).
# `short_name`: the distinctive part of the name (graph/names.py), the caption Neo4j Browser shows (browser/).
ENTERPRISE_KEYS = frozenset({"eid", "key", "uscc", "reg_no", "name", "name_norm", "name_han", "short_name", "in_registry",
                             "fp"})
RECORD_KEYS = frozenset({"uid", "kind", "eid", "natural"})
OLD_JSON_COPY = "props"  # the JSON copy of the fields on nodes written by earlier versions


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def node_value(value: Any) -> Any:
    """A field's value as a property holds it, and as the readers must give it back: what the JSON copy gave (and
    the embedded store, which keeps JSON, gives): text, numbers, booleans and lists of text; anything else as its
    text (json.dumps's default=str, e.g. a date)."""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, str) else str(v) for v in value]
    return str(value)


def _field_properties(fields: dict[str, Any], structural: frozenset[str]) -> dict[str, Any]:
    clash = (structural | {OLD_JSON_COPY}) & fields.keys()
    if clash:  # would overwrite what the node is: a loader change must rename the field
        raise ValueError(f"field names {sorted(clash)} are reserved on Neo4j nodes")
    return {k: node_value(v) for k, v in fields.items() if v is not None}


def fields(node: dict[str, Any], structural: frozenset[str]) -> dict[str, Any]:
    """The fields of a node's properties (`properties(n)`), in key order as the JSON copy had them."""
    if isinstance(node.get(OLD_JSON_COPY), str):  # written by an earlier version and not migrated yet
        return json.loads(node[OLD_JSON_COPY])
    return {k: node[k] for k in sorted(node) if k not in structural}


def enterprise_node(eid: str, key: str | None, uscc: str | None, reg_no: str | None, name: str | None, in_registry: int,
                    props: dict[str, Any], *, norm: str | None = None, name_han: str | None = None) -> dict[str, Any]:
    """Every property of an enterprise node. `fp`, a 128-bit hash of the rest, lets a re-sent identical registry
    row set nothing (a reload of the same file changes nothing, not even the data version). `norm` and `name_han`:
    normalise_name(name) and han_text(name), where the caller has them already (a bulk load's staged store)."""
    if norm is None:
        norm = normalise_name(name)  # once: the look-up key, the name index and the caption all start from it
    node = {"eid": eid, "key": key, "uscc": uscc, "reg_no": reg_no, "name": name, "name_norm": norm,
            "name_han": "".join(c for c in norm if is_han(c)) if name_han is None else name_han,
            "short_name": short_name(name, norm), "in_registry": in_registry,
            **_field_properties(props, ENTERPRISE_KEYS)}
    node = {k: v for k, v in node.items() if v is not None}
    node["fp"] = hashlib.blake2b(_dumps(node).encode(), digest_size=16).hexdigest()
    return node


def record_node(uid: str, kind: str, eid: str | None, natural: str, props: dict[str, Any]) -> dict[str, Any]:
    """Every property of a record node. No fingerprint: a re-sent record is compared with the node's properties.
    `eid` None: a listing of a natural person alone (the node has no eid; a null would never equal its properties)."""
    node = {"uid": uid, "kind": kind, "eid": eid, "natural": natural, **_field_properties(props, RECORD_KEYS)}
    if eid is None:
        del node["eid"]
    return node


def migration_rows(label: str, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Old-shape nodes (`properties(n)` of each) as the rows that rewrite them in this shape: the same fields,
    the same identity, the fingerprint the writer computes for them now."""
    rows = []
    for node in nodes:
        if label == "Enterprise":
            new = enterprise_node(node["eid"], node.get("key"), node.get("uscc"), node.get("reg_no"), node.get("name"),
                                  node.get("in_registry") or 0, fields(node, ENTERPRISE_KEYS))
            rows.append({"id": node["eid"], "node": new})
        else:
            new = record_node(node["uid"], node["kind"], node["eid"], node["natural"], fields(node, RECORD_KEYS))
            rows.append({"id": node["uid"], "node": new})
    return rows

"""The files Neo4j's bulk importer reads (`neo4j-admin database import full`), written from a store staged in the
embedded store (graph/bulk.py).

The staged store already holds what the departments' files mean: which enterprise each code is, folded registration
numbers, the registry's word over a record's, the legal representatives' terms, re-sent records, listing keys,
rejected rows remembered under their codes (graph/rows.py decided all of it, as for every load). This module only
says it in the Neo4j writer's words: its node properties (properties.py `enterprise_node`, `record_node`), its
record uids (writer.py `record_uid`), its relationship types (queries.py), and the meta node a normal load leaves.

A property's type is the importer header's: every value keeps its Python type (text, integer, float, boolean, list
of text), so a file's rows whose columns differ go to parts of their own, each with its own header.
"""
from __future__ import annotations

import shlex
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson

from graph.identifiers import mask_id_number
from graph.stores.neo4j import queries as q
from graph.stores.neo4j.properties import enterprise_node, record_node
from graph.stores.neo4j.writer import record_uid
from graph.stores.sqlite_schema import NO_ENTERPRISE

# Between the elements of a list property: the unit separator, which no department's text holds (the importer's
# default, ";", is common in it). Passed as --array-delimiter.
ARRAY_DELIMITER = "\x1f"
ARGS_FILE = "import.args"

_TYPES = {str: "string", bool: "boolean", int: "long", float: "double", list: "string[]"}


def _cell(value: Any) -> str:
    """One CSV cell: an unquoted empty cell is no property at all, a quoted one an empty text (as the writer's
    properties differ)."""
    if value is None:
        return ""
    t = type(value)
    if t is str:
        return '"' + value.replace('"', '""') + '"'
    if t is bool:
        return "true" if value else "false"
    if t is int or t is float:
        return repr(value)
    if t is list:
        if not value:
            return ""
        return '"' + ARRAY_DELIMITER.join(v.replace('"', '""') for v in value) + '"'
    raise TypeError(f"no importer type for {t.__name__}")


@dataclass
class _Part:
    path: Path
    columns: list[str]
    handle: Any
    rows: int = 0


@dataclass
class _Source:
    """All rows of one node label set or one relationship type: parts of files, one per set of typed columns."""
    directory: Path
    name: str
    fixed: list[str]  # header of the identifying columns (ID, START_ID/END_ID), always first
    parts: dict[tuple, _Part] = field(default_factory=dict)
    multiline: bool = False

    def add(self, ids: Iterable[Any], props: dict[str, Any]) -> None:
        # Called for every node and relationship of a province (millions): text, nearly every cell, is quoted here
        # rather than through _cell, and a part is found by its columns' Python types.
        present = [(k, v) for k, v in props.items() if v is not None]
        signature = tuple([(k, type(v)) for k, v in present])
        part = self.parts.get(signature)
        if part is None:
            part = self._open(signature)
        line = ",".join([*[_cell(v) for v in ids],
                         *['"' + v.replace('"', '""') + '"' if type(v) is str else _cell(v) for _, v in present]])
        if not self.multiline and ("\n" in line or "\r" in line):
            self.multiline = True
        part.handle.write(line + "\n")
        part.rows += 1

    def _open(self, signature: tuple) -> _Part:
        path = self.directory / f"{self.name}-{len(self.parts) + 1}.csv"
        handle = open(path, "w", encoding="utf-8", newline="")
        header = self.fixed + [f"{k}:{_TYPES[t]}" for k, t in signature]
        handle.write(",".join('"' + h.replace('"', '""') + '"' for h in header) + "\n")
        part = self.parts[signature] = _Part(path, header, handle)
        return part

    def close(self) -> None:
        for part in self.parts.values():
            part.handle.close()


@dataclass
class ImportFiles:
    """What was written: the argument file for neo4j-admin, and how many nodes and relationships it holds."""
    directory: Path
    nodes: int = 0
    relationships: int = 0
    multiline: bool = False
    node_sources: dict[str, _Source] = field(default_factory=dict)
    rel_sources: dict[str, _Source] = field(default_factory=dict)

    @property
    def args_file(self) -> Path:
        return self.directory / ARGS_FILE

    @property
    def admin_command(self) -> str:
        """The command that imports these files (the database is named in them), on a stopped server."""
        return f"neo4j-admin database import full @{shlex.quote(str(self.args_file))}"


class _Writer:
    def __init__(self, directory: Path, database: str):
        self.out = ImportFiles(directory)
        self.database = database

    def node(self, labels: str, id_column: str | None, node: dict[str, Any]) -> None:
        source = self.out.node_sources.get(labels)
        if source is None:
            fixed = [f"{id_column}:ID({labels.split(':')[0]})"] if id_column else []
            source = self.out.node_sources[labels] = _Source(self.out.directory, "nodes-" + labels.replace(":", "-"), fixed)
        if id_column:
            node = dict(node)
            ident = node.pop(id_column)
            source.add((ident,), node)
        else:
            source.add((), node)
        self.out.nodes += 1

    def relationship(self, rel_type: str, start_group: str, start: str, end_group: str, end: str,
                     props: dict[str, Any]) -> None:
        key = f"{rel_type}:{start_group}:{end_group}"
        source = self.out.rel_sources.get(key)
        if source is None:
            source = self.out.rel_sources[key] = _Source(
                self.out.directory, f"rels-{rel_type}-{start_group}-{end_group}",
                [f":START_ID({start_group})", f":END_ID({end_group})"])
        source.add((start, end), props)
        self.out.relationships += 1

    def close(self) -> ImportFiles:
        out = self.out
        # The database first: an option taking several files would take a name after it for one more.
        # No --report-file: the importer writes it where the one running it says (the server's logs).
        lines = [_quoted(self.database), "--overwrite-destination=true", "--id-type=string", "--array-delimiter=U+001F"]
        sources = list(out.node_sources.values()) + list(out.rel_sources.values())
        for source in sources:
            source.close()
            out.multiline = out.multiline or source.multiline
        if out.multiline:  # slower to parse: only when a department's text holds a line break
            lines.append("--multiline-fields=true")
        for labels, source in out.node_sources.items():
            for part in source.parts.values():
                lines.append(_quoted(f"--nodes={labels}={part.path}"))
        for key, source in out.rel_sources.items():
            for part in source.parts.values():
                lines.append(_quoted(f"--relationships={key.split(':')[0]}={part.path}"))
        out.args_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return out


def _quoted(arg: str) -> str:
    """One argument of the argument file (picocli's: double quotes, backslash escapes)."""
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_import_files(conn: sqlite3.Connection, directory: Path, database: str, meta: dict[str, Any],
                       base_version: int, progress: Callable[[str, int], None] | None = None) -> ImportFiles:
    """The importer's files for everything the staged store (`conn`) holds, into `directory`, for `database`. `meta`: the target's
    meta node as it is (an empty database's: its data version and load numbers go on from there); `base_version`
    is its data version, which every version of the staged loads is counted on from."""
    directory.mkdir(parents=True, exist_ok=True)
    w = _Writer(directory, database)
    try:
        eids = _enterprises(conn, w)
        _report(progress, "enterprise", len(eids))
        _persons(conn, w)
        _departments(conn, w)
        _roles(conn, w, eids)
        _report(progress, "role", w.out.relationships)
        _records(conn, w, eids)
        _report(progress, "record", w.out.nodes)
        _bookkeeping(conn, w, meta, base_version)
    finally:
        files = w.close()
    return files


def _report(progress, what: str, n: int) -> None:
    if progress is not None:
        progress(what, n)


def _enterprises(conn: sqlite3.Connection, w: _Writer) -> dict[int, str]:
    """Every enterprise under an eid of its own, as the writer gives one to an enterprise it creates."""
    eids: dict[int, str] = {}
    for rowid, key, uscc, reg_no, name, norm, chars, in_registry, props in conn.execute(
            "SELECT id, key, uscc, reg_no, name, name_norm, name_chars, in_registry, props FROM enterprise"):
        eid = eids[rowid] = uuid.uuid4().hex
        # The staged store's normalised name and Han characters: the writer's own, computed once already.
        w.node("Enterprise", "eid", enterprise_node(eid, key, uscc, reg_no, name, in_registry, orjson.loads(props),
                                                    norm=norm, name_han=_unspaced(chars)))
    return eids


def _persons(conn: sqlite3.Connection, w: _Writer) -> None:
    # What UPSERT_PERSONS sets on a person it creates.
    for id_number, name, id_type, chars in conn.execute("SELECT id_number, name, id_type, name_chars FROM person"):
        w.node("Person", "id_number", {"id_number": id_number, "masked_id": mask_id_number(id_number), "name": name,
                                       "id_type": id_type, "name_han": _unspaced(chars)})


def _unspaced(name_chars: str | None) -> str:
    """han_text(name) from the staged store's name_chars (spaced_han(name), the embedded name index's text)."""
    return name_chars.replace(" ", "") if name_chars else ""


def _departments(conn: sqlite3.Connection, w: _Writer) -> None:
    aliases: dict[str, list[str]] = {}
    for sent_as, name in conn.execute("SELECT sent_as, name FROM department_alias ORDER BY name, sent_as"):
        aliases.setdefault(name, []).append(sent_as)
    for (name,) in conn.execute("SELECT name FROM department ORDER BY name"):
        w.node("Department", "name", {"name": name, "aliases": aliases.get(name) or None})


def _roles(conn: sqlite3.Connection, w: _Writer, eids: dict[int, str]) -> None:
    for enterprise_id, member_kind, ref, role, share, since, until, former in conn.execute(
            "SELECT enterprise_id, member_kind, member_ref, role, share, since, until, former FROM role"):
        terms = orjson.loads(former) if former else None
        props = {"role": role, "share": share, "since": since, "until": until, "former": terms or None}
        if member_kind == "person":
            w.relationship(q.role_type(role), "Person", ref, "Enterprise", eids[enterprise_id], props)
        else:
            w.relationship(q.role_type(role), "Enterprise", eids[int(ref)], "Enterprise", eids[enterprise_id], props)


def _records(conn: sqlite3.Connection, w: _Writer, eids: dict[int, str]) -> None:
    """Records with the enterprise they concern, their departments, the person a listing names, and what a change
    changes (LINK_CHANGES, LINK_PENALTY_CHANGES)."""
    uids: dict[int, str] = {}
    for rid, kind, enterprise_id, natural, props in conn.execute(
            "SELECT id, kind, enterprise_id, natural, props FROM record"):
        eid = None if enterprise_id == NO_ENTERPRISE else eids[enterprise_id]
        uid = uids[rid] = record_uid(kind, eid, natural)
        w.node(f"Record:{q.RECORD_LABELS[kind]}", "uid", record_node(uid, kind, eid, natural, orjson.loads(props)))
        if eid is not None:
            w.relationship("CONCERNS", "Record", uid, "Enterprise", eid, {})
    for rid, relation, department, sent_as, since in conn.execute(
            "SELECT record_id, relation, department, sent_as, since FROM record_department"):
        w.relationship(q.DEPARTMENT_TYPES[relation], "Record", uids[rid], "Department", department,
                       {"sent_as": sent_as, "since": since})
    for rid, ref in conn.execute("SELECT record_id, party_ref FROM listing_subject WHERE party_kind = 'person'"):
        w.relationship("NAMES", "Record", uids[rid], "Person", ref, {})
    for change, changed, number in (("license-change", "license", "license_no"),
                                    ("penalty-change", "penalty", "decision_no")):
        for c, r in conn.execute(
                f"SELECT c.id, r.id FROM record c JOIN record r ON r.enterprise_id = c.enterprise_id AND r.kind = ? "
                f"AND json_extract(r.props, '$.{number}') = json_extract(c.props, '$.{number}') "
                f"WHERE c.kind = ? AND c.enterprise_id != ?", (changed, change, NO_ENTERPRISE)):
            w.relationship("CHANGES", "Record", uids[c], "Record", uids[r], {})


def _bookkeeping(conn: sqlite3.Connection, w: _Writer, meta: dict[str, Any], base_version: int) -> None:
    """Rejected rows remembered under their codes, the load history, which parties each version touched, and the meta
    node: what the loads' transactions would have left beside the graph."""
    for uid, code, kind, source, row, field_, reason, at in conn.execute(
            "SELECT uid, code, kind, source, row, field, reason, at FROM unread_row"):
        w.node("UnreadRow", "uid", {"uid": uid, "code": code, "kind": kind, "source": source, "row": row,
                                    "field": field_, "reason": reason, "at": at})
    seq = int(meta.get("load_seq") or 0)
    for at, file, kind, rows, loaded, rejected, rejects_file, version, sender, sent_as in conn.execute(
            "SELECT at, file, kind, rows, loaded, rejected, rejects_file, data_version, sender, sent_as "
            "FROM load_log ORDER BY id"):
        seq += 1
        w.node("LoadLog", None, {"at": at, "file": file, "kind": kind, "rows": rows, "loaded": loaded,
                                 "rejected": rejected, "rejects_file": rejects_file,
                                 "data_version": base_version + version, "seq": seq, "sender": sender,
                                 "sent_as": sent_as})
    codes: dict[int, list[str]] = {}
    for version, code in conn.execute("SELECT data_version, code FROM changed_party ORDER BY data_version, code"):
        codes.setdefault(version, []).append(code)
    for version, listed in codes.items():
        w.node("ChangedParties", None, {"data_version": base_version + version, "codes": listed})
    staged = int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
    # Without the mark of labelled listed parties: the first open after the import labels them (init_schema).
    kept = {k: v for k, v in meta.items() if k != "listed_labels"}
    w.node("CreditnetMeta", None, {**kept, "data_version": base_version + staged, "load_seq": seq})

"""What became of records, on Neo4j: the GraphWriter's amendment methods (graph/stores/base.py) for Neo4jWriter,
inside the file's transaction, and the reading of events and objections into the dicts both stores give
(graph/record_state.py)."""
from __future__ import annotations

import json
from typing import Any

from graph.record_state import EVENT_KEYS, OBJECTION_KEYS, RecordInfo, event_dict, objection_dict, record_id
from graph.stores.neo4j import amendment_queries as aq
from graph.stores.neo4j.properties import RECORD_KEYS, fields
from graph.stores.neo4j.sender import StatementSender, unlogged

NO_ENTERPRISE = "-"  # as writer.NO_ENTERPRISE: the uid's enterprise part of a listing of a natural person alone


def standing_of_row(props: dict[str, Any], ekey: str | None, events: list, objections: list) -> dict[str, Any]:
    """`record_id`, and `events` and `objections` where the record has any, as the embedded store gives them."""
    rid = record_id(props["kind"], ekey, props["natural"])
    out: dict[str, Any] = {"record_id": rid}
    if events:
        out["events"] = sorted((event_dict(e) for e in events), key=lambda e: e["seq"])
    if objections:
        out["objections"] = sorted((objection_dict({**o, "record_id": rid}) for o in objections), key=lambda o: o["id"])
    return out


def info_of(row, written: set[str] | None = None) -> RecordInfo:
    props = row["props"]
    standing = standing_of_row(props, row["ekey"], row["events"], row["objections"])
    return RecordInfo(standing["record_id"], props["kind"], row["ekey"], props["natural"], fields(props, RECORD_KEYS),
                      sorted(set(row["senders"])), standing.get("events", []), standing.get("objections", []),
                      written is not None and row["uid"] in written, row["uid"])


class Neo4jAmendments:
    """Mixed into Neo4jWriter, which gives the transaction, its sender, `flush` and `written_uids`."""

    tx: Any
    sender: StatementSender
    written_uids: set[str]
    stats: Any

    def flush(self) -> None: ...  # Neo4jWriter's

    def _ask(self, cypher: str, **params) -> list:
        """Run one statement in the file's transaction after every write before it; its changes count as the file's."""
        self.flush()
        params = unlogged(params)

        def run():
            result = self.tx.run(cypher, **params)
            rows = list(result)
            c = result.consume().counters
            self.stats.changed += (c.nodes_created + c.nodes_deleted + c.relationships_created
                                   + c.relationships_deleted + c.properties_set)
            return rows
        return self.sender.ask(run)

    def _infos(self, cypher: str, **params) -> list[RecordInfo]:
        return [info_of(row, self.written_uids) for row in self._ask(cypher, **params)]

    def records_under(self, kind, code):
        if code is None:
            return self._infos(aq.PERSON_ALONE_LISTINGS, prefix=f"{kind}|{NO_ENTERPRISE}|")
        return self._infos(aq.RECORDS_UNDER, kind=kind, code=code)

    def records_sent_by(self, kind, department):
        return self._infos(aq.RECORDS_SENT_BY, kind=kind, department=department)

    def written_with_events(self):
        self.flush()  # this file's records are known once written
        if not self.written_uids or not self._ask(aq.ANY_EVENTS)[0]["any"]:
            return []
        return self._infos(aq.WRITTEN_WITH_EVENTS, uids=sorted(self.written_uids))

    def add_event(self, record, event):
        values = {k: event.get(k) for k in EVENT_KEYS if event.get(k) is not None and k not in ("seq", "data_version")}
        return self._ask(aq.ADD_EVENT, uid=record.ref, event=values)[0]["seq"]

    def add_objection(self, record, objection):
        values = {k: objection.get(k) for k in OBJECTION_KEYS if objection.get(k) is not None
                  and k not in ("id", "data_version", "record_id")}
        values["history"] = json.dumps(objection.get("history") or [], ensure_ascii=False)
        return self._ask(aq.ADD_OBJECTION, uid=record.ref, objection=values)[0]["id"]

    def objection(self, objection_id):
        rows = self._ask(aq.OBJECTION, id=objection_id)
        if not rows:
            return None
        info = info_of(rows[0], self.written_uids)
        return next(o for o in info.objections if o["id"] == objection_id), info

    def set_objection(self, objection_id, status, history, outcome):
        self._ask(aq.SET_OBJECTION, id=objection_id, status=status, history=json.dumps(history, ensure_ascii=False),
                  outcome=outcome)


def all_objections(rows) -> list[dict[str, Any]]:
    """Every objection with the summary of its record, from the rows of ALL_OBJECTIONS."""
    out = []
    for row in rows:
        info = info_of(row)
        summary = info.summary()
        out += [{**o, "record": summary} for o in info.objections]
    return sorted(out, key=lambda o: o["id"])

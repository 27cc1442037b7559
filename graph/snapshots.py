"""Full exports (全量报送): a file declared to be its sender's complete current list of one class of records.

Departments export their lists whole each month; a listing lifted since is simply absent from the next file. Loaded
with `creditnet load --snapshot` (API: `snapshot=true`), every record of that class the sender sent before and the
file no longer holds ends as of the file's date (the load's `--as-of`, default today), with an event saying so
(graph/record_state.py): it stops counting from that day and stays in every answer's history.

A truncated export must not lift half a county's listings: a snapshot that would end more than a set share of the
sender's records (CREDITNET_SNAPSHOT_MAX_ENDED_SHARE, default 20%) is refused, and nothing of the file is loaded,
unless confirmed (--confirm-snapshot). A dry run lists what would end, and whether it would be refused.

Any load that sends again a record a snapshot ended brings it back (an export confirmed by mistake is undone by the
complete one); a withdrawn or corrected record sent again stays so, and the load summary says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from graph.amendments import Actor, event, now
from graph.departments import canonical_department
from graph.errors import CreditnetError, InvalidRequest
from graph.model import KINDS, RECORD_KINDS
from graph.names import looks_like_person_name
from graph.record_state import ENDED, REINSTATED, RESTORABLE, RecordInfo, ending
from graph.rows import departments
from graph.stores.base import GraphWriter
from graph.unread import UNREAD_KINDS, name_codes, person_code
from graph.vocabulary import fold, list_category

SHOWN_ENDED = 200  # a load summary lists the first records a snapshot ends; its count is all of them


class SnapshotRefused(CreditnetError):
    """A snapshot would end more than the set share of its sender's records: perhaps a truncated export."""
    code = "snapshot_refused"
    exit_code = 2
    http_status = 409


@dataclass
class Baseline:
    """What a full export is measured against, taken before its first row is written: the sender's records that
    counted then (new rows of the file must not dilute the share it ends), and the lists the file holds (a court's
    限制消费 export does not end its 失信被执行人 listings)."""
    department: str | None = None
    before: set[str] | None = None           # record IDs
    lists: set[str] = field(default_factory=set)  # list categories (blacklist), or the unknown list types, folded

    def see(self, writer: GraphWriter, kind: str, snapshot: "Snapshot", values: dict[str, Any]) -> None:
        """One valid row of the file, before it is written."""
        if kind == "blacklist":
            category = list_category(values.get("list_type"))
            self.lists.add(category.id if category.id != "unknown" else fold(values.get("list_type") or ""))
        if self.before is None:
            senders = {c for relation, c, _ in departments(kind, values) if relation != "received_by"}
            self.department = canonical_department(snapshot.department) if snapshot.department else (
                next(iter(senders)) if len(senders) == 1 else None)
            self.before = {i.record_id for i in writer.records_sent_by(kind, self.department)
                           if ending(i.events) is None} if self.department else set()

    def in_scope(self, info) -> bool:
        if not self.lists:
            return True
        category = list_category(info.fields.get("list_type"))
        return (category.id if category.id != "unknown" else fold(info.fields.get("list_type") or "")) in self.lists


@dataclass(frozen=True)
class Snapshot:
    """A load's declaration that its file is a complete list. `department`: whose (any spelling); None: the one
    department every row of the file names as its sender or issuer."""
    department: str | None = None
    confirmed: bool = False
    max_ended_share: float = 0.2
    actor: Actor = Actor("cli", None, True)
    audit: Callable[[dict[str, Any]], None] | None = None  # records the endings in the audit trail, before the commit


def check_kind(kind: str) -> None:
    if kind not in RECORD_KINDS:
        raise InvalidRequest(f"{KINDS[kind].label}不是部门报送的记录，不能作为全量报送导入 (only record files can be "
                             f"full exports)", {"kind": kind})


def _sender(writer: GraphWriter, snapshot: Snapshot) -> str:
    if snapshot.department:
        return canonical_department(snapshot.department)
    senders = sorted(writer.file_senders or ())
    if len(senders) != 1:
        found = "、".join(senders) or "（无）"
        raise InvalidRequest(f"全量报送须是一个部门的完整清单：文件各行共同的报送部门为 {found}；请用 --department 指明是哪个部门的清单 "
                             f"(a full export is one department's list: name it with --department)", {"senders": senders})
    return senders[0]


@dataclass
class Unreadable:
    """A full export's rows that could not be read (graph/unread.py): the keys they are remembered under, all their
    row numbers, and those naming no code or name at all."""
    keys: set[str]
    unkeyed: list[int]
    rows: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, kind: str, entries: list[dict[str, Any]], rejects: list) -> "Unreadable":
        if kind not in UNREAD_KINDS:  # a row of a class that restricts no one ends what it ends
            return cls(set(), [])
        keyed = {e["row"] for e in entries}
        rows = [r.row_number for r in rejects]
        return cls({e["code"] for e in entries}, [n for n in rows if n not in keyed], rows)


def _keys_of(info: RecordInfo) -> set[str]:
    """The keys a rejected row naming this record would be remembered under (graph/unread.py)."""
    f = info.fields
    keys = {info.enterprise_key, f.get("id_number"), person_code(f.get("person_name")), *name_codes(f.get("name"))}
    if looks_like_person_name(f.get("name")):
        keys.add(person_code(f.get("name")))
    return {k for k in keys if k}


def end_missing(writer: GraphWriter, kind: str, snapshot: Snapshot, effective: str, source: str,
                dry_run: bool, baseline: Baseline | None = None,
                unreadable: Unreadable | None = None) -> dict[str, Any]:
    """End the sender's records of `kind` this file did not send (as of `effective`); raise SnapshotRefused when they
    are more than the share allowed and not confirmed (a dry run reports it instead). Inside the file's transaction,
    after its rows."""
    department = _sender(writer, snapshot)
    unreadable = unreadable or Unreadable(set(), [])
    if not snapshot.actor.is_admin and snapshot.actor.department != department:
        from graph.accounts import Forbidden
        raise Forbidden(f"{snapshot.actor.department}不能以{department}的名义全量报送 (a department sends only its own list)",
                        {"department": department})
    # The sender's records that count now (none ended, or brought back by this very file), of the lists the file
    # holds, and those the file lacks; the share is of those that counted before the file (its new rows excluded).
    current = [i for i in writer.records_sent_by(kind, department) if ending(i.events) is None]
    if baseline is not None and baseline.department == department and baseline.before is not None:
        current = [i for i in current if i.record_id in baseline.before and baseline.in_scope(i)]
    missing = sorted((i for i in current if not i.written), key=lambda i: i.record_id)
    # A row of the file that could not be read may be the very record it still holds: what it names is not ended
    # (never a silent clear); a rejected row naming no one at all could be any record, so then nothing is.
    kept = missing if unreadable.unkeyed else [i for i in missing if unreadable.keys & _keys_of(i)]
    missing = [i for i in missing if i not in kept]
    before = len(current)
    share = len(missing) / before if before else 0.0
    refused = share > snapshot.max_ended_share and not snapshot.confirmed
    report = {"department": department, "kind": kind, "effective": effective, "ended_count": len(missing),
              "current_before": before, "share": round(share, 4), "max_share": snapshot.max_ended_share,
              "confirmed": snapshot.confirmed, "refused": refused,
              "ended": [i.summary() for i in missing[:SHOWN_ENDED]],
              "kept_unread": [i.summary() for i in kept[:SHOWN_ENDED]], "kept_unread_count": len(kept)}
    if kept:
        report["kept_message"] = (
            f"本文件有 {len(unreadable.rows)} 行未能导入，{len(kept)} 条现有记录可能就是这些行，未予终止：请改正后重新全量报送 "
            f"(rows that could not be read may be records still on the list: {len(kept)} not ended)"
            if not unreadable.unkeyed else
            f"本文件第 {'、'.join(map(str, unreadable.unkeyed[:10]))} 行未能导入且未载任何代码或名称，可能是任何一条现有记录：本次全量报送"
            f"不终止任何记录，请改正后重新报送 (a row naming no one could not be read: nothing is ended)")
    if refused:
        message = (f"本次全量报送将终止{department}的 {before} 条{KINDS[kind].label}记录中的 {len(missing)} 条（{share:.0%}），超过上限 "
                   f"{snapshot.max_ended_share:.0%}：文件可能不完整（导出被截断？）。请核对文件是否为本部门完整的现行清单；确认无误后，"
                   f"加 --confirm-snapshot（接口：confirm_snapshot=true）重新导入；可先加 --dry-run 查看将终止的记录 "
                   f"(this full export would end {len(missing)} of {before} records, more than "
                   f"{snapshot.max_ended_share:.0%}: check that the file is complete, then load it again with "
                   f"--confirm-snapshot)")
        report["message"] = message
        if not dry_run:
            raise SnapshotRefused(message, {k: v for k, v in report.items() if k != "ended"})
        return report
    at = now()
    reason = f"全量报送 {source} 中没有此记录 (absent from a full export)"
    for info in missing:
        writer.add_event(info, event(ENDED, snapshot.actor, reason, effective=effective, source=source, at=at))
    if missing and snapshot.audit is not None and not dry_run:
        snapshot.audit({"action": "snapshot", "at": at, "account": snapshot.actor.account,
                        "department": snapshot.actor.department, "reason": reason, "source": source,
                        "records": [i.record_id for i in missing], "sender": department, "effective": effective})
    return report


def restore_resent(writer: GraphWriter, effective: str, source: str, actor: Actor) -> dict[str, list[str]]:
    """Records this file sent again: those a snapshot ended come back from `effective`; those withdrawn or corrected
    stay so (their IDs are returned, for the load summary)."""
    restored, still = [], []
    for info in writer.written_with_events():
        end = ending(info.events)
        if end is None:
            continue
        if end["event"] in RESTORABLE:
            writer.add_event(info, event(REINSTATED, actor, f"{source} 再次报送此记录 (sent again)", effective=effective,
                                         source=source))
            restored.append(info.record_id)
        else:
            still.append(info.record_id)
    return {"reinstated": sorted(restored), "still_ended": sorted(still)}


__all__ = ["ENDED", "Baseline", "Snapshot", "SnapshotRefused", "check_kind", "end_missing", "restore_resent"]

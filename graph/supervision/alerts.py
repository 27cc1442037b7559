"""Which watched subjects' answers changed since alerts were last derived — and one alert per department for each.

A pass runs after every load that changes the store (CLI and API), and daily as `creditnet alerts refresh`.
- **Data version N → M.** The mark `derived_version` says up to which data version alerts have been derived. A
  pass reads which parties each version in (N, M] touched (graph/stores/changes.py) and walks back from them,
  through role edges, as far as a check reaches; only the watched subjects met on the way are checked again.
  A version that did not say what it touched (a reset, a file of a province's size), or a walk cut short by a
  supernode, makes the pass re-check every watched subject: slower, never wrong.
- **By date.** A listing that starts or ends changes answers with no load: `refresh` re-checks every watched
  subject on its date. Running it twice on one day finds nothing the second time (answers are compared with the
  last one kept, not re-alerted).
- **Crash.** The load commits first; the pass writes its alerts, the new answers and the mark in one transaction
  of supervision.sqlite afterwards. A process killed in between leaves the mark at N: the next pass (the next load,
  or the daily refresh) derives N → M then, and nothing is lost.
A subject newly watched (a new licence, an added code) gets its first answer without an alert: it has no "before".
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.errors import CreditnetError
from graph.model import Party
from graph.settings import Settings
from graph.stores.base import GraphReader, GraphStore
from graph.stores.changes import EVERYTHING
from graph.supervision.db import SupervisionDB, now
from graph.supervision.rescreen import Answer, answers
from graph.supervision.watch import Subject, Watched, watch_rows
from graph.supervision.webhooks import enqueue

log = logging.getLogger("creditnet.supervision")

EDGES_PER_PARTY = 50  # role edges per party of a walk's frontier, on average, beyond which it is a hub's
MARK_VERSION = "derived_version"
MARK_AS_OF = "as_of"
MARK_FULL = "full_as_of"  # the day of the last pass that re-checked every watched subject
ANSWERS_PER_WRITE = 1_000


def compare(before: list[dict], after: list[dict]) -> dict[str, list[dict]]:
    """Hits added, ended, and those whose listings changed (a second listing, an earlier end …)."""
    old, new = {h["key"]: h for h in before}, {h["key"]: h for h in after}

    def ids(h: dict) -> set[tuple[str, str | None]]:
        return {(x["id"], x.get("valid_to")) for x in h["listings"]}

    return {"added": [new[k] for k in new if k not in old], "ended": [old[k] for k in old if k not in new],
            "changed": [new[k] for k in new if k in old and ids(new[k]) != ids(old[k])]}


@dataclass
class PassReport:
    """What one pass did: `rechecked` counts the subjects checked again (newly watched ones included)."""
    version_before: int | None
    version_after: int
    as_of: str
    mode: str                       # incremental | full | none
    watched: int = 0
    rechecked: int = 0
    alerts: list[int] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    by_department: dict[str, list[int]] = field(default_factory=dict)
    deliveries: int = 0             # webhook deliveries written to the outbox with the alerts

    def as_dict(self) -> dict[str, Any]:
        return {"version_before": self.version_before, "version_after": self.version_after, "as_of": self.as_of,
                "mode": self.mode, "watched": self.watched, "rechecked": self.rechecked,
                "alerts": len(self.alerts), "alert_ids": self.alerts, "failed": self.failed,
                "deliveries": self.deliveries}


def walk_back(reader: GraphReader, codes: set[str], depth: int, limit: int) -> set[Subject] | None:
    """Every party within `depth` role edges of the parties these codes name (they included); None when a level
    reached `limit` edges, or on average EDGES_PER_PARTY per party of a large frontier (a supernode on the way:
    the caller re-checks everything instead)."""
    start: list[Party] = []
    for code in codes:
        kind, _, value = code.partition(":")
        party = reader.party_by_code(value, kind)
        if party is not None:
            start.append(party)
        elif kind == "id_number":  # a person the store has not kept (e.g. named in a row that was undone)
            start.append(Party("person", value))
    seen = {(p.kind, p.key) for p in start}
    frontier = start
    for _ in range(depth):
        if not frontier:
            break
        # A file of 10,000 listings walks back from 10,000 parties: the bound grows with the frontier, so that only
        # a hub (not the size of the file) sends the pass to re-check everything.
        bound = max(limit, EDGES_PER_PARTY * len(frontier))
        edges = reader.expand(frontier, bound)
        if len(edges) >= bound:
            return None
        nxt = []
        for edge in edges:
            for party in (edge.member, edge.enterprise):
                if (party.kind, party.key) not in seen:
                    seen.add((party.kind, party.key))
                    nxt.append(party)
        frontier = nxt
    return seen


def _targets(store: GraphStore, since: int, upto: int, subjects: set[Subject], settings: Settings) -> set[Subject] | None:
    """The watched subjects data versions (since, upto] may have changed the answer of; None: all of them."""
    def question(reader: GraphReader) -> set[Subject] | None:
        changes = reader.changed_parties(since, upto)
        if set(changes) != set(range(since + 1, upto + 1)) or any(EVERYTHING in c for c in changes.values()):
            return None
        codes = set().union(*changes.values()) if changes else set()
        # As far as a check reaches: its depth, and always two hops (the three-year bar, graph/queries/check.py).
        reach = walk_back(reader, codes, max(settings.default_depth, 2), settings.max_parties)
        return None if reach is None else reach & subjects
    return store.read(question)


def _pass_date(db: SupervisionDB, as_of: date | None) -> date:
    """The day answers are given for: the one asked, else today or the last refresh's date if later (a pass after
    a load never takes back what a refresh dated ahead found)."""
    if as_of is not None:
        return as_of
    kept = db.get_mark(MARK_AS_OF)
    today = date.today()
    return max(today, date.fromisoformat(kept)) if kept else today


def derive(store: GraphStore, db: SupervisionDB, settings: Settings, *, as_of: date | None = None,
           full: bool = False, by_date: bool = False, cause: str = "load") -> PassReport:
    """One pass: re-check the watched subjects the changes since the mark may concern (or all of them, `full`;
    with `by_date`, all of them when answers were last given for another day: listings started or ended since),
    and record an alert for each department watching a subject whose answer changed."""
    with db.transaction() as conn:
        day = _pass_date(db, as_of)
        full = full or (by_date and db.get_mark(MARK_FULL) != day.isoformat())
        mark = db.get_mark(MARK_VERSION)
        since = int(mark) if mark is not None else None
        version = store.data_version()
        rows = watch_rows(store, db, day)
        subjects = rows.subjects
        answered = {(k, key) for k, key in conn.execute("SELECT party_kind, party_key FROM answer")}
        report = PassReport(since, version, day.isoformat(), "none", watched=len(subjects))
        if full or since is None or version < since:
            targets: set[Subject] | None = None
        elif version == since:
            targets = set()
        else:
            targets = _targets(store, since, version, subjects, settings)
        if targets is None:
            targets, report.mode = set(subjects), "full"
        elif version != since:
            report.mode = "incremental"
        targets |= subjects - answered  # newly watched: their first answer
        # Who watches each subject, and why: for the subjects checked again only (an alert names them).
        w = rows.of(None if report.mode == "full" else targets)
        old = _last_answers(db, targets, len(answered))
        kept: list[tuple] = []
        for subject, new in answers(store, settings, sorted(targets), day):
            _record(conn, w, subject, new, old.get(subject), day, cause, report, kept)
            if len(kept) >= ANSWERS_PER_WRITE:
                _keep(conn, kept)
        _keep(conn, kept)
        # The outbox, in the same transaction as the alerts it carries (webhooks.py): a crash loses no notice.
        report.deliveries = enqueue(conn, report.by_department, settings.webhook_batch)
        # Watched by nobody now: a later watch starts afresh.
        conn.executemany("DELETE FROM answer WHERE party_kind = ? AND party_key = ?", answered - subjects)
        db.set_mark(MARK_VERSION, str(version))
        if report.mode == "full":
            db.set_mark(MARK_FULL, day.isoformat())
        if as_of is not None or db.get_mark(MARK_AS_OF) is None or day.isoformat() > (db.get_mark(MARK_AS_OF) or ""):
            db.set_mark(MARK_AS_OF, day.isoformat())
    return report


OLD_ANSWER = "SELECT party_kind, party_key, verdict, hits, data_version FROM answer"


def _last_answers(db: SupervisionDB, targets: set[Subject], answered: int) -> dict[Subject, tuple[str, str, int]]:
    """The last answers (verdict, hits, data version) of these subjects: read all at once for a large pass, one by
    one for a small one."""
    if len(targets) * 4 >= answered:
        return {s: (verdict, hits, version) for kind, key, verdict, hits, version in db.conn.execute(OLD_ANSWER)
                if (s := (kind, key)) in targets}
    out = {}
    for subject in targets:
        row = db.conn.execute(OLD_ANSWER + " WHERE party_kind = ? AND party_key = ?", subject).fetchone()
        if row:
            out[subject] = tuple(row[2:])
    return out


def _keep(conn, kept: list[tuple]) -> None:
    conn.executemany("INSERT OR REPLACE INTO answer (party_kind, party_key, name, verdict, hits, data_version, as_of) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", kept)
    kept.clear()


def _record(conn, w: Watched, subject: Subject, result: Answer | str, old: tuple[str, str, int] | None, day: date,
            cause: str, report: PassReport, kept: list[tuple]) -> None:
    """Keep the subject's new answer (in `kept`, written by the thousand), and alert every department watching it
    when it differs from the last."""
    kind, key = subject
    if isinstance(result, str):  # a code the check cannot take (another document's number): kept, reported
        report.failed.append({"party": f"{kind}:{key}", "reason": result})
        return
    report.rechecked += 1
    name = result.name or w.names.get(subject) or ""
    kept.append((kind, key, name, result.verdict, result.hits_json, result.data_version, day.isoformat()))
    if old is None:
        return
    old_verdict, old_hits, old_version = old
    if old_verdict == result.verdict and old_hits == result.hits_json:  # nearly every subject of a full re-screen
        return
    hits = result.hits
    changed = compare(json.loads(old_hits), hits)
    if old_verdict == result.verdict and not any(changed.values()):
        return
    for department, reasons in sorted(w.by_subject[subject].items()):
        cur = conn.execute(
            "INSERT INTO alert (department, party_kind, party_key, party_name, watched_for, created_at, as_of, cause, "
            "version_before, version_after, verdict_before, verdict_after, hits_before, hits_after, changed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (department, kind, key, name, json.dumps(reasons, ensure_ascii=False), now(), day.isoformat(), cause,
             old_version, result.data_version, old_verdict, result.verdict, old_hits, result.hits_json,
             json.dumps(changed, ensure_ascii=False)))
        assert cur.lastrowid is not None
        report.alerts.append(cur.lastrowid)
        report.by_department.setdefault(department, []).append(cur.lastrowid)


def derive_quietly(store: GraphStore, home, settings: Settings, *, as_of: date | None = None) -> PassReport | None:
    """After a load: derive, and if that fails, say so and leave the mark where it was (the next pass catches up).
    The load itself has committed and stands."""
    try:
        with SupervisionDB(home) as db:
            return derive(store, db, settings, as_of=as_of)
    except CreditnetError as exc:
        log.warning("alerts not derived after the load (the next load or `alerts refresh` will): %s", exc.message)
    except Exception:  # the load stands whatever goes wrong here; the mark says what is still to do
        log.exception("alerts not derived after the load (the next load or `alerts refresh` will)")
    return None

"""Writes one file's rows into the embedded store's SQLite file, inside the caller's transaction."""
from __future__ import annotations

import json
import sqlite3
from operator import itemgetter
from typing import Iterable, NamedTuple

import orjson

from graph.model import LEGAL_REPRESENTATIVE, Party, listed_person
from graph.names import normalise_name, spaced_han
from graph.rows import Identity, fold, row_codes, settle
from graph.stores.base import GraphWriter, WriteStats
from graph.stores.embedded_amendments import AmendmentWriting
from graph.stores.embedded_bulk_indexes import BulkIndexing
from graph.unread import is_name_key
from graph.stores.sqlite_schema import NO_ENTERPRISE


_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def dumps_props(props: dict) -> str:
    """Props as JSON text, keys sorted, non-ASCII as is. orjson: ~1 µs a record where json's encoder took ~4.
    Its text has no spaces after separators, as json.dumps's has: stored text is therefore compared by meaning
    where it may have been written by an earlier version (`_same_props`)."""
    return orjson.dumps(props, default=str, option=_SORTED).decode()


def _same_props(old_text: str, new_text: str) -> bool:
    return old_text == new_text or json.loads(old_text) == json.loads(new_text)

# Department links of new records, persons and roles wait in lists and go to SQLite in one executemany per
# this many rows: one call instead of one per row.
ROWS_PER_STATEMENT = 5000
_UPSERT_PERSON = ("INSERT INTO person (id_number, name, id_type, name_chars) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(id_number) DO UPDATE SET name = coalesce(excluded.name, person.name), "
                  "name_chars = CASE WHEN excluded.name IS NULL THEN person.name_chars ELSE excluded.name_chars END, "
                  "id_type = coalesce(excluded.id_type, person.id_type) "
                  "WHERE coalesce(excluded.name, person.name) IS NOT person.name "
                  "OR coalesce(excluded.id_type, person.id_type) IS NOT person.id_type")
# A name from a listing row fills a gap only (GraphWriter.person): the registry's name for that ID number stays.
_NAME_PERSON_FROM_LISTING = (
    "INSERT INTO person (id_number, name, id_type, name_chars) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(id_number) DO UPDATE SET name = coalesce(person.name, excluded.name), "
    "name_chars = CASE WHEN person.name IS NULL THEN excluded.name_chars ELSE person.name_chars END, "
    "id_type = coalesce(person.id_type, excluded.id_type) "
    "WHERE (person.name IS NULL AND excluded.name IS NOT NULL) OR (person.id_type IS NULL AND excluded.id_type IS NOT NULL)")
# A known role keeps its since and until where the row gives none: a stale member file naming a 监事 who left, without
# the 离任日期, does not bring them back.
_UPSERT_ROLE = ("INSERT INTO role (enterprise_id, member_kind, member_ref, role, share, since, until) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO UPDATE SET share = excluded.share, since = coalesce(excluded.since, role.since), "
                "until = coalesce(excluded.until, role.until) "
                "WHERE excluded.share IS NOT role.share OR coalesce(excluded.since, role.since) IS NOT role.since "
                "OR coalesce(excluded.until, role.until) IS NOT role.until")


_ID_NUMBER = itemgetter(0)  # of a pending person
_MEMBER = itemgetter(1, 2)  # of a pending role: the role_member index's key (its primary key follows the file)

_SELECT_ENTERPRISE = "SELECT id, key, uscc, reg_no, name, in_registry, props FROM enterprise"
# After this many look-ups of an enterprise by its code in one file, every enterprise's codes are read in one
# scan: a county's member or record file names each of its enterprises once or more, and a look-up each cost
# ~5–15 µs (a B-tree descent, pages often outside SQLite's cache once the store outgrows it), an eighth of
# the writer's time; the scan costs ~1 µs an enterprise and a dict of them ~150 bytes each. Not for a file a tenth
# of the store's size or less (a department's 10,000 listings into a province's 1,000,000 enterprises): reading
# every code cost it 2–5 s, its own look-ups a fraction of a second.
PRELOAD_AFTER = 2000
SCAN_PER_LOOKUP = 10  # enterprises a scan reads in the time of one look-up

# A file expected to bring at least this many rows, and at least twice as many as a name index's table holds,
# rebuilds that index in one pass at its end instead of having its triggers index each row (`_suspend_name_index`).
NAME_REBUILD_ROWS = 50_000


class KnownCodes(NamedTuple):
    """A writer's complete map of every enterprise's codes to its id, and the ids that have a name, kept by the
    store after the file's commit for the next file the same process loads. Each file of a province's load read
    it again in one scan of `enterprise` (its props with it: ~1.7 s a file at 1,000,000 enterprises, 12% of
    the writer's CPU over the eight files). `as_of` is the store's state after that commit (`store_state`): any
    later change, by this connection or another one, moves it, and the next writer reads the codes afresh."""
    ids: dict[str, int]
    named: set[int]
    as_of: tuple[int, int]


def store_state(conn: sqlite3.Connection) -> tuple[int, int]:
    """(PRAGMA data_version: moves when another connection commits; this connection's total_changes: moves with
    every row it writes)."""
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


class SqliteWriter(BulkIndexing, AmendmentWriting, GraphWriter):
    def __init__(self, conn: sqlite3.Connection, known: KnownCodes | None = None):
        """`known`: the codes a writer on this connection left complete, if the store has not changed since."""
        self.conn = conn
        self.stats = WriteStats()
        self._start_changes = conn.total_changes
        # Within this file's transaction: codes (a USCC has 18 characters, a registration number 15, so the
        # code alone says which) already resolved to an enterprise id, the ids that have a name, and persons
        # already written, so that the thousands of rows naming the same enterprise cost one look-up.
        # Once `_complete`, `_ids` holds every enterprise of the store (see PRELOAD_AFTER): a code not in it is
        # not in the store, and is not looked up.
        self._ids: dict[str, int] = {}
        self._named: set[int] = set()
        self._complete = False
        self._lookups = 0
        self._preload: bool | None = None  # whether reading every code pays for this file (`_preload_pays`)
        self._merged = False  # a merge deletes an enterprise, whose id a later insert may take again
        if known is not None:
            self._ids, self._named, self._complete = known.ids, known.named, True
        self._persons: set[tuple] = set()
        self._departments_seen: set[tuple[str, str]] = set()
        # Enterprises created by this file, and the legal representative each was given here: a registry
        # row for a new enterprise has no earlier representative to remove.
        self._fresh: dict[int, str | None] = {}
        self._department_rows: list[tuple[int, str, str, str, str | None]] = []
        self._pending_persons: list[tuple] = []
        self._pending_roles: list[tuple] = []
        # Records this file updated, with their props before it did, and the row changes those updates made
        # (props, department links, listing subjects): a file that sends a record and later its correction
        # re-applies both on every load, and if it ends where the store already was, nothing has changed.
        self._updated: dict[int, str] = {}
        self._update_changes = 0
        self.written_records: set[int] = set()  # ids of the records this file sent (a full export's, graph/snapshots.py)
        # Tables this file has written to, and the secondary indexes dropped because their table was empty
        # when this file first wrote to it (see `_first_write`), to be created again before the commit.
        self._written: set[str] = set()
        self._dropped: list[str] = []
        self._expected_rows = 0
        self._suspended_names: list[str] = []  # name indexes whose triggers this file dropped (`_suspend_name_index`)

    def known_codes(self) -> KnownCodes | None:
        """After the commit: this file's complete map of codes, for the next writer (None if it is not complete,
        or a merge left `_named` holding the id of a deleted enterprise)."""
        if not self._complete or self._merged:
            return None
        return KnownCodes(self._ids, self._named, store_state(self.conn))

    def expect_rows(self, rows: int) -> None:
        self._expected_rows = rows
        if rows >= NAME_REBUILD_ROWS:
            self._suspend_name_index(rows)

    # --- enterprises -------------------------------------------------------------------------------------
    def _row_by(self, column: str, value: str):
        if self._complete:
            eid = self._ids.get(value)
            return None if eid is None else self.conn.execute(f"{_SELECT_ENTERPRISE} WHERE id = ?", (eid,)).fetchone()
        self._lookups += 1
        if self._lookups > PRELOAD_AFTER and self._preload_pays():
            self._read_all_codes()
            return self._row_by(column, value)
        return self.conn.execute(f"{_SELECT_ENTERPRISE} WHERE {column} = ?", (value,)).fetchone()

    def _preload_pays(self) -> bool:
        """Whether reading every enterprise's codes costs less than looking up the rest of this file's (its size
        unknown: it does)."""
        if self._preload is None:
            (top,) = self.conn.execute("SELECT coalesce(max(id), 0) FROM enterprise").fetchone()  # ~ how many
            self._preload = not self._expected_rows or self._expected_rows * SCAN_PER_LOOKUP >= top
        return self._preload

    def _read_all_codes(self) -> None:
        ids, named = self._ids, self._named
        for eid, uscc, reg_no, has_name in self.conn.execute(
                "SELECT id, uscc, reg_no, coalesce(name, '') != '' FROM enterprise"):
            if uscc:
                ids[uscc] = eid
            if reg_no:
                ids[reg_no] = eid
            if has_name:
                named.add(eid)
        self._complete = True

    def _resolve(self, code: str, code_kind: str):
        """The enterprise row a code points to: by USCC, or by registration number where the registry knows both."""
        return self._row_by("uscc" if code_kind == "uscc" else "reg_no", code)

    def _merge(self, keep: int, drop: int) -> None:
        """Fold an enterprise known only by its registration number into the one with its USCC."""
        self._flush_departments()
        self._flush_people()
        self._restore_indexes()  # the updates below find roles and listings by member
        self._merged = True
        self._ids.clear()
        self._complete, self._lookups = False, 0
        self._fresh.pop(keep, None)
        self._fresh.pop(drop, None)
        c = self.conn
        for table, column in (("record", "enterprise_id"), ("role", "enterprise_id")):
            c.execute(f"UPDATE OR IGNORE {table} SET {column} = ? WHERE {column} = ?", (keep, drop))
            c.execute(f"DELETE FROM {table} WHERE {column} = ?", (drop,))
        for table, kind_col, ref_col in (("role", "member_kind", "member_ref"),
                                         ("listing_subject", "party_kind", "party_ref")):
            c.execute(f"UPDATE OR IGNORE {table} SET {ref_col} = ? WHERE {kind_col} = 'enterprise' AND {ref_col} = ?",
                      (str(keep), str(drop)))
            c.execute(f"DELETE FROM {table} WHERE {kind_col} = 'enterprise' AND {ref_col} = ?", (str(drop),))
        c.execute("DELETE FROM enterprise WHERE id = ?", (drop,))

    def enterprise(self, code, code_kind, *, name, reg_no=None, props=None, from_registry=False,
                   props_text=None, name_norm=None, name_chars=None):
        """`props_text`, `name_norm` and `name_chars`, where given (a row prepared in the reading process), are
        `props` as JSON text, the normalised name and its spaced Han characters (the name index's text)."""
        if not from_registry and not reg_no:
            eid = self._ids.get(code)
            if eid is not None and (eid in self._named or not name):
                return  # a record only names the enterprise, and it is known and named already
        c = self.conn
        uscc, reg_no = row_codes(code, code_kind, reg_no)
        if uscc and reg_no and not self._complete:  # a registry row with both numbers: one statement for both
            rows = c.execute(f"{_SELECT_ENTERPRISE} WHERE uscc = ? UNION ALL {_SELECT_ENTERPRISE} WHERE reg_no = ?",
                             (uscc, reg_no)).fetchall()
            by_uscc = next((r for r in rows if r[2] == uscc), None)
            by_reg = next((r for r in rows if r[3] == reg_no), None)
        else:
            by_uscc = self._row_by("uscc", uscc) if uscc else None
            by_reg = self._row_by("reg_no", reg_no) if reg_no else None
        folded = fold(by_uscc and by_uscc[0], by_reg and by_reg[0])
        if folded:
            self._merge(*folded)
            by_reg = None
        row = by_uscc or by_reg
        if row is None:
            new = settle(None, uscc=uscc, reg_no=reg_no, name=name, from_registry=from_registry)
            if "enterprise" not in self._written:
                self._first_write("enterprise")
            eid = c.execute("INSERT INTO enterprise (key, uscc, reg_no, name, name_norm, name_chars, in_registry, props) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (new.key, new.uscc, new.reg_no, new.name,
                             normalise_name(name) if name_norm is None else name_norm,
                             spaced_han(name) if name_chars is None else name_chars, int(new.in_registry),
                             dumps_props(props or {}) if props_text is None else props_text)).lastrowid
            assert eid is not None  # set by the INSERT that just added a row
            self._fresh[eid] = None
            for value in (uscc, reg_no):
                if value:
                    self._ids[value] = eid
            if name:
                self._named.add(eid)
            return
        eid, key, old_uscc, old_reg, old_name, in_registry, old_props = row
        new = settle(Identity(old_uscc, old_reg, old_name, bool(in_registry)), uscc=uscc, reg_no=reg_no, name=name,
                     from_registry=from_registry)
        if not from_registry:
            merged = json.loads(old_props)  # a record never changes the registry's fields
        elif props_text is None:
            merged = {**json.loads(old_props), **(props or {})}
        elif props_text == old_props:  # the registry row re-sent: merging changes nothing
            merged = None
        else:
            merged = {**json.loads(old_props), **json.loads(props_text)}
        new_props = old_props if merged is None else dumps_props(merged)
        new_uscc, new_reg, new_name = new.uscc, new.reg_no, new.name
        if (new.key, new_uscc, new_reg, new_name, int(new.in_registry)) != (
                key, old_uscc, old_reg, old_name, in_registry) or not _same_props(old_props, new_props):
            given = name_norm is not None and name_chars is not None and new_name == name
            c.execute("UPDATE enterprise SET key = ?, uscc = ?, reg_no = ?, name = ?, name_norm = ?, name_chars = ?, "
                      "in_registry = ?, props = ? WHERE id = ?",
                      (new.key, new_uscc, new_reg, new_name, name_norm if given else normalise_name(new_name),
                       name_chars if given else spaced_han(new_name), int(new.in_registry), new_props, eid))
        if self._complete:  # a code the enterprise gains here must be found by the next row that names it
            for value in (new_uscc, new_reg):
                if value:
                    self._ids[value] = eid
            if new_name:
                self._named.add(eid)

    def _enterprise_id(self, code: str, code_kind: str, name: str | None = None) -> int:
        eid = self._ids.get(code)
        if eid is not None:
            return eid
        row = self._resolve(code, code_kind)
        if row is None:
            self.enterprise(code, code_kind, name=name)
            eid = self._ids.get(code)  # a new enterprise: the insert put it there
            if eid is not None:
                return eid
            row = self._resolve(code, code_kind)
        self._ids[code] = row[0]
        if row[4]:
            self._named.add(row[0])
        return row[0]

    # --- persons and roles -------------------------------------------------------------------------------
    def person(self, id_number, name, id_type=None, *, from_listing=False):
        person = (id_number, name, id_type, from_listing)
        if person in self._persons:
            return
        self._persons.add(person)
        self._pending_persons.append(person)
        if len(self._pending_persons) >= ROWS_PER_STATEMENT:
            self._flush_people()

    def _member_ref(self, member: Party) -> str:
        if member.kind == "person":
            return member.key
        kind = "uscc" if len(member.key) == 18 else "reg_no"
        return str(self._enterprise_id(member.key, kind, member.name or None))

    def role(self, member, enterprise_code, enterprise_code_kind, role, share=None, since=None, until=None):
        eid = self._enterprise_id(enterprise_code, enterprise_code_kind)
        self._add_role(eid, member.kind, self._member_ref(member), role, share, since, until)

    def record_unread(self, kind, source, entries, loaded_codes, loaded_rows):
        c, uids = self.conn, {e["uid"] for e in entries}
        old = [(u, code, row) for u, code, row in c.execute(
            "SELECT uid, code, row FROM unread_row WHERE source = ? AND kind = ?", (source, kind)) if u not in uids]
        named_only = {row for _, _, row in old} - {row for _, code, row in old if not is_name_key(code)}
        settled = {row for _, code, row in old if code in loaded_codes} | (named_only & loaded_rows)
        stale = [u for u, _, row in old if row in settled]
        c.executemany("DELETE FROM unread_row WHERE uid = ?", [(u,) for u in stale])
        c.executemany("INSERT OR IGNORE INTO unread_row (uid, code, kind, source, row, field, reason, at) "
                      "VALUES (:uid, :code, :kind, :source, :row, :field, :reason, :at)", entries)

    def role_history(self, member, enterprise_code, enterprise_code_kind, role, former):
        self._flush_people()
        self.conn.execute("UPDATE role SET former = ? WHERE enterprise_id = ? AND member_kind = ? AND member_ref = ? "
                           "AND role = ?", (json.dumps(former), self._enterprise_id(enterprise_code, enterprise_code_kind),
                                            member.kind, self._member_ref(member), role))

    def _add_role(self, eid: int, member_kind: str, ref: str, role: str, share: str | None, since: str | None = None,
                  until: str | None = None) -> None:
        self._pending_roles.append((eid, member_kind, ref, role, share, since, until))
        if len(self._pending_roles) >= ROWS_PER_STATEMENT:
            self._flush_people()

    # --- rows prepared in the reading process (graph/stores/embedded_rows.py) ------------------------------
    def write_prepared(self, kind, row):
        """The same writes as graph.row_writes.write_row for the row `embedded_rows.preparer(kind)` made."""
        if kind == "member":
            (code, code_kind, name, member_kind, member_id, member_code_kind, member_name, id_type, role, share, since,
             until) = row
            self.enterprise(code, code_kind, name=name)
            if member_kind == "enterprise":
                self.enterprise(member_id, member_code_kind, name=member_name)
            else:
                self.person(member_id, member_name, id_type)
            eid = self._enterprise_id(code, code_kind)
            ref = member_id if member_kind == "person" else \
                str(self._enterprise_id(member_id, member_code_kind, member_name or None))
            self._add_role(eid, member_kind, ref, role, share, since, until)
        elif kind == "enterprise":
            (code, code_kind, name, reg_no, props_text, name_norm, name_chars, rep_id, rep_name, rep_id_type,
             rep_since, replaced_on) = row
            self.enterprise(code, code_kind, name=name, reg_no=reg_no, props_text=props_text, name_norm=name_norm,
                            name_chars=name_chars, from_registry=True)
            if rep_id:
                self.person(rep_id, rep_name, rep_id_type)
                self._add_role(self._enterprise_id(code, code_kind), "person", rep_id, LEGAL_REPRESENTATIVE, None,
                               rep_since)
                self.replace_legal_representative(code, code_kind, rep_id, LEGAL_REPRESENTATIVE,
                                                  self.effective_date(replaced_on))
        else:
            code, code_kind, name, natural_key, text, departments, person, subject = row
            if person:
                self.person(*person, from_listing=True)
            self._record(kind, natural_key, code, code_kind, name, text, departments, subject)

    def _flush_people(self) -> None:
        """Write the persons and roles waiting since the last flush, in the order they came (a later row for
        the same person or role wins, as row by row). Called before any statement that reads or deletes roles."""
        # Each batch in key order (a stable sort: a later row for the same key still comes later): ID numbers
        # arrive in random order, and consecutive inserts into nearby B-tree pages find them in the CPU's cache.
        if self._pending_persons:
            self._pending_persons.sort(key=_ID_NUMBER)
            # Registry and member rows first: a listing's name then fills only the gaps they leave.
            for upsert, from_listing in ((_UPSERT_PERSON, False), (_NAME_PERSON_FROM_LISTING, True)):
                self.conn.executemany(upsert, [(*p[:3], spaced_han(p[1])) for p in self._pending_persons
                                               if p[3] is from_listing])
            self._pending_persons = []
        if self._pending_roles:
            if "role" not in self._written:
                self._first_write("role")
            self._pending_roles.sort(key=_MEMBER)
            self.conn.executemany(_UPSERT_ROLE, self._pending_roles)
            self._pending_roles = []

    def replace_legal_representative(self, enterprise_code: str, code_kind: str, person_id: str, role: str,
                                     on: str) -> None:
        """The registry row names the current legal representative: an earlier one's term ends `on`, and is kept."""
        eid = self._enterprise_id(enterprise_code, code_kind)
        if eid in self._fresh:
            if self._fresh[eid] in (None, person_id):
                self._fresh[eid] = person_id  # the only one this enterprise has had: nothing to end
                return
            self._fresh[eid] = person_id  # after this change, as if the file had named them alone
        self._flush_people()
        c = self.conn
        ended = c.execute("UPDATE role SET until = ? WHERE enterprise_id = ? AND role = ? AND until IS NULL AND NOT "
                          "(member_kind = 'person' AND member_ref = ?)", (on, eid, role, person_id)).rowcount
        # Named again after their term ended: a new term from `on`, and the ended one kept (a bar asks about it).
        # Ended on `on` itself, the term simply goes on (a file naming the same holders again, row by row).
        resumed = c.execute("UPDATE role SET until = NULL WHERE enterprise_id = ? AND role = ? AND member_kind = "
                            "'person' AND member_ref = ? AND until = ?", (eid, role, person_id, on)).rowcount
        c.execute("UPDATE role SET former = json_insert(coalesce(former, '[]'), '$[#]', coalesce(since, '') || '|' || "
                  "until), since = ?, until = NULL WHERE enterprise_id = ? AND role = ? AND member_kind = 'person' "
                  "AND member_ref = ? AND until IS NOT NULL", (on, eid, role, person_id))
        if ended and not resumed:
            c.execute("UPDATE role SET since = ? WHERE enterprise_id = ? AND role = ? AND member_kind = 'person' "
                      "AND member_ref = ? AND until IS NULL AND since IS NULL", (on, eid, role, person_id))

    # --- records -----------------------------------------------------------------------------------------
    def record(self, kind, natural_key, enterprise_code, enterprise_code_kind, props, departments=()):
        """`enterprise_code` None: a listing of a natural person alone, kept under NO_ENTERPRISE."""
        self._record(kind, natural_key, enterprise_code, enterprise_code_kind, props.get("name"), dumps_props(props),
                     departments, listed_person(props) if kind == "blacklist" else None)

    def _record(self, kind: str, natural_key: str, enterprise_code: str, enterprise_code_kind: str,
                name: str | None, text: str, departments, subject: str | None) -> None:
        """`text`: the record's props as JSON; `subject`: the person a listing restricts besides its enterprise."""
        c = self.conn
        eid = NO_ENTERPRISE if enterprise_code is None else self._enterprise_id(enterprise_code, enterprise_code_kind,
                                                                                name)
        if "record" not in self._written:
            self._first_write("record")
        if self.track_senders:
            departments = list(departments)
            self.saw_departments(departments)
        # Insert first: on a first load (the common case) that is the only statement; a conflict means the
        # record is known, and only then is it read and compared.
        inserted = c.execute("INSERT INTO record (kind, enterprise_id, natural, props) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (kind, enterprise_id, natural) DO NOTHING", (kind, eid, natural_key, text))
        if inserted.rowcount == 1:
            assert inserted.lastrowid is not None  # set by the INSERT that just added a row
            if self.track_senders:  # a new record has no events: only a full export asks about it (memory stays flat)
                self.written_records.add(inserted.lastrowid)
            self._record_links(inserted.lastrowid, kind, eid, subject, departments, fresh=True)
        else:
            rid, old_text = c.execute("SELECT id, props FROM record WHERE kind = ? AND enterprise_id = ? AND natural = ?",
                                      (kind, eid, natural_key)).fetchone()
            self.written_records.add(rid)
            if _same_props(old_text, text):
                return  # the same record re-sent: nothing changes (departments and subjects are in its props)
            self._flush_departments()  # so that the changes counted below are this record's only
            before = c.total_changes
            self._updated.setdefault(rid, old_text)
            c.execute("UPDATE record SET props = ? WHERE id = ?", (text, rid))
            self._record_links(rid, kind, eid, subject, departments, fresh=False)
            self._flush_departments()
            self._update_changes += c.total_changes - before

    def _record_links(self, rid: int, kind: str, eid: int, subject: str | None, departments, fresh: bool) -> None:
        c = self.conn
        self._departments(rid, departments, fresh)
        if kind == "blacklist":
            wanted = {("enterprise", str(eid))} if eid != NO_ENTERPRISE else set()
            if subject:
                wanted.add(("person", subject))
            have = set() if fresh else set(c.execute(
                "SELECT party_kind, party_ref FROM listing_subject WHERE record_id = ?", (rid,)))
            for kind_, ref in have - wanted:
                c.execute("DELETE FROM listing_subject WHERE record_id = ? AND party_kind = ? AND party_ref = ?",
                          (rid, kind_, ref))
            if "listing_subject" not in self._written:
                self._first_write("listing_subject")
            c.executemany("INSERT INTO listing_subject (record_id, party_kind, party_ref) VALUES (?, ?, ?)",
                          [(rid, k, r) for k, r in wanted - have])

    def _departments(self, rid: int, departments: Iterable[tuple[str, str, str]], fresh: bool) -> None:
        c = self.conn
        wanted = {(relation, canonical): sent_as for relation, canonical, sent_as in departments}
        today = self.effective_date(None)
        since: dict[tuple[str, str], str | None] = {}  # a link kept keeps its day
        if not fresh:
            self._flush_departments()  # a record sent twice in one file: its first links must be readable
            have = {}
            for r, d, s, day in c.execute(
                    "SELECT relation, department, sent_as, since FROM record_department WHERE record_id = ?", (rid,)):
                have[(r, d)], since[(r, d)] = s, day
            if wanted == have:
                return
            c.execute("DELETE FROM record_department WHERE record_id = ?", (rid,))
        for (_relation, canonical), sent_as in wanted.items():
            if (canonical, sent_as) not in self._departments_seen:
                self._departments_seen.add((canonical, sent_as))
                c.execute("INSERT OR IGNORE INTO department (name) VALUES (?)", (canonical,))
                c.execute("INSERT INTO department_alias (sent_as, name) VALUES (?, ?) "
                          "ON CONFLICT(sent_as) DO NOTHING", (sent_as, canonical))
        self._department_rows.extend((rid, relation, canonical, sent_as, since.get((relation, canonical), today))
                                     for (relation, canonical), sent_as in wanted.items())
        if len(self._department_rows) >= ROWS_PER_STATEMENT:
            self._flush_departments()

    def _updates_undone(self) -> bool:
        """Every record this file updated is back to what it was before the file (its links follow its props)."""
        ids = list(self._updated)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows = self.conn.execute(f"SELECT id, props FROM record WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            if not all(_same_props(self._updated[rid], text) for rid, text in rows):
                return False
        return True

    def _flush_departments(self) -> None:
        if self._department_rows:
            if "record_department" not in self._written:
                self._first_write("record_department")
            self.conn.executemany("INSERT INTO record_department (record_id, relation, department, sent_as, since) "
                                  "VALUES (?, ?, ?, ?, ?)", self._department_rows)
            self._department_rows = []

    def finish(self):
        self._flush_departments()
        self._flush_people()
        self._restore_indexes()
        self.stats.changed = self.conn.total_changes - self._start_changes
        if self.stats.changed and self.stats.changed == self._update_changes and self._updates_undone():
            self.stats.changed = 0
        self._rebuild_name_index(bool(self.stats.changed))
        if self.stats.changed:
            self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")

"""What a file did to the embedded store's enterprises, persons and roles, so that a file which only undoes its
own changes does not move the data version.

A file that names the same enterprise twice (another status, another legal representative), the same member
twice (another share) or the same person twice (another name) applies the first row and then its correction on
every load; loaded again, it ends where the store already was, and nothing has changed. SQLite says how many
rows a statement touched, not whether the file ended where it began, so while a file is written:

- temporary triggers keep each row's values before every UPDATE and DELETE of these tables (they fire only on
  rows that change: a first load inserts, and pays nothing);
- the writer counts the row changes its statements on these tables make (`counting`), which with the triggers'
  own rows gives the rows each table gained (`inserted = changes - 2 x fired`: each fire is one changed row and
  one kept copy).

`undone()` then holds when, for each table, the file inserted as many rows as it deleted and every row it
updated or deleted is back as it was before the file (or gone again, if the file had created it: a kept copy
whose rowid is above the table's largest before the file is the file's own). With the counts equal, no row can
have appeared that was not there before (BENCHMARKS.md has no figures for it: it costs nothing on a first load).
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager

# table -> (the columns that name a row, the columns that hold its values)
TABLES = {
    "enterprise": (("id",), ("key", "uscc", "reg_no", "name", "name_norm", "in_registry", "props")),
    "person": (("id_number",), ("name", "id_type")),
    "role": (("enterprise_id", "member_kind", "member_ref", "role"), ("share",)),
}


def _kept(table: str) -> str:
    return f"creditnet_before_{table}"


class EntityChanges:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.close()  # a file rolled back takes its temporary tables with it; this is for one that was not
        self.changes = dict.fromkeys(TABLES, 0)
        # The largest rowid of each table before the file: a row above it was inserted by the file.
        self.max_rowid = {t: conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0] for t in TABLES}
        for table, (keys, values) in TABLES.items():
            columns = ", ".join(("rid",) + keys + values)
            old = ", ".join(("old.rowid",) + tuple(f"old.{c}" for c in keys + values))
            conn.execute(f"CREATE TEMP TABLE {_kept(table)} (seq INTEGER PRIMARY KEY, op TEXT NOT NULL, {columns})")
            for op, event in (("u", "UPDATE"), ("d", "DELETE")):
                conn.execute(f"CREATE TEMP TRIGGER {_kept(table)}_{op} BEFORE {event} ON main.{table} BEGIN "
                             f"INSERT INTO {_kept(table)} (op, {columns}) VALUES ('{op}', {old}); END")

    @contextmanager
    def counting(self, table: str):
        """Around a statement that writes `table` (and no other table): its changes, the triggers' included."""
        before = self.conn.total_changes
        try:
            yield
        finally:
            self.changes[table] += self.conn.total_changes - before

    def total(self) -> int:
        return sum(self.changes.values())

    def undone(self) -> bool:
        for table, (keys, values) in TABLES.items():
            if not self.changes[table]:
                continue
            fired, deleted = self.conn.execute(
                f"SELECT count(*), count(*) FILTER (WHERE op = 'd') FROM {_kept(table)}").fetchone()
            if self.changes[table] - 2 * fired != deleted:   # rows inserted != rows deleted
                return False
            key_list = ", ".join(keys)
            first = self.conn.execute(
                f"SELECT rid, {', '.join(keys + values)} FROM {_kept(table)} WHERE seq IN "
                f"(SELECT min(seq) FROM {_kept(table)} GROUP BY {key_list})").fetchall()
            where = " AND ".join(f"{k} = ?" for k in keys)
            for rid, *row in first:
                key, was = row[:len(keys)], row[len(keys):]
                now = self.conn.execute(f"SELECT {', '.join(values)} FROM {table} WHERE {where}", key).fetchone()
                if rid > self.max_rowid[table]:
                    was = None  # the file created this row: before the file it did not exist
                if not _same(table, values, was, now):
                    return False
        return True

    def close(self) -> None:
        """Drop the triggers and kept rows (inside the file's transaction: a rollback drops them too)."""
        for table in TABLES:
            for op in ("u", "d"):
                self.conn.execute(f"DROP TRIGGER IF EXISTS temp.{_kept(table)}_{op}")
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{_kept(table)}")


def _same(table: str, columns: tuple[str, ...], was, now) -> bool:
    if was is None or now is None:
        return was is None and now is None
    if table != "enterprise":
        return tuple(was) == tuple(now)
    # Props written by an earlier creditnet may differ in spacing only (embedded_writer._same_props).
    i = columns.index("props")
    return tuple(was[:i]) + tuple(was[i + 1:]) == tuple(now[:i]) + tuple(now[i + 1:]) and (
        was[i] == now[i] or json.loads(was[i]) == json.loads(now[i]))

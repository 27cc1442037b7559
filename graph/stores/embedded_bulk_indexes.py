"""How the embedded writer keeps a large load fast: indexes dropped while a file fills a table and built again in
one pass before its commit (graph/stores/embedded_writer.py). Everything happens inside the file's transaction:
a file that fails or is killed leaves the indexes, and their triggers, as they were."""
from __future__ import annotations

import sqlite3

from graph.stores.sqlite_schema import NAME_INDEX_TABLES, name_index_sql


class BulkIndexing:
    """The writer's index handling; its state (`_written`, `_dropped`, `_expected_rows`, `_suspended_names`) is set
    up by the writer."""

    conn: sqlite3.Connection
    _written: set[str]
    _dropped: list[str]
    _expected_rows: int
    _suspended_names: list[str]

    # --- the name index during a large load --------------------------------------------------------------
    def _suspend_name_index(self, rows: int) -> None:
        """A large file: drop the name index's triggers for the rest of it, and rebuild the index from its table in
        one pass before the commit (`_rebuild_name_index`). Kept up to date, every enterprise and person row ran a
        trigger and an FTS5 insert of its own (the 1,000,000-row registry file loaded 2.2× slower with the index
        than without); one 'rebuild' reads the names once and writes the index's segments once. A table holding
        more than half the file's rows keeps its triggers: a rebuild reads every name, and a file sent again into
        it changes few of them (the update trigger runs only for a name that changed). All of it inside the
        file's transaction: a file that fails or is killed leaves the index and its triggers as they were."""
        c = self.conn
        for index, (table, _) in NAME_INDEX_TABLES.items():
            if index in self._suspended_names:
                continue
            triggers = (f"{index}_insert", f"{index}_delete", f"{index}_update")
            present = c.execute(f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
                                f"({','.join('?' * len(triggers))})", triggers).fetchone()[0]
            if present < len(triggers) or rows < 2 * c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
                continue
            for trigger in triggers:
                c.execute(f'DROP TRIGGER "{trigger}"')
            self._suspended_names.append(index)

    def _rebuild_name_index(self, changed: bool) -> None:
        """The suspended indexes rebuilt from their tables (unless the file changed nothing: the index is as valid
        as before it), and their triggers created again."""
        for index in self._suspended_names:
            if changed:
                self.conn.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
            for trigger in name_index_sql(index)[1:]:
                self.conn.execute(trigger)
        self._suspended_names = []

    # --- secondary indexes during a first load -----------------------------------------------------------
    def _first_write(self, table: str) -> None:
        """Before this file's first insert into `table`: if the table is empty, drop its secondary indexes for
        the rest of the file and create them again before the commit (`_restore_indexes`). One CREATE INDEX
        sorts its entries once; kept up to date, each insert descends the index's B-tree at a random place
        (ID numbers, names), a page often outside the cache at 1,000,000 enterprises. All of it happens inside
        the file's transaction: a file that fails or is killed leaves the indexes as they were. Unique
        constraints stay (they are the table's own, and the writer's upserts rely on them).

        `role`'s are also dropped when the file brings at least twice as many rows as the table holds
        (`expect_rows`): a member file's roles go into a table that already holds the registry's legal
        representatives (2.88 million into 1 million at 1,000,000 enterprises), each a descent of `role_member` at a
        random ID number, where one CREATE INDEX sorts them all. A re-sent file never brings twice what it put there."""
        self._written.add(table)
        c = self.conn
        if c.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0] and not (
                table == "role" and self._expected_rows >= 2 * c.execute("SELECT count(*) FROM role").fetchone()[0]):
            return
        for name, sql in c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                   "AND sql IS NOT NULL", (table,)).fetchall():
            c.execute(f'DROP INDEX "{name}"')
            self._dropped.append(sql)

    def _restore_indexes(self) -> None:
        """Create the dropped indexes again: before the commit, and before any statement that would search
        through one of them (a merge of two enterprises)."""
        for sql in self._dropped:
            self.conn.execute(sql)
        self._dropped = []

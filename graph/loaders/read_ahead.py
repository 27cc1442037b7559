"""The files of one `creditnet load`, each read while the file before it commits.

A file's load ends with work only the writing process does: the last flush, the indexes dropped for a first load
rebuilt, COMMIT, and the checkpoint that copies the file's pages from the WAL into the database; then the next file
was opened (its encoding sniffed over the whole file) and its reader forked. At 1,000,000 enterprises that was
~15 s of a 141 s load with no reader running.

So the reader of file n+1 is forked when file n starts, waits, and starts reading when file n's last rows have
arrived: it writes nothing, so file n's transaction is all that commits, and file n+1's rows wait in its queue
until `load_file` takes them inside file n+1's own transaction, after file n committed or rolled back. It is
forked at the start of file n, not at its end, because the writer's page cache grows to a GB during a file: a fork
then would share those pages copy-on-write, and the commit would copy them.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence

from graph.loaders.pipeline import Reading


class ReadAhead:
    """Readings of `paths`, taken in order by `load_file`. A path taken out of turn (one the caller skipped, a
    path not in the list) gets a reading of its own, started then; the waiting one is stopped."""

    def __init__(self, paths: Sequence[Path | str], kind: str | None, prepare_for: Callable | None,
                 department: str | None = None):
        self._paths = [Path(p) for p in paths]
        self._kind, self._prepare_for, self._department = kind, prepare_for, department
        self._position = 0
        self._next: tuple[int, Reading] | None = None

    def take(self, path: Path | str) -> Reading:
        """The reading of `path` (the caller closes it), and the next file's reader forked, waiting."""
        path = Path(path)
        try:
            i = self._paths.index(path, self._position)
        except ValueError:
            i = None
        if self._next is not None and self._next[0] == i:
            reading, self._next = self._next[1], None
            reading.go()
        else:
            self.close()  # it waits for another file
            reading = Reading(path, self._kind, self._prepare_for, department=self._department)
        if i is not None:
            self._position = i + 1
            if self._position < len(self._paths) and os.path.isfile(self._paths[self._position]):
                self._next = (self._position, Reading(self._paths[self._position], self._kind, self._prepare_for,
                                                      department=self._department, waiting=True, close_in_child=reading.parent_ends))
        return reading

    def rows_done(self) -> None:
        """The file being loaded has sent its last rows: the next file's reader may start."""
        if self._next is not None:
            self._next[1].go()

    def close(self) -> None:
        """Stop a reader started for a file that will not be loaded now (an error ended the command)."""
        if self._next is not None:
            self._next[1].close()
            self._next = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

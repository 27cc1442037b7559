"""A file too large for one Neo4j transaction, written in parts and seen whole or not at all.

One file was one transaction, so the server's transaction memory bounded the file. A file of more than
`neo4j_rows_per_transaction` rows is now committed every that many rows; its first part's commit also marks the
meta node (`loading_id`, `loading_file`, `loading_fingerprint`, `loading_since`), and its last commit does what a
load's commit does (links changes, raises the data version, records the changed parties and the load log) and
removes the mark. While the mark is there every question is refused as busy (`settled_version`), and every other
load and the parts of another large file withdraw, so no answer ever comes from part of a file.

A load that dies leaves its parts and the mark: questions keep being refused, saying to load that file again.
Loading the same content again (same fingerprint) takes the mark over and writes the file from its start; the
writes are MERGEs, so what the dead load committed is matched, not duplicated, and the last commit removes the
mark. `creditnet reset` removes it too, with everything else.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone
from pathlib import Path
from uuid import uuid4

from graph.errors import CreditnetError, StoreBusy


def busy_reading(file: str) -> StoreBusy:
    # Read by the official at the counter: what to do is to wait, or to ask the administrator, never to empty the store.
    return StoreBusy(f"正在导入大文件 {file}：分批导入完成前暂停核查，请稍后重试。如长时间仍是如此，说明该文件的导入被中断，"
                     f"请联系数据管理员重新导入同一文件（内容不变）以完成导入 (the large file {file} is being loaded "
                     f"in several transactions, and checks wait for its last commit: retry shortly. If this lasts, its "
                     f"load was interrupted: ask the administrator to load the same file, unchanged, again to finish it)")


def busy_loading(file: str) -> StoreBusy:
    return StoreBusy(f"正在分批导入大文件 {file}，本文件未导入任何数据；请在其导入完成后重新导入本文件。如果没有正在运行的导入，"
                     f"说明 {file} 的导入被中断：请先重新导入同一文件 {file}（内容须与中断时完全相同，改动过的文件不能接续）"
                     f"完成它，再导入本文件；原文件已无法找回时，只能运行 creditnet reset --yes 清空数据库后重新导入全部文件 "
                     f"(the large file {file} is being loaded: nothing of this file was loaded; load it again when that "
                     f"load has finished. If no load is running, the load of {file} was interrupted: load that same "
                     f"file, with exactly the content it had, again first; an edited copy cannot finish it. If the "
                     f"original is lost, only `creditnet reset --yes` and loading every file again gets past it)")


def mark_lost() -> StoreBusy:
    return StoreBusy("本文件分批导入期间，数据库被 creditnet reset 清空或被另一次导入接手，本文件的导入已停止；请重新导入本文件 "
                     "(while this file was being loaded in parts, the store was emptied by `creditnet reset` or another "
                     "load of the same file took over: this load stopped; load the file again)")


def fingerprint_of(source: str) -> str:
    """The file's content, hashed: a file sent again under another name still resumes its interrupted load."""
    path = Path(source)
    digest = hashlib.sha256()
    if path.is_file():
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    else:  # a writer opened for something that is not a file on disk: its name is all there is
        digest.update(source.encode())
    return digest.hexdigest()


class LargeFile:
    """One load's claim on the meta node's mark: its own id, and the id of the interrupted load it resumes."""

    def __init__(self, source: str):
        self.source = source
        self.file = Path(source).name
        self.id = uuid4().hex
        self.resumes: str | None = None   # the mark an interrupted load of this same file left
        self.parts = 0                    # parts committed
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = fingerprint_of(self.source)
        return self._fingerprint

    @property
    def holds_mark(self) -> bool:
        return self.parts > 0 or self.resumes is not None

    def own(self, loading_id: str | None) -> bool:
        return loading_id is not None and loading_id in (self.id, self.resumes)

    def check_begin(self, meta) -> None:
        """At the load's start: another file's mark refuses it; this file's interrupted one is taken over."""
        holder = meta["loading_id"]
        if holder is None:
            return
        if meta["loading_fingerprint"] != self.fingerprint:
            raise busy_loading(meta["loading_file"])
        self.resumes = holder

    def check_commit(self, meta) -> None:
        """Before a commit, under the meta node's lock: the mark is this load's (or there is none, before the first
        part of a load that holds none)."""
        holder = meta["loading_id"]
        if self.holds_mark:
            if not self.own(holder):
                raise mark_lost()
        elif holder is not None:
            raise busy_loading(meta["loading_file"])

    def interrupted(self, error: Exception, cause: Exception) -> Exception:
        """The error that stopped this load after some of its parts were committed, saying what became of them
        (an error of a file of one transaction says nothing was loaded, which is no longer so)."""
        if not isinstance(error, CreditnetError):
            return error
        reason = error.message if cause is error else getattr(cause, "message", None) or str(cause)
        return type(error)(
            f"导入大文件 {self.file} 时出错（{reason}）。已分批提交的 {self.parts} 部分在此文件导入完成之前不会被任何核查使用"
            f"（核查会提示正在导入该文件）；请排除问题后重新导入同一文件 {self.file}，已提交的部分会被匹配而不会重复 (the load "
            f"of {self.file} failed after {self.parts} of its parts were committed; no check uses them until the file "
            f"has loaded: load the same file again once the problem is fixed)", error.details)

    def mark(self) -> dict:
        return {"id": self.id, "file": self.file, "fingerprint": self.fingerprint,
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}


class OwnLoads(threading.local):
    """The marks the loading thread may read through: a load asks the store questions of its own while it writes
    (what its file left unread, listed persons' names), and must not be refused by its own mark."""
    ids: tuple[str, ...] = ()

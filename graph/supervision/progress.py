"""Each department's upload record (归集进度, the work plan's 信息归集): files sent per record class and month, the
rows loaded and rejected, and the last upload — read from the store's load history (one entry per file loaded,
committed with the file).

Who sent a file: the load history keeps the department of the account that uploaded it, or that `creditnet load
--department` named, and the file's name as sent. A file loaded with `creditnet load` and no department is counted
under none (the bureau's own loads), shown to the admin only. Entries of stores written before the history kept the
sender are read from the upload's path, which starts with the sending account's department and key
(api/uploads.py `upload_path`).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from graph.model import KINDS

# api/uploads.py upload_path: <department>-<key id, 12 hex>-<6 hex>-<the name as sent>, in home/uploads/<tmp>/.
UPLOAD_NAME = re.compile(r"^(?P<department>[^-]+)-[0-9a-f]{12}-[0-9a-f]{6}-(?P<sent_as>.+)$")
UPLOADS_DIR = "uploads"


def sender(entry: dict[str, Any]) -> tuple[str | None, str]:
    """(the sending department or None, the file's name as sent) of one load history entry."""
    path = PurePath(str(entry["file"]))
    if entry.get("sent_as") is not None:
        return entry.get("sender"), str(entry["sent_as"])
    m = UPLOAD_NAME.match(path.name)
    if m is None or len(path.parents) < 2 or path.parents[1].name != UPLOADS_DIR:
        return None, path.name
    return m.group("department"), m.group("sent_as")


def _local(at: str) -> datetime:
    """The load's time on the server's clock: a month is the county's month, not UTC's."""
    moment = datetime.fromisoformat(at)
    return moment.astimezone() if moment.tzinfo is not None else moment


def upload_record(history: list[dict[str, Any]], department: str | None = None, all_senders: bool = False,
                  since: date | None = None) -> list[dict[str, Any]]:
    """Per sending department (one, or every one with `all_senders`; None stands for `creditnet load`): the files,
    rows loaded and rejected, per record class and month, and the last upload."""
    out: dict[str | None, dict[str, Any]] = {}
    for entry in history:
        who, sent_as = sender(entry)
        if not all_senders and who != department:
            continue
        moment = _local(entry["at"])
        if since is not None and moment.date() < since:
            continue
        row = out.setdefault(who, {"department": who, "files": 0, "rows": 0, "loaded": 0, "rejected": 0,
                                   "last_upload": None, "months": {}})
        month = row["months"].setdefault((moment.strftime("%Y-%m"), entry["kind"]), {
            "month": moment.strftime("%Y-%m"), "kind": entry["kind"],
            "label": KINDS[entry["kind"]].label if entry["kind"] in KINDS else entry["kind"],
            "files": 0, "rows": 0, "loaded": 0, "rejected": 0})
        for target in (row, month):
            target["files"] += 1
            for key in ("rows", "loaded", "rejected"):
                target[key] += int(entry[key] or 0)
        at = moment.isoformat(timespec="seconds")
        if row["last_upload"] is None or at >= row["last_upload"]["at"]:
            row["last_upload"] = {"at": at, "file": sent_as, "kind": entry["kind"], "rows": entry["rows"],
                                  "rejected": entry["rejected"]}
    records = []
    for row in out.values():
        by_kind = sorted(row["months"].values(), key=lambda m: m["kind"])
        row["months"] = sorted(by_kind, key=lambda m: m["month"], reverse=True)  # the latest month first
        records.append(row)
    return sorted(records, key=lambda r: (r["department"] is None, r["department"] or ""))

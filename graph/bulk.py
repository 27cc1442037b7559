"""A province's first load into an empty Neo4j database through Neo4j's bulk importer (`creditnet load --bulk`).

Loading millions of rows through Bolt transactions costs the server a transaction per file and a commit that
holds the whole file; `neo4j-admin database import full` writes the store files directly instead, but only into an
empty database, with the server stopped, and it knows nothing of what the rows mean. So:

1. every file is loaded, exactly as `creditnet load` loads it, into an embedded store staged in a directory of its
   own: the same reading and validation, the same rejects files under CREDITNET_HOME, the same warnings, the same
   unread-row memory, the same decisions about which enterprise each code is (graph/rows.py), one transaction and
   one data version per file;
2. the staged store is written out as the importer's node and relationship files, in the Neo4j writer's own
   properties (graph/stores/neo4j/import_files.py), with the load history, the parties each version touched and
   the meta node, its data version counted on from the empty database's;
3. the import command (CREDITNET_NEO4J_IMPORT_COMMAND, e.g. `scripts/neo4j-local import`) stops the server,
   imports, starts it again; without one, the files stay and the command to run is returned;
4. the schema (`creditnet init`) is created on the imported data.
"""
from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from graph.errors import CreditnetError, InvalidRequest, StoreUnavailable
from graph.ingest import LoadReport
from graph.settings import Settings
from graph.stores.neo4j.import_files import ImportFiles

CONNECT_TIMEOUT_S = 120  # after the import command: how long the restarted server may take to answer


@dataclass
class BulkLoad:
    """What a bulk load did: each file's report (as `creditnet load` gives it), the files refused whole, the
    importer's files and whether they were imported, and how long each step took."""
    directory: Path
    reports: list[LoadReport] = field(default_factory=list)
    failed: list[tuple[Path, CreditnetError]] = field(default_factory=list)
    files: ImportFiles | None = None
    imported: bool = False
    data_version: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.reports)

    @property
    def command(self) -> str | None:
        """What imports the files by hand, on a stopped server (when no import command is set)."""
        return None if self.files is None else self.files.admin_command

    def as_dict(self) -> dict[str, Any]:
        return {"directory": str(self.directory), "imported": self.imported, "data_version": self.data_version,
                "rows": self.rows, "files": len(self.reports), "failed": [str(p) for p, _ in self.failed],
                "nodes": self.files.nodes if self.files else 0,
                "relationships": self.files.relationships if self.files else 0,
                "import_command": None if self.imported else self.command,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def bulk_load(paths: Sequence[Path], settings: Settings, *, kind: str | None = None, as_of: date | None = None,
              directory: Path | None = None, on_report: Callable[[LoadReport], None] | None = None,
              on_failure: Callable[[Path, CreditnetError], None] | None = None,
              say: Callable[[str], None] | None = None) -> BulkLoad:
    """Load `paths` into the empty Neo4j database the settings name (see the module's docstring). Raises
    StoreNotEmpty, before reading anything, when the database holds data."""
    from graph.stores.neo4j import Neo4jStore
    say = say or (lambda _: None)
    with Neo4jStore.from_settings(settings) as target:
        meta = target.empty_meta()
    base = int(meta.get("data_version") or 0)
    directory = Path(directory) if directory else settings.home / "bulk" / datetime.now().strftime("%Y%m%d-%H%M%S")
    if directory.exists() and any(directory.iterdir()):
        raise InvalidRequest(f"批量导入目录 {directory} 不是空目录，请指定一个新目录 (the bulk directory is not empty)",
                             {"directory": str(directory)})
    result = BulkLoad(directory)
    started = time.perf_counter()
    try:
        staged_path = _stage(paths, settings, kind, as_of, directory / "staging", base, result, on_report, on_failure)
        result.seconds["validate_and_stage"] = time.perf_counter() - started
        if not result.reports:
            shutil.rmtree(directory, ignore_errors=True)
            return result
        t = time.perf_counter()
        conn = sqlite3.connect(staged_path)
        try:
            from graph.stores.neo4j.import_files import write_import_files
            result.files = write_import_files(conn, directory / "import", settings.neo4j_database, meta, base,
                                              lambda what, n: say(f"{what}: {n:,}"))
            result.data_version = base + int(conn.execute(
                "SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
        finally:
            conn.close()
        shutil.rmtree(directory / "staging", ignore_errors=True)  # the disk the import needs
        result.seconds["import_files"] = time.perf_counter() - t
        if not settings.neo4j_import_command:
            return result
        _import(result, settings, say)
    except BaseException:
        _withdraw_rejects(result)
        raise
    result.seconds["total"] = time.perf_counter() - started
    return result


def _stage(paths, settings: Settings, kind, as_of, staging: Path, base: int, result: BulkLoad, on_report,
           on_failure) -> Path:
    """Every file loaded as `creditnet load` loads it, into the staged embedded store: the path of its file."""
    from graph.ingest import load_file
    from graph.loaders.read_ahead import ReadAhead
    from graph.stores.embedded import EmbeddedStore
    from graph.stores.sqlite_schema import NAME_INDEX_TABLES
    with EmbeddedStore(staging, load_cache_mb=settings.load_cache_mb) as staged, \
            ReadAhead(paths, kind, staged.row_preparer) as ahead:
        # The staged store is read once, row by row, and never searched: its name index would be built for nothing
        # (the writer rebuilds only an index whose triggers it dropped itself).
        for index in NAME_INDEX_TABLES:
            for trigger in ("insert", "delete", "update"):
                staged._write_conn.execute(f'DROP TRIGGER IF EXISTS "{index}_{trigger}"')
        for path in paths:
            try:
                if not Path(path).exists():
                    raise InvalidRequest(f"{path}：文件不存在 (file not found)", {"file": str(path)})
                report = load_file(staged, path, kind=kind, home=settings.home, ahead=ahead, as_of=as_of)
            except CreditnetError as exc:
                result.failed.append((Path(path), exc))
                if on_failure:
                    on_failure(Path(path), exc)
                continue
            report.data_version += base  # the version the file makes in the database, counted on from its own
            result.reports.append(report)
            if on_report:
                on_report(report)
        _refuse_what_a_bulk_load_cannot_carry(staged._write_conn)
        return staged.path


def _refuse_what_a_bulk_load_cannot_carry(conn: sqlite3.Connection) -> None:
    """A first load makes no events and no objections (no record was ended or withdrawn before it): if one did,
    the importer's files would lack it."""
    for table in ("record_event", "objection"):
        if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise InvalidRequest(f"批量导入不能携带记录的撤回、更正或异议（{table}）；请改用 creditnet load 导入 "
                                 f"(a bulk load cannot carry {table} rows: load the files without --bulk)")


def _import(result: BulkLoad, settings: Settings, say: Callable[[str], None]) -> None:
    """The import command on the files, then the schema on what it imported."""
    from graph.stores.neo4j import Neo4jStore
    assert result.files is not None
    with Neo4jStore.from_settings(settings) as target:
        target.empty_meta()  # nothing was loaded into it meanwhile (the import would overwrite it)
    t = time.perf_counter()
    command = shlex.split(settings.neo4j_import_command) + [str(result.files.directory)]
    say(f"running {' '.join(shlex.quote(c) for c in command)}")
    # Its output is for the operator, never for stdout (the CLI's JSON).
    done = subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr)
    if done.returncode != 0:
        raise StoreUnavailable(
            f"批量导入命令失败（退出码 {done.returncode}）：{settings.neo4j_import_command}。本次没有导入任何数据，"
            f"被拒绝行文件已删除；请查看上面的输出，处理后重新运行 creditnet load --bulk。如 Neo4j 未在运行，请先启动它 "
            f"(the import command failed: nothing was loaded; see its output above and run the bulk load again)",
            {"command": settings.neo4j_import_command, "exit_code": done.returncode})
    result.seconds["import"] = time.perf_counter() - t
    t = time.perf_counter()
    with _connect(settings) as store:  # opening it creates the schema (creditnet init) and waits for its indexes
        version = store.data_version()
    result.seconds["schema"] = time.perf_counter() - t
    if version != result.data_version:
        raise StoreUnavailable(f"批量导入后数据版本为 {version}，应为 {result.data_version}；请检查导入命令的输出 "
                               f"(after the import the data version is {version}, not {result.data_version})")
    result.imported = True
    shutil.rmtree(result.directory, ignore_errors=True)


def _connect(settings: Settings):
    """The store, once the restarted server answers."""
    from graph.stores.neo4j import Neo4jStore
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        try:
            return Neo4jStore.from_settings(settings)
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _withdraw_rejects(result: BulkLoad) -> None:
    """Nothing was loaded: neither were the rows refused (as a file whose commit failed takes its rejects back)."""
    for report in result.reports:
        if report.rejects_file:
            Path(report.rejects_file).unlink(missing_ok=True)
            report.rejects_file = None

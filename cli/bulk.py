"""`creditnet load --bulk`: a first load into an empty Neo4j database through the bulk importer (graph/bulk.py)."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Callable, Optional

import typer

from cli.common import console, emit, err, fail, settings as _settings
from graph.errors import CreditnetError, InvalidRequest


def bulk_load(files: list[Path], kind: Optional[str], as_of: Optional[date], directory: Optional[Path],
              as_json: bool, print_report: Callable) -> None:
    """Each file's report as `creditnet load` prints it, then what the import did (or the command that does it).
    Exit code 2 when a file was refused whole, as for a load."""
    from graph.bulk import bulk_load as run
    settings = _settings()
    if settings.backend != "neo4j":
        fail(InvalidRequest("--bulk 只用于 Neo4j 存储（CREDITNET_BACKEND=neo4j）；嵌入式存储请直接运行 creditnet load "
                            "(--bulk is for the Neo4j store only)"), as_json)

    def reported(report) -> None:
        if as_json:
            sys.stdout.write(json.dumps(report.summary(), ensure_ascii=False) + "\n")
        else:
            print_report(report)

    def refused(path: Path, exc: CreditnetError) -> None:
        if as_json:
            emit({"file": str(path), "error": {"code": exc.code, "message": exc.message}})
        else:
            err.print(f"[red]{path}：未导入[/] {exc.message}")

    try:
        result = run(files, settings, kind=kind, as_of=as_of, directory=directory, on_report=reported,
                     on_failure=refused, say=lambda text: err.print(f"  {text}"))
    except CreditnetError as exc:
        fail(exc, as_json)
    if as_json:
        sys.stdout.write(json.dumps({"bulk": result.as_dict()}, ensure_ascii=False) + "\n")
    elif result.imported and result.files is not None:
        console.print(f"批量导入完成：{result.rows:,} 行，{result.files.nodes:,} 个节点、{result.files.relationships:,} 条关系"
                      f"（{result.seconds.get('total', 0):.1f} 秒），数据版本 {result.data_version}")
    elif result.files is not None:
        console.print(f"导入文件已写入 {result.files.directory}（{result.files.nodes:,} 个节点、"
                      f"{result.files.relationships:,} 条关系）。未设置 CREDITNET_NEO4J_IMPORT_COMMAND，请：\n"
                      f"  1. 停止 Neo4j；\n  2. 运行 {result.command}\n  3. 启动 Neo4j，再运行 creditnet init 建立索引。\n"
                      f"（Docker 部署的命令见 docs/stores.md）")
    if result.imported:
        from cli.common import open_store
        from cli.supervision import after_load
        with open_store() as store:  # follow-up supervision, as after a load that changed the store
            after_load(store)
    if result.failed:
        raise typer.Exit(2)

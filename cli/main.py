"""The `creditnet` command: a thin shell that parses input, calls graph/, and formats the answer."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from cli.common import JSON_HELP, app, console, emit as _emit, err, open_store as _store, parse_date as _parse_date
from cli.common import fail as _fail, run as _run, settings as _settings
from graph.errors import CreditnetError, InvalidRequest

@app.command()
def load(files: list[Path] = typer.Argument(..., help="CSV or XLSX files from departments (kind detected from the headers)."),
         kind: Optional[str] = typer.Option(None, "--kind", help="Force the kind: enterprise, member, license, "
                                            "license-change, penalty, penalty-change, inspection, blacklist."),
         dry_run: bool = typer.Option(False, "--dry-run", help="Read and validate, write nothing."),
         as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD: the date a registry change takes "
                                             "effect when the file gives none (变更日期/任职日期), and the day its "
                                             "listings' receiving departments received them; default today."),
         snapshot: bool = typer.Option(False, "--snapshot", help="Each file is its sender's complete current list "
                                       "of that class (全量报送): the sender's records it lacks end as of --as-of."),
         confirm_snapshot: bool = typer.Option(False, "--confirm-snapshot", help="Let a full export end more than "
                                               "CREDITNET_SNAPSHOT_MAX_ENDED_SHARE of its sender's records."),
         department: Optional[str] = typer.Option(None, "--department", help="On whose behalf (any spelling): rows "
                                                  "naming another department as sender or issuer are rejected row by "
                                                  "row, as on the API; and whose full export it is (default: the "
                                                  "one department every row names)."),
         bulk: bool = typer.Option(False, "--bulk", help="A first load into an EMPTY Neo4j database through "
                                   "neo4j-admin's bulk importer (a province in minutes): the files are validated as "
                                   "always, then imported by CREDITNET_NEO4J_IMPORT_COMMAND (docs/stores.md)."),
         bulk_dir: Optional[Path] = typer.Option(None, "--bulk-dir", help="With --bulk: a new directory for the "
                                                 "importer's files (default CREDITNET_HOME/bulk/<time>)."),
         as_json: bool = typer.Option(False, "--json", help="One JSON object per file."),
         quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")):
    """Load departments' files (导入). Each file loads atomically; rejected rows go to a rejects file."""
    from graph.ingest import load_file
    from graph.model import KINDS

    if kind is not None and kind not in KINDS:
        _fail(InvalidRequest(f"未知类型“{kind}”，可选：{', '.join(KINDS)} (unknown kind)"), as_json)
    if bulk or bulk_dir is not None:
        from cli.bulk import bulk_load
        refused = "--dry-run" if dry_run else "--snapshot" if snapshot else None
        if refused or not bulk:
            _fail(InvalidRequest(f"{refused or '--bulk-dir'} 不能{'与 --bulk 同用' if refused else '单独使用，需加 --bulk'} "
                                 f"({refused or '--bulk-dir'} {'cannot go with --bulk' if refused else 'needs --bulk'})"),
                  as_json)
        bulk_load(files, kind, _run(as_json, lambda: _parse_date(as_of)), bulk_dir, as_json, _print_report)
        return
    from graph.loaders.read_ahead import ReadAhead

    effective = _run(as_json, lambda: _parse_date(as_of))
    settings = _settings()
    failed = changed = 0
    trail = _snapshot_trail(snapshot)
    full_export = None
    from graph.amendments import Actor
    actor = Actor.cli(department)
    if snapshot:
        from graph.snapshots import Snapshot
        full_export = Snapshot(department, confirm_snapshot, settings.snapshot_max_ended_share, actor,
                               trail.record_change if trail is not None else None)
    # A full export's rows are read as dicts: its baseline looks at each before it is written (graph/snapshots.py).
    with _run(as_json, _store) as store, ReadAhead(files, kind, None if snapshot else store.row_preparer,
                                                   actor.department) as ahead:
        for path in files:
            try:
                if not path.exists():
                    raise InvalidRequest(f"{path}：文件不存在 (file not found)", {"file": str(path)})
                report = _load_with_progress(store, path, kind, settings.home, dry_run, as_json or quiet, load_file,
                                             ahead, effective, full_export, actor if department else None)
            except CreditnetError as exc:
                failed += 1
                if as_json:
                    _emit({"file": str(path), "error": {"code": exc.code, "message": exc.message}})
                else:
                    err.print(f"[red]{path}：未导入[/] {exc.message}")
                continue
            changed += report.changed
            if as_json:
                sys.stdout.write(json.dumps(report.summary(), ensure_ascii=False) + "\n")
            else:
                _print_report(report)
            if report.snapshot and report.snapshot.get("refused"):
                failed += 1  # a dry run of a full export that would be refused: exit 2, as the load itself would
        if changed:  # follow-up supervision: the watched subjects these files may concern (cli/supervision.py)
            from cli.supervision import after_load
            after_load(store)
    if trail is not None:
        trail.close()
    if failed:
        raise typer.Exit(2)


def _snapshot_trail(snapshot: bool):
    """The audit trail a full export's endings are written to."""
    if not snapshot:
        return None
    from graph.audit import AuditTrail
    return AuditTrail(_settings().home)


def _load_with_progress(store, path, kind, home, dry_run, quiet, load_file, ahead, as_of=None, snapshot=None,
                        actor=None):
    if quiet:
        return load_file(store, path, kind=kind, home=home, dry_run=dry_run, ahead=ahead, as_of=as_of,
                         snapshot=snapshot, actor=actor)
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(f"导入 {path.name}", total=1.0)
        return load_file(store, path, kind=kind, home=home, dry_run=dry_run, ahead=ahead, as_of=as_of,
                         snapshot=snapshot, actor=actor, progress=lambda f: bar.update(task, completed=f))


def _print_report(r) -> None:
    from rich.markup import escape

    from graph.loaders.headers import normalise_header
    from graph.model import KINDS
    mode = "（试运行，未写入）" if r.dry_run else ""
    console.print(f"[bold]{r.file}[/]{mode}：{KINDS[r.kind].label}（{r.kind}），编码 {r.encoding}；"
                  f"共 {r.rows} 行，导入 {r.loaded} 行，拒绝 {r.rejected} 行，提示 {r.warning_count} 条；数据版本 {r.data_version}")
    # Say which column was read as which field wherever the file did not use the seed's own header.
    fields = {f.name: f.header for f in KINDS[r.kind].fields}
    mapped = [f"{src}→{fields[dst]}" for src, dst in r.columns.items()
              if dst in fields and src.replace("(", "（").replace(")", "）") != fields[dst]]
    if mapped:
        console.print(f"  列映射：{'，'.join(mapped)}")
    # 序号 is a row counter in every template, read as nothing on purpose: not worth a line on each load.
    ignored = [h for h in r.ignored_columns if normalise_header(h) != "序号"]
    if ignored:
        console.print(f"  [yellow]未读取的列：{escape('、'.join(ignored))}[/]")
    if r.rejects_file:
        console.print(f"  [yellow]被拒绝的行已写入：{r.rejects_file}[/]")
    for j in r.reject_rows[:5]:  # why, in the summary too: a dry run writes no rejects file
        console.print(f"  [yellow]拒绝：第{j['row']}行 {escape(j['field'] or '')}：{escape(j['reason'])}[/]")
    if r.rejected > 5:
        console.print(f"  [yellow]……另有 {r.rejected - 5} 行被拒绝[/]")
    for w in r.warnings[:5]:  # a department's text: never read as markup
        console.print(f"  [dim]提示：{escape(str(w))}[/]")
    if r.warning_count > 5:
        console.print(f"  [dim]……另有 {r.warning_count - 5} 条提示[/]")
    from cli.render import print_snapshot
    print_snapshot(console, r.snapshot, r.resent, r.dry_run)


@app.command()
def check(key: Optional[str] = typer.Argument(None, help="A USCC, a 15-digit registration number or a resident ID number."),
          name: Optional[str] = typer.Option(None, "--name", help="An enterprise name (brackets, width and spaces are normalised)."),
          applicant: Optional[Path] = typer.Option(
              None, "--applicant",
              help='A JSON file {"name", "uscc"?, "persons": [{"name", "id_type", "id_number", "role"}]}.'),
          as_of: Optional[str] = typer.Option(None, "--as-of", help="Date of the check, YYYY-MM-DD (default today)."),
          depth: Optional[int] = typer.Option(None, "--depth", help="How many hops to search for links (default 3)."),
          as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Check an applicant (联合惩戒核查): restricted, linked or clear — and why."""
    from graph.queries.check import Applicant, check as run_check

    def go():
        given = [x for x in (key, name, applicant) if x is not None]
        if len(given) != 1:
            raise InvalidRequest("请给出一个检查对象：代码/证件号码、--name 或 --applicant 之一 (give exactly one subject)")
        app_obj = None
        if applicant is not None:
            try:
                app_obj = Applicant.from_file(applicant)
            except OSError as exc:
                raise InvalidRequest(f"{applicant}：无法读取申请人文件 ({exc})") from exc
        with _store() as store:
            result = run_check(store, key=key, name=name, applicant=app_obj, as_of=_parse_date(as_of), depth=depth,
                               settings=_settings())
            from graph.audit import record_check
            return record_check(store, result, account="cli", department=None)

    result = _run(as_json, go)
    if as_json:
        _emit(result)
    else:
        from cli.render import print_check
        print_check(console, result)


@app.command()
def search(query: str = typer.Argument(..., help="A name as typed: in full, without the county, short (鹏程建材), "
                                                 "with a character off, or in traditional characters."),
           limit: int = typer.Option(10, "--limit", help="How many candidates at most (1–50)."),
           kind: str = typer.Option("enterprise", "--kind", help="enterprise, or person (persons: departments only)."),
           as_of: Optional[str] = typer.Option(None, "--as-of", help="Date the status is for, YYYY-MM-DD (default today)."),
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Find enterprises (or persons) by name (按名称查找): ranked candidates, each with a score 0–100, the reasons it
    differs from what was typed, its 登记状态 and whether it is restricted. Exit code 2 for an empty, too short or
    too long name, or one with wildcards or control characters."""
    from graph.queries.search import search as run

    def go():
        with _store() as store:
            return run(store, query, kind=kind, limit=limit, as_of=_parse_date(as_of), settings=_settings()).as_dict()
    data = _run(as_json, go)
    if as_json:
        _emit(data)
    else:
        from cli.render import print_search
        print_search(console, data)


@app.command()
def profile(code: str = typer.Argument(..., help="USCC or registration number."),
            as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD: listings' status and who holds "
                                                "which role on this date (default today)."),
            as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Everything collected under one enterprise (全景画像)."""
    from graph.queries.profile import profile as run

    def go():
        day = _parse_date(as_of)
        with _store() as store:
            return run(store, code, day)
    data = _run(as_json, go)
    if as_json:
        _emit(data)
    else:
        from cli.render import print_profile
        print_profile(console, data)


@app.command()
def relation(a: str = typer.Argument(..., help="First party: USCC, registration number or ID number."),
             b: str = typer.Argument(..., help="Second party."),
             depth: int = typer.Option(4, "--depth", min=1, max=8, help="Longest chain to look for."),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """How two parties are connected, if at all (关联关系)."""
    from graph.queries.relation import relation as run

    def go():
        with _store() as store:
            return run(store, a, b, depth, settings=_settings())
    data = _run(as_json, go)
    if as_json:
        _emit(data)
        return
    from cli.render import chain_text, party_text
    if not data["connected"]:
        console.print(f"{party_text(data['a'])} 与 {party_text(data['b'])} 在 {depth} 步内没有关联。")
        return
    console.print(f"{party_text(data['a'])} 与 {party_text(data['b'])} 相距 {data['hops']} 步，最短关系链：")
    for i, chain in enumerate(data["chains"], 1):
        console.print(f"  {i}. {chain_text(chain)}")


@app.command()
def department(name: str = typer.Argument(..., help="Department name, any spelling (e.g. 县财政局)."),
               as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today)."),
               list_type: Optional[str] = typer.Option(None, "--type", help="Only this list type (信息类型)."),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Active listings this department must enforce, and the records it issued (本部门应执行的惩戒)."""
    from graph.queries.department import department as run

    def go():
        with _store() as store:
            return run(store, name, _parse_date(as_of), list_type)
    data = _run(as_json, go)
    if as_json:
        _emit(data)
        return
    from rich.table import Table
    from cli.render import party_text, validity
    console.print(f"[bold]{data['department']}[/]（{data['as_of']}）应执行的有效名单：{len(data['restrictions'])} 条")
    t = Table()
    for c in ("主体", "名单", "有效期", "发送部门", "法律依据"):
        t.add_column(c, overflow="fold")
    for r in data["restrictions"]:
        t.add_row(party_text(r["party"]), r["type"] or "", validity(r), r["sender"] or "", r["basis"] or "")
    console.print(t)
    console.print("本部门发出的记录：" + ("，".join(f"{k} {v}" for k, v in sorted(data["issued"].items())) or "无"))


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Counts per class, per department, and rejected rows (统计)."""
    from graph.queries.stats import stats as run

    def go():
        with _store() as store:
            return run(store)
    data = _run(as_json, go)
    if as_json:
        _emit(data)
        return
    from rich.table import Table
    console.print(f"存储：{data['store']}    数据版本：{data['data_version']}    已导入文件：{data['loads']}")
    t = Table(title="节点与记录")
    t.add_column("类别")
    t.add_column("数量", justify="right")
    for k, v in {**data["nodes"], **data["records"]}.items():
        t.add_row(k, str(v))
    console.print(t)
    t = Table(title="各部门发出的记录")
    t.add_column("部门")
    t.add_column("记录", overflow="fold")
    for dept, kinds in sorted(data["per_department"].items()):
        t.add_row(dept, "，".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    console.print(t)
    console.print(f"被拒绝的行：{data['rejects']['rows']}")
    for f in data["rejects"]["files"]:
        console.print(f"  {f['file']}：{f['rejected']} 行 → {f['rejects_file']}")
    unknown = data.get("unknown", {})
    for label, key, where in (("名单分类表未收录的信息类型", "list_types", "list_types.toml"),
                              ("职务分类表未收录的人员类别", "roles", "roles.toml")):
        if unknown.get(key):
            console.print(f"[yellow]{label}[/]（可在 CREDITNET_HOME/vocabulary/{where} 中补充）：")
            for word, n in unknown[key].items():
                console.print(f"  {word or '（空）'}：{n}")


@app.command()
def init(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Create the store's schema (idempotent; also done on first use)."""
    def go():
        with _store() as store:
            return {"store": store.name, "data_version": store.data_version()}
    data = _run(as_json, go)
    _emit(data) if as_json else console.print(f"存储已就绪：{data['store']}，数据版本 {data['data_version']}")


RESET_WHAT = {"relationships": "关系", "nodes": "节点"}


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", help="Really empty the configured store.")):
    """Empty the configured store (清空). Needs --yes."""
    if not yes:
        err.print("这会清空当前存储中的全部数据；确认请加 --yes (this empties the store; add --yes)")
        raise typer.Exit(2)

    def go():
        # A province's Neo4j store takes minutes: a terminal is told how far it has got (nothing elsewhere).
        with _store() as store, err.status(f"正在清空存储 {store.name}… (emptying the store)") as status:
            store.reset(lambda what, n: status.update(
                f"正在清空存储 {store.name}：已删除{RESET_WHAT.get(what, what)} {n:,} (deleted {n:,} {what})"))
            return store.name
    console.print(f"已清空存储：{_run(False, go)}")


@app.command()
def export(to: str = typer.Option("neo4j", "--to", help="Target store; only neo4j (settings CREDITNET_NEO4J_*)."),
           as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Copy the embedded store (CREDITNET_HOME) into Neo4j — a county that grows up (导出到 Neo4j)."""
    def go():
        if to != "neo4j":
            raise InvalidRequest(f"不支持导出到“{to}”，目前只支持 neo4j (only --to neo4j is supported)")
        from graph.export import export_store
        from graph.stores.embedded import EmbeddedStore
        from graph.stores.neo4j import Neo4jStore
        settings = _settings()
        with EmbeddedStore(settings.home) as source, Neo4jStore.from_settings(settings) as target:
            counts = export_store(source, target, None if as_json else
                                  lambda phase, n: err.print(f"  {phase}: {n}"))
            return {"to": to, "uri": settings.neo4j_uri, "counts": counts, "data_version": target.data_version()}
    data = _run(as_json, go)
    _emit(data) if as_json else console.print(f"已导出到 {data['uri']}：{data['counts']}，数据版本 {data['data_version']}")


@app.command()
def demo(enterprises: int = typer.Option(1000, "--enterprises", min=50, help="Size of the synthetic county."),
         seed: int = typer.Option(7, "--seed", help="Random seed (same seed, same county)."),
         directory: Optional[Path] = typer.Option(None, "--dir", help="Where to write the files (default: CREDITNET_HOME/demo-files)."),
         force: bool = typer.Option(False, "--force", help="Load even if the store already holds other data."),
         as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Build a synthetic county in the departments' file formats, load it, and run example checks (演示)."""
    from cli.demo import run_demo
    data = _run(as_json, lambda: run_demo(_store, _settings(), enterprises, seed, directory, force, console, as_json))
    if as_json:
        _emit(data)


from cli import amend, service  # noqa: E402,F401  (register withdraw, correct, objection, serve, accounts, audit on `app`)
from cli import supervision  # noqa: E402,F401  (registers watch, alerts and respond)
from cli import webhooks  # noqa: E402,F401  (registers webhooks and alerts deliver)

if __name__ == "__main__":  # pragma: no cover
    app()

"""Commands that change records after they were sent: withdraw, correct, objection (registered on the main app).

The operator at the server acts for the bureau; `--department` says on whose behalf, and then only that department's
records may be changed, as through the API. Each change is written to the audit trail (`creditnet audit --changes`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from cli.common import JSON_HELP, app, console, emit as _emit, open_store as _store, run as _run, settings as _settings
from graph.errors import InvalidRequest
from graph.record_state import subject_text

DEPARTMENT_HELP = ("On whose behalf (any spelling): only that department's records may be changed. Without it the "
                   "operator acts for the market supervision bureau (admin).")


def _amend(change):
    """Run `change(store, audit)` — a withdrawal, correction or objection — with the audit trail it writes to, then
    give the watched subjects it may concern their alerts, as after a load (cli/supervision.py)."""
    from cli.supervision import after_load
    from graph.audit import AuditTrail
    trail = AuditTrail(_settings().home)
    try:
        with _store() as store:
            result = change(store, trail.record_change)
            after_load(store)
            return result
    finally:
        trail.close()


def _record_text(r: dict) -> str:
    what = r.get("list_type") or r.get("number") or r["kind"]
    return f"{r['record_id']}（{escape(subject_text(r))}：{escape(str(what))}，自 {r.get('valid_from') or '—'}）"


@app.command()
def withdraw(file: Optional[Path] = typer.Argument(None, help="A file of the rows to withdraw, as they were sent "
                                                   "(each row names its record by its natural key)."),
             record: list[str] = typer.Option([], "--record", help="A record ID (记录编号, shown in profiles and "
                                              "answers); may be given several times."),
             reason: Optional[str] = typer.Option(None, "--reason", help="Why (required)."),
             department: Optional[str] = typer.Option(None, "--department", help=DEPARTMENT_HELP),
             kind: Optional[str] = typer.Option(None, "--kind", help="Force the file's kind."),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Withdraw records sent in error (撤回): they stop counting today; nothing is deleted."""
    from graph.amendments import Actor, withdraw as run

    def go():
        if file is None and not record:
            raise InvalidRequest("请给出要撤回的文件或 --record 记录编号 (give a file or --record)")
        if file is not None and not file.exists():
            raise InvalidRequest(f"{file}：文件不存在 (file not found)", {"file": str(file)})
        return _amend(lambda store, audit: run(store, Actor.cli(department), reason, record_ids=list(record),
                                               path=file, kind=kind, audit=audit))
    report = _run(as_json, go)
    if as_json:
        _emit(report)
        return
    console.print(f"已撤回 {len(report['withdrawn'])} 条记录（原因：{escape(report['reason'])}），数据版本 {report['data_version']}：")
    for r in report["withdrawn"]:
        console.print(f"  {_record_text(r)}")


@app.command()
def correct(file: Path = typer.Argument(..., help="Corrected rows in the kind's own columns, plus 原记录编号: the ID "
                                        "of the record each row replaces."),
            reason: Optional[str] = typer.Option(None, "--reason", help="Why (required)."),
            department: Optional[str] = typer.Option(None, "--department", help=DEPARTMENT_HELP),
            kind: Optional[str] = typer.Option(None, "--kind", help="Force the file's kind."),
            as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Correct records (更正): each row replaces the record it names; the old one stays, marked corrected."""
    from graph.amendments import Actor, correct as run

    def go():
        if not file.exists():
            raise InvalidRequest(f"{file}：文件不存在 (file not found)", {"file": str(file)})
        return _amend(lambda store, audit: run(store, file, Actor.cli(department), reason, kind=kind, audit=audit))
    report = _run(as_json, go)
    if as_json:
        _emit(report)
        return
    console.print(f"已更正 {len(report['corrected'])} 条记录（原因：{escape(report['reason'])}），数据版本 {report['data_version']}：")
    for r in report["corrected"]:
        how = "原记录内容已更正" if r["in_place"] else f"由 {r['replaced_by']} 取代"
        console.print(f"  第{r['row']}行：{_record_text(r)} {how}")


objection_app = typer.Typer(help="Objections (异议) to records, registered by the market supervision bureau.",
                            no_args_is_help=True, rich_markup_mode=None)
app.add_typer(objection_app, name="objection")


def _print_objection(o: dict) -> None:
    record = o.get("record") or {}
    outcome = f"，结果：事件 {o['outcome']}" if o.get("outcome") else ""
    console.print(f"异议 {o['id']}：{o['status']}{outcome}；记录 {o['record_id']}（{escape(subject_text(record))}）；"
                  f"异议人 {escape(o['objector'])}；理由：{escape(o['grounds'])}；登记于 {o['registered_at']}", soft_wrap=True)


@objection_app.command("add")
def objection_add(record: str = typer.Argument(..., help="The record ID (记录编号) objected to."),
                  objector: Optional[str] = typer.Option(None, "--objector", help="Who objects (the enterprise or person)."),
                  grounds: Optional[str] = typer.Option(None, "--grounds", help="The grounds of the objection."),
                  as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Register an objection against a record (status 受理); every answer using the record shows it while open."""
    from graph.amendments import Actor
    from graph.objections import register

    found = _run(as_json, lambda: _amend(lambda store, audit: register(store, record, objector, grounds,
                                                                       Actor.cli(None), audit=audit)))
    _emit(found) if as_json else _print_objection(found)


@objection_app.command("status")
def objection_status(number: int = typer.Argument(..., help="The objection's number."),
                     status: str = typer.Argument(..., help="核实 (being verified), 更正 (upheld: the record was "
                                                  "withdrawn or corrected) or 驳回 (rejected)."),
                     note: Optional[str] = typer.Option(None, "--note", help="What was found or done."),
                     outcome: Optional[int] = typer.Option(None, "--outcome", help="For 更正: the number of the "
                                                           "withdrawal or correction event (default: the latest)."),
                     as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Move an objection on: 核实, then 更正 (linked to the withdrawal or correction) or 驳回."""
    from graph.amendments import Actor
    from graph.objections import set_status

    found = _run(as_json, lambda: _amend(lambda store, audit: set_status(store, number, status, Actor.cli(None),
                                                                         note, outcome, audit=audit)))
    _emit(found) if as_json else _print_objection(found)


@objection_app.command("list")
def objection_list(open_only: bool = typer.Option(False, "--open", help="Only open ones (受理, 核实)."),
                   department: Optional[str] = typer.Option(None, "--department", help="Only against this "
                                                            "department's records."),
                   as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Objections and their status."""
    from graph.departments import canonical_department
    from graph.objections import objections

    def go():
        with _store() as store:
            return objections(store, open_only=open_only,
                              department=canonical_department(department) if department else None)
    found = _run(as_json, go)
    if as_json:
        _emit(found)
        return
    for o in found:
        _print_objection(o)
    if not found:
        console.print("没有异议 (no objections)")

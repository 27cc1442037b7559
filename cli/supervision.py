"""`creditnet watch …`, `creditnet alerts …` and `creditnet respond …`: follow-up supervision (graph/supervision)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer

from cli.common import JSON_HELP, app, console, emit, fail, open_store, parse_date, run, settings
from graph.errors import InvalidRequest

watch_app = typer.Typer(help="A department's watched subjects (关注名单): the licensees it watches, and its own list.",
                        no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts: a watched subject's answer changed (新列入、移出、结论变化). Without a command: "
                              "list them.", invoke_without_command=True)
app.add_typer(watch_app, name="watch")
app.add_typer(alerts_app, name="alerts")


def supervision_db():
    from graph.supervision.db import SupervisionDB
    return SupervisionDB(settings().home)


def after_load(store, as_of: Optional[date] = None):
    """The alerts pass after a load that changed the store (cli/main.py `load`), then what the outbox holds, for a
    few seconds at most: a webhook that does not answer is retried by `alerts deliver` or the next pass."""
    from graph.supervision.alerts import derive_quietly
    from graph.supervision.outbox import deliver_quietly
    report = derive_quietly(store, settings().home, settings(), as_of=as_of)
    deliver_quietly(settings().home, settings(), budget_s=settings().webhook_timeout_s)
    return report


@watch_app.command("add")
def watch_add(department: str = typer.Argument(..., help="The department (any spelling the alias table knows)."),
              file: Path = typer.Argument(..., help="CSV or XLSX: a column of codes (统一社会信用代码) or ID numbers "
                                                    "(证件号码); an optional 名称/姓名 column."),
              as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Add subjects to the department's own watch list. Bad rows are rejected with row, field and reason."""
    from graph.supervision.watch import add_from_file

    def go():
        with supervision_db() as db:
            return add_from_file(db, department, file, rejects_dir=settings().rejects_dir).as_dict()
    report = run(as_json, go)
    if as_json:
        emit(report)
        return
    console.print(f"{file}：读取 {report['rows']} 行，新增 {report['added']}，已在名单 {report['already']}，"
                  f"拒绝 {report['rejected']}")
    for r in report["rejects"]:
        console.print(f"  第{r['row']}行 {r['field']}：{r['reason']}")


@watch_app.command("remove")
def watch_remove(department: str = typer.Argument(..., help="The department."),
                 codes: list[str] = typer.Argument(..., help="Codes or ID numbers to remove from its own list."),
                 as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Remove subjects from the department's own watch list (licensees stay watched while their licence is active)."""
    from graph.supervision.watch import remove

    def go():
        with supervision_db() as db:
            return remove(db, department, codes)
    removed = run(as_json, go)
    emit({"removed": removed}) if as_json else console.print(f"已移出 {removed} 个")


@watch_app.command("list")
def watch_list(department: str = typer.Argument(..., help="The department."),
               as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today): which licences "
                                                   "are active."),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """The department's watched subjects and why each is watched."""
    from graph.supervision.watch import listing

    def go():
        with open_store() as store, supervision_db() as db:
            return listing(store, db, department, parse_date(as_of) or date.today())
    rows = run(as_json, go)
    if as_json:
        emit(rows)
        return
    for r in rows:
        console.print(f"{r['party']['key']}  {r['party']['name']}  （{'；'.join(r['watched_for'])}）")
    console.print(f"共 {len(rows)} 个")


@alerts_app.callback()
def alerts_list(ctx: typer.Context,
                department: Optional[str] = typer.Option(None, "--department", help="Only this department's alerts."),
                open_only: bool = typer.Option(False, "--open", help="Only alerts not yet answered."),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List alerts, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    from graph.supervision.responses import alerts

    def go():
        with supervision_db() as db:
            return alerts(db, department, open_only)
    rows = run(as_json, go)
    if as_json:
        emit(rows)
        return
    for a in rows:
        state = "待答复" if a["open"] else f"已答复：{a['responses'][-1]['measure']}"
        console.print(f"#{a['id']} {a['department']}  {a['party']['name']} {a['party']['key']}  "
                      f"{a['before']['verdict']} → {a['after']['verdict']}  新增 {len(a['changed']['added'])} "
                      f"结束 {len(a['changed']['ended'])}  （{state}）")
    console.print(f"共 {len(rows)} 条")


@alerts_app.command("refresh")
def alerts_refresh(as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today)."),
                   full: bool = typer.Option(False, "--full", help="Re-check every watched subject even when answers "
                                             "were already given for this day (a full re-screen)."),
                   as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Catch up on any data version not yet derived and, on a day answers were not yet given for, re-check every
    watched subject (listings that start or end by date). Idempotent: run it daily (e.g. from cron)."""
    from graph.supervision.alerts import derive
    from graph.supervision.outbox import deliver_quietly

    def go():
        with open_store() as store, supervision_db() as db:
            return derive(store, db, settings(), as_of=parse_date(as_of) or date.today(), full=full, by_date=True,
                          cause="refresh").as_dict()
    report = run(as_json, go)
    deliver_quietly(settings().home, settings(), budget_s=settings().webhook_timeout_s)
    emit(report) if as_json else console.print(
        f"{report['as_of']}：关注对象 {report['watched']} 个，复查 {report['rechecked']} 个，新提醒 {report['alerts']} 条，"
        f"数据版本 {report['version_after']}")


@app.command()
def respond(department: str = typer.Argument(..., help="The responding department."),
            alert: Optional[int] = typer.Option(None, "--alert", help="The alert's number."),
            listing: Optional[str] = typer.Option(None, "--listing", help="A listing's id (from `alerts feedback`)."),
            measure: str = typer.Option(..., "--measure", help="不予许可, 撤销或注销许可, 暂停或限制, 列入重点监管, "
                                                               "核查后无需处理 or 其他 (with --note)."),
            note: Optional[str] = typer.Option(None, "--note", help="What was done (反馈)."),
            official: str = typer.Option(..., "--official", help="The official's name (经办人)."),
            acted_on: Optional[str] = typer.Option(None, "--date", help="YYYY-MM-DD, default today."),
            as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Record what the department did about an alert or a listing it received (响应 → 反馈). Append-only."""
    from graph.supervision import responses

    if (alert is None) == (listing is None):
        fail(InvalidRequest("请指定 --alert 或 --listing 之一 (one of --alert, --listing)"), as_json)

    def go():
        from graph.audit import AuditTrail
        trail = AuditTrail(settings().home)
        try:
            with supervision_db() as db:
                if alert is not None:
                    return responses.respond_to_alert(db, alert, department, measure=measure, note=note,
                                                      official=official, acted_on=acted_on, audit=trail.record_change)
                with open_store() as store:
                    return responses.respond_to_listing(store, db, listing or "", department, measure=measure,
                                                        note=note, official=official, acted_on=acted_on,
                                                        audit=trail.record_change)
        finally:
            trail.close()
    out = run(as_json, go)
    emit(out) if as_json else console.print("已记录答复")


@alerts_app.command("feedback")
def alerts_feedback(sender: Optional[str] = typer.Option(None, "--sender", help="Only listings this department sent."),
                    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today)."),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Per active listing sent: which receiving departments have responded, and which have not (督查)."""
    from graph.supervision.responses import feedback

    def go():
        with open_store() as store, supervision_db() as db:
            return feedback(store, db, sender, parse_date(as_of) or date.today())
    rows = run(as_json, go)
    if as_json:
        emit(rows)
        return
    for x in rows:
        console.print(f"[{x['id']}] {x['sender']} → {x['party']['name']} {x['type']} {x['valid_from']}：未答复 "
                      f"{'、'.join(x['not_responded']) or '无'}")


@alerts_app.command("report")
def alerts_report(since: Optional[str] = typer.Option(None, "--since", help="YYYY-MM-DD: only listings that took "
                                                      "effect, and alerts made, on or after this day."),
                  as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default today): days "
                                                      "overdue are counted to it."),
                  xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Write the report to this Excel file."),
                  as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """The bureau's report (联席会议 督查): per receiving department, listings received, answered in time and late,
    overdue (CREDITNET_FEEDBACK_OVERDUE_DAYS, default 15, from 限制期限自), median days to answer, alerts open and
    closed."""
    from graph.supervision.report import report, to_xlsx

    def go():
        day, start = parse_date(as_of) or date.today(), parse_date(since)
        if start is not None and start > day:
            raise InvalidRequest(f"--since {start} 晚于 --as-of {day} (since is after as_of)", {"field": "since"})
        with open_store() as store, supervision_db() as db:
            answer = report(store, db, as_of=day, since=start, overdue_days=settings().feedback_overdue_days)
        if xlsx is not None:
            try:
                xlsx.write_bytes(to_xlsx(answer))
            except OSError as exc:
                raise InvalidRequest(f"{xlsx}：无法写入（{exc.strerror}）(cannot write the file)",
                                     {"file": str(xlsx)}) from exc
        return answer
    answer = run(as_json, go)
    if as_json:
        emit(answer)
        return
    console.print(f"截至 {answer['as_of']}{'，自 ' + answer['since'] + ' 起' if answer['since'] else ''}，"
                  f"逾期标准 {answer['overdue_days']} 天")
    for d in [*answer["departments"], {**answer["totals"], "department": "合计"}]:
        console.print(f"{d['department']}：收到名单 {d['received']}，已反馈 {d['responded']}（逾期反馈 {d['late']}），"
                      f"逾期未反馈 {d['overdue']}，未到期 {d['pending']}，反馈用时中位数 {_days(d['median_days'])}；"
                      f"提醒未答复 {d['alerts_open']}，已答复 {d['alerts_closed']}")
    if xlsx is not None:
        console.print(f"已写入 {xlsx}")


def _days(value) -> str:
    return "—" if value is None else f"{value:g} 天"


@alerts_app.command("uploads")
def alerts_uploads(department: Optional[str] = typer.Option(None, "--department", help="Only this department's "
                                                            "uploads (default: every sender)."),
                   since: Optional[str] = typer.Option(None, "--since", help="YYYY-MM-DD: files sent on or after."),
                   as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Upload record (归集进度): files each department sent through the API per record class and month, rows
    rejected, last upload; files loaded with `creditnet load` are counted under none."""
    from graph.departments import canonical_department
    from graph.supervision.progress import upload_record

    def go():
        with open_store() as store:
            history = store.load_history()
        if department is None:
            return upload_record(history, all_senders=True, since=parse_date(since))
        return upload_record(history, canonical_department(department), since=parse_date(since))
    rows = run(as_json, go)
    if as_json:
        emit(rows)
        return
    for r in rows:
        last = r["last_upload"]
        console.print(f"{r['department'] or '命令行导入'}：文件 {r['files']} 个，载入 {r['loaded']} 行，拒绝 {r['rejected']} 行；"
                      f"最近一次 {last['at']} {last['file']}")
        for m in r["months"]:
            console.print(f"  {m['month']} {m['label']}：文件 {m['files']} 个，载入 {m['loaded']} 行，拒绝 {m['rejected']} 行")
    if not rows:
        console.print("尚无报送记录")

"""Commands of the licence-issuance service: serve, accounts, audit (registered on the main app).

Both this module and cli/main.py register on cli/common.py's `app`; cli/main.py imports this one to register it.
"""
from __future__ import annotations

from typing import Optional

import typer

from cli.common import JSON_HELP, app, console, err
from cli.common import emit as _emit, run as _run, settings as _settings


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
          port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
          workers: int = typer.Option(1, "--workers", min=1, max=64,
                                      help="Worker processes (each opens the store; 2 uses both cores of a 2-core machine)."),
          log_level: str = typer.Option("info", "--log-level", help="uvicorn log level: critical, error, warning, info, debug.")):
    """Run the HTTP API (许可审批接口) with uvicorn; OpenAPI at /docs and /openapi.json."""
    import uvicorn

    from api.config import ApiSettings
    from graph.settings import read_settings
    _run(False, lambda: read_settings(ApiSettings))  # the service's own settings, said before it starts
    if workers == 1:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level=log_level)
        return
    config = uvicorn.Config("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                            log_level=log_level)
    _run_workers(config, _tcp_socket(host, port))


def _tcp_socket(host: str, port: int):
    """The listening socket for several workers, made with IPPROTO_TCP. uvicorn binds it with protocol 0, so
    asyncio never sets TCP_NODELAY on the workers' connections and every keep-alive request after the first
    waits about 40 ms for a delayed ACK (Kludex/uvicorn#3149)."""
    import socket
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        err.print(f"[red]无法监听 {host}:{port}：{exc.strerror}[/] (cannot listen on this address)")
        raise typer.Exit(1) from None
    sock.set_inheritable(True)
    return sock


def _run_workers(config, sock) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess
    console.print(f"creditnet API on http://{config.host}:{config.port} ({config.workers} workers; Ctrl+C to stop)")
    try:
        supervisor = Multiprocess(config, sockets=[sock])
    except TypeError:  # uvicorn before 0.30 also wants the worker's target
        supervisor = Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock])  # type: ignore[call-arg]
    supervisor.run()


accounts_app = typer.Typer(help="API accounts: one key per department, managed by the market supervision bureau (账户).",
                           no_args_is_help=True, rich_markup_mode=None)
app.add_typer(accounts_app, name="accounts")


def _accounts():
    from graph.accounts import Accounts
    return Accounts(_settings().home)


@accounts_app.command("add")
def accounts_add(department: str = typer.Argument(..., help="Department name, any spelling (e.g. 县发改局)."),
                 role: str = typer.Option("department", "--role", help="department or admin."),
                 as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Make an account and print its API key — once: it is stored only as a salted hash."""
    from graph.accounts import is_known_department

    def go():
        with _accounts() as accounts:
            return accounts.add(department, role)
    account, key = _run(as_json, go)
    if as_json:
        _emit({"department": account.department, "role": account.role, "key_id": account.key_id, "key": key})
        return
    console.print(f"已为 {account.department}（{account.role}）创建账户，密钥编号 {account.key_id}。")
    if not is_known_department(department):
        console.print(f"[yellow]注意：{account.department} 不在县联合惩戒部门名单中 (not one of the county's departments)[/]")
    console.print("API 密钥如下，只显示这一次，请妥善保存 (the key is shown only once):")
    typer.echo(key)


@accounts_app.command("list")
def accounts_list(all_: bool = typer.Option(False, "--all", help="Include revoked accounts."),
                  as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """List accounts (never their keys)."""
    def go():
        with _accounts() as accounts:
            return accounts.list(include_revoked=all_)
    rows = [a.as_dict() for a in _run(as_json, go)]
    if as_json:
        _emit(rows)
        return
    from rich.table import Table
    t = Table()
    for c in ("密钥编号", "部门", "角色", "创建时间", "吊销时间"):
        t.add_column(c, overflow="fold")
    for a in rows:
        t.add_row(a["key_id"], a["department"], a["role"], a["created_at"], a["revoked_at"] or "")
    console.print(t)


@accounts_app.command("revoke")
def accounts_revoke(target: str = typer.Argument(..., help="A key id, or a department (revokes its active keys)."),
                    role: Optional[str] = typer.Option(None, "--role", help="Only this role (department or admin)."),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Revoke keys: requests with them get 401 from now on."""
    from graph.errors import NotFound

    def go():
        with _accounts() as accounts:
            revoked = accounts.revoke(target, role)
        if not revoked:
            raise NotFound(f"没有可吊销的有效账户：{target} (no active account matches)", {"target": target})
        return revoked
    revoked = [a.as_dict() for a in _run(as_json, go)]
    if as_json:
        _emit(revoked)
        return
    for a in revoked:
        console.print(f"已吊销 {a['department']}（{a['role']}）的密钥 {a['key_id']}")


@app.command()
def audit(since: Optional[str] = typer.Option(None, "--since", help="From this date (YYYY-MM-DD) or ISO time, UTC."),
          department: Optional[str] = typer.Option(None, "--department", help="Only checks by this department."),
          limit: int = typer.Option(1000, "--limit", min=1, help="Most entries to show."),
          check_id: Optional[str] = typer.Option(None, "--check", help="Show one recorded check: the answer exactly "
                                                 "as it was given."),
          changes: bool = typer.Option(False, "--changes", help="Changes to records instead of checks: withdrawals, "
                                       "corrections, full exports' endings, objections."),
          as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """The audit trail of checks (检查记录): when, who, whom, as-of date, verdict, data version; and of changes."""
    from graph.audit import AuditTrail
    from graph.departments import canonical_department

    def go():
        from api.routes.audit import parse_since
        from graph.errors import NotFound
        trail = AuditTrail(_settings().home)
        try:
            if check_id is not None:
                entry = trail.get(check_id)
                if entry is None:
                    raise NotFound(f"没有编号为 {check_id} 的检查记录 (no such check)", {"check_id": check_id})
                return entry
            which = trail.changes if changes else trail.entries
            return which(since=parse_since(since), department=canonical_department(department) if department else None,
                         limit=limit)
        finally:
            trail.close()
    entries = _run(as_json, go)
    if as_json:
        _emit(entries)
        return
    if check_id is not None:
        from cli.render import print_check
        console.print(f"检查记录 {check_id}：{entries['department'] or '—'}（{entries['account']}）")
        print_check(console, entries["result"])
        return
    if changes:
        for e in entries:
            details = e.get("details") or {}
            # An objection's line says which objection and the status it reached (受理, 核实, 更正, 驳回).
            step = f" {details['objection']}：{details['status']}" if details.get("status") else ""
            console.print(f"{e['at']}  {e['department'] or '管理员'}（{e['account']}）{e['action']}{step}  "
                          f"{'、'.join(e['records'])}  原因：{e['reason'] or '—'}  {e['source'] or ''}", soft_wrap=True)
        if not entries:
            err.print("没有更改记录 (no entries)")
        return
    # One line per check, so that a long code or check id stays whole on an 80-column terminal.
    from cli.render import VERDICT_TEXT
    for e in entries:
        hits = "、".join(e["hit_keys"]) or "无"
        console.print(f"{e['at']}  {e['department'] or '—'}（{e['account']}）检查 {e['subject_key']}  "
                      f"检查日期 {e['as_of']}  深度 {e['depth']}  结论：{VERDICT_TEXT.get(e['verdict'], e['verdict'])}  "
                      f"命中：{hits}  数据版本 {e['data_version']}  编号 {e['check_id']}", soft_wrap=True)
    if not entries:
        err.print("没有检查记录 (no entries)")


"""`creditnet webhooks …` and `creditnet alerts deliver`: notifications out (graph/supervision/webhooks.py, outbox.py).

The operator acts for the bureau: it may register or remove a webhook for any department."""
from __future__ import annotations

from typing import Optional

import typer

from cli.common import JSON_HELP, app, console, emit, run, settings
from cli.supervision import alerts_app, supervision_db

webhooks_app = typer.Typer(help="Webhooks: a department's approval system is told of its alerts (通知), signed "
                                "with a secret shown once.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("add")
def webhooks_add(department: str = typer.Argument(..., help="The department (any spelling the alias table knows)."),
                 url: str = typer.Argument(..., help="http(s) URL on this machine or in a network listed in "
                                                     "CREDITNET_WEBHOOK_ALLOWED_NETWORKS."),
                 as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Register a webhook for the department. Prints its signing secret: shown this once, keep it."""
    from graph.supervision.webhooks import register

    def go():
        with supervision_db() as db:
            return register(db, settings(), department, url, created_by="cli")
    out = run(as_json, go)
    if as_json:
        emit(out)
        return
    console.print(f"已登记回调地址 #{out['id']}：{out['department']} → {out['url']}")
    console.print(f"签名密钥（只显示这一次，请妥善保存）：{out['secret']}")


@webhooks_app.command("list")
def webhooks_list(department: Optional[str] = typer.Option(None, "--department", help="Only this department's."),
                  removed: bool = typer.Option(False, "--removed", help="Also the webhooks removed."),
                  as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """The webhooks registered (never their secrets)."""
    from graph.supervision.webhooks import hooks

    def go():
        with supervision_db() as db:
            return hooks(db, department, removed=removed)
    rows = run(as_json, go)
    if as_json:
        emit(rows)
        return
    for h in rows:
        console.print(f"#{h['id']} {h['department']}  {h['url']}  {'有效' if h['active'] else '已删除'}  {h['created_at']}")
    console.print(f"共 {len(rows)} 个")


@webhooks_app.command("remove")
def webhooks_remove(webhook: int = typer.Argument(..., help="The webhook's number (from `webhooks list`)."),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Stop a webhook; its pending deliveries are cancelled, its record stays."""
    from graph.supervision.webhooks import remove

    def go():
        with supervision_db() as db:
            return remove(db, webhook)
    out = run(as_json, go)
    emit(out) if as_json else console.print(f"已删除回调地址 #{out['id']}")


@webhooks_app.command("deliveries")
def webhooks_deliveries(webhook: int = typer.Argument(..., help="The webhook's number."),
                        limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="Newest first, this many."),
                        as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """A webhook's deliveries and every attempt: status, time, attempt number."""
    from graph.supervision.webhooks import deliveries

    def go():
        with supervision_db() as db:
            return deliveries(db, webhook, limit=limit)
    rows = run(as_json, go)
    if as_json:
        emit(rows)
        return
    state = {"pending": "待发送", "delivered": "已送达", "failed": "已放弃", "cancelled": "已取消"}
    for d in rows:
        console.print(f"#{d['id']} 提醒 {len(d['alerts'])} 条  {state.get(d['state'], d['state'])}"
                      + (f"  下次 {d['next_attempt_at']}" if d["next_attempt_at"] else ""))
        for a in d["attempts"]:
            console.print(f"    第{a['attempt']}次 {a['at']}  {a['status'] or '无应答'}  {a['error'] or ''}")


@alerts_app.command("deliver")
def alerts_deliver(now: bool = typer.Option(False, "--now", help="Also the deliveries still waiting out their "
                                            "back-off."),
                   as_json: bool = typer.Option(False, "--json", help=JSON_HELP)):
    """Send the webhook deliveries that are due (pending ones a pass left, retries whose back-off has passed).
    Run it from cron every few minutes when creditnet runs without the service."""
    from graph.supervision.outbox import deliver_due

    out = run(as_json, lambda: deliver_due(settings().home, settings(), ignore_backoff=now).as_dict())
    emit(out) if as_json else console.print(
        f"送达 {out['sent']}，失败 {out['failed']}（其中放弃 {out['given_up']}），仍待发送 {out['pending']}")

"""What every `creditnet` command shares: the typer app, the consoles, the settings and store of this run, and how a
library error becomes a message and an exit code. cli/main.py and cli/service.py register their commands on `app`."""
from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any, Callable, Optional

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from graph.errors import CreditnetError, InvalidRequest


class _SettingsFirst(TyperGroup):
    """Every command reads the settings: a bad CREDITNET_* variable is one line (JSON with --json) and exit code 2,
    said before the command starts, whichever command it is; --help still answers."""

    def invoke(self, ctx):
        args = [*getattr(ctx, "_protected_args", getattr(ctx, "protected_args", [])), *ctx.args]
        if "--help" not in args:
            try:
                settings()
            except CreditnetError as exc:
                fail(exc, "--json" in args)
        return super().invoke(ctx)


app = typer.Typer(
    name="creditnet", cls=_SettingsFirst,
    help="creditnet：企业信用联合惩戒查询（一处违法、处处受限）。Load departments' records, check applicants, explain why.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None)
console = Console()
err = Console(stderr=True)

JSON_HELP = "Print JSON instead of a table (输出 JSON)."


def open_store():
    from graph.stores import open_store as open_configured
    return open_configured()


def settings():
    from graph.settings import get_settings
    return get_settings()


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(exc: CreditnetError, as_json: bool) -> None:
    if as_json:
        emit({"error": {"code": exc.code, "message": exc.message, "details": exc.details}})
    else:
        err.print(f"[red]错误：[/]{escape(exc.message)}", soft_wrap=exc.code == "invalid_setting")
        if exc.code == "ambiguous_name":  # the codes to check by, as the API's details.candidates gives them
            for c in exc.details.get("candidates", []):
                err.print(f"  {c['key']}  {escape(c.get('name') or '')}", soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def run(as_json: bool, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except CreditnetError as exc:
        fail(exc, as_json)


def parse_date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"日期格式应为 YYYY-MM-DD，实为“{value}” (--as-of must be YYYY-MM-DD)") from None

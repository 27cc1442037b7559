"""Nothing the service logs may carry a personal ID number or an API key.

Request lines carry what callers put in the URL — `GET /api/v1/persons/<ID number>`, `?q=<ID number>`,
`?a=<ID number>` — and uvicorn's access log writes them verbatim; a traceback quotes the exception's message,
which may echo a key a caller sent. Log files are read by operators and shipped to other systems, so both are
masked where every record is made: a log-record factory rewrites the message, its arguments and the formatted
traceback of every record from any logger (uvicorn's, ours, a library's) before any handler sees it.

The arguments stay a tuple of the same length and type where they were not text, because formatters such as
uvicorn's access formatter unpack them by position.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any

from api.masking import mask_secrets


def _mask_arg(value: Any) -> Any:
    if isinstance(value, (int, float, type(None))):  # %d and %f must still format them
        return value
    if isinstance(value, str):
        return mask_secrets(value)
    text = str(value)
    masked = mask_secrets(text)
    return value if masked == text else masked


def _mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if isinstance(record.msg, str):
        record.msg = mask_secrets(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_mask_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _mask_arg(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None:
        # Formatters reuse exc_text when it is set: format the traceback once, masked.
        record.exc_text = mask_secrets("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    return record


_installed = False


def install() -> None:
    """Mask every log record this process makes from now on (idempotent; once per worker process)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _mask_record(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True

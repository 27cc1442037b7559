"""A file sent in a multipart form, as every upload endpoint receives it."""
from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from graph.errors import InvalidRequest


async def read_form_file(request: Request, target: Path) -> tuple[str, dict[str, str]]:
    """The form's `file` written to `target` (streamed, off the event loop): (the name the sender gave it, the
    form's other text fields)."""
    form = await request.form(max_files=1, max_fields=20)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidRequest("请在表单字段 file 中上传文件 (send the file in the form field `file`)",
                                 {"fields": [{"field": "file", "in": "body", "message": "Field required"}]})
        with target.open("wb") as out:
            await run_in_threadpool(shutil.copyfileobj, upload.file, out)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return upload.filename or "upload.csv", fields
    finally:
        await form.close()

"""The one exception a cell's parser raises: what is wrong with the value, in words the sending clerk can act on."""
from __future__ import annotations


class FieldProblem(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

"""Normalising enterprise names, so that a name typed at the licence window finds the registered one."""
from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalise_name(name: str | None) -> str:
    """Fold width (NFKC turns （集团） into (集团)), drop spaces, unify brackets; case-fold Latin letters."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name)
    text = text.replace("〔", "[").replace("〕", "]").replace("【", "[").replace("】", "]")
    return _SPACE.sub("", text).casefold()

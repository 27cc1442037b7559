"""What a validated row means for the graph, stated once for every store.

A department's row names an enterprise by a code, says what record it is (its natural key: a re-sent record
replaces the earlier one), which departments it involves, and which of its fields the record keeps. A registry
row is the authority on who an enterprise is. The functions here decide all of that from the row alone — pure,
no store involved — and both writers (graph/stores/embedded_writer.py, graph/stores/neo4j/writer.py) call them,
so that the two stores cannot come to mean different things by the same file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.departments import canonical_department
from graph.vocabulary import list_identity

# Fields that only say which enterprise a record is about; the record's own props keep the rest.
ADDRESSING = frozenset({"code", "code_kind"})
NOT_REGISTRY_PROPS = ADDRESSING | {"name", "reg_no"}


def code_kind(code: str) -> str:
    """A 15-character code is a registration number (注册号), an 18-character one a USCC."""
    return "reg_no" if len(code) == 15 else "uscc"


def natural_key(kind: str, v: dict[str, Any]) -> str:
    """The record's identity within its enterprise (docs/domain.md): a re-sent record replaces the earlier one."""
    def part(name: str) -> str:
        value = v.get(name)
        if isinstance(value, list):
            return "、".join(canonical_department(x) for x in value)
        return "" if value is None else str(value)

    if kind == "license":
        return part("license_no")
    if kind == "license-change":
        return "|".join(part(n) for n in ("license_no", "item", "change_date", "after"))
    if kind == "penalty":
        return part("decision_no")
    if kind == "penalty-change":
        return "|".join(part(n) for n in ("decision_no", "change_date", "content"))
    if kind == "inspection":
        return "|".join(part(n) for n in ("authority", "inspection_type", "inspection_date"))
    if kind == "blacklist":  # keyed by the list, not its spelling (graph/stores/listing_keys.py)
        return "|".join([list_identity(v.get("list_type")), *(part(n) for n in ("sender", "valid_from", "id_number"))])
    raise ValueError(kind)


def departments(kind: str, v: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(relation, canonical department, the spelling sent) for every department a record names."""
    out: list[tuple[str, str, str]] = []
    if kind == "blacklist":
        for name in v.get("sender") or []:
            out.append(("sent_by", canonical_department(name), name))
        for name in v.get("receivers") or []:
            out.append(("received_by", canonical_department(name), name))
    else:
        for name in v.get("authority") or []:
            out.append(("issued_by", canonical_department(name), name))
    return out


def record_props(kind: str, v: dict[str, Any]) -> dict[str, Any]:
    """A record row's own fields, as the record keeps them."""
    props = {k: val for k, val in v.items() if k not in ADDRESSING and val is not None}
    if kind == "blacklist":
        # The canonical sender/receivers live on department nodes; keep the spellings the department used.
        props["sender_as_sent"] = "、".join(v.get("sender") or [])
        props["receivers_as_sent"] = "、".join(v.get("receivers") or [])
        props.pop("sender", None)
    props.pop("receivers", None)
    return props


def registry_props(v: dict[str, Any]) -> dict[str, Any]:
    """The registry row's fields an enterprise keeps (its codes and name are the enterprise's identity)."""
    return {k: val for k, val in v.items() if k not in NOT_REGISTRY_PROPS and val is not None}


def registry_code(v: dict[str, Any]) -> tuple[str, str]:
    """(code, kind) a registry row is filed under: its USCC, or its registration number where it has none."""
    code = v.get("code") or v.get("reg_no")
    assert code, "the row parser gives every registry row a code"
    return code, v.get("code_kind") or "reg_no"


def replacement_date(v: dict[str, Any]) -> str | None:
    """When the legal representative a registry row names took office, as far as the row says: the date of the
    change (变更日期/核准日期) that named them, else their own 任职日期; None: the load's as-of date applies."""
    return v.get("change_date") or v.get("legal_rep_since")


# --- which enterprise a row means, and what it becomes ----------------------------------------------------
@dataclass(frozen=True)
class Identity:
    """Who an enterprise is: its codes, its name, and whether the registry has spoken for it."""
    uscc: str | None
    reg_no: str | None
    name: str | None
    in_registry: bool

    @property
    def key(self) -> str:
        """An enterprise is keyed by its USCC, or by its registration number while no USCC is known."""
        return self.uscc or self.reg_no or ""


def row_codes(code: str, kind: str, reg_no: str | None) -> tuple[str | None, str | None]:
    """(USCC, registration number) a row gives for its enterprise."""
    return (code if kind == "uscc" else None), (reg_no or (code if kind == "reg_no" else None))


def fold(by_uscc: Any, by_reg_no: Any) -> tuple[Any, Any] | None:
    """Two enterprises the store holds apart, one found by the row's USCC and one by its registration number,
    are one enterprise: (kept, folded into it). The one with the USCC is kept (it holds the final key); the
    other was created by records sent under the old number before the registry tied the two together."""
    if by_uscc is not None and by_reg_no is not None and by_uscc != by_reg_no:
        return by_uscc, by_reg_no
    return None


def settle(old: Identity | None, *, uscc: str | None, reg_no: str | None, name: str | None,
           from_registry: bool) -> Identity:
    """What an enterprise is after a row that names it. The registry is the authority: its name replaces an
    earlier one and its codes complete the enterprise. A department's record only names the enterprise: it gives
    a name where none is known and never overrides the registry. (The registry's other fields are merged over the
    earlier ones by the store, which keeps them in its own form; a record never changes them.)"""
    if old is None:
        return Identity(uscc, reg_no, name, from_registry)
    if from_registry:
        return Identity(uscc or old.uscc, reg_no or old.reg_no, name or old.name, True)
    return Identity(uscc or old.uscc, reg_no or old.reg_no, old.name or name, old.in_registry)

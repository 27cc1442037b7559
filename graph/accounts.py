"""API accounts: one key per department, allocated and managed by the county market supervision bureau
(seed §四, §五(一): 县市场监督管理局 leads the work and allocates departments' access).

Accounts live in their own SQLite file beside the store (CREDITNET_HOME/accounts.sqlite), whatever the
backend. A key looks like `cn_<key id>_<secret>`: the key id finds the account, the secret is checked against
a salted PBKDF2 hash. The key itself is shown once, when it is made, and never stored or logged.

Roles:
- `department`: bound to one department's node (canonical name); checks, reads, sends its own records.
- `admin`: the market supervision bureau; everything, including the audit trail and any department's data.
The public needs no account.
"""
from __future__ import annotations

import builtins
import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from graph.departments import COUNTY_DEPARTMENTS, canonical_department
from graph.errors import CreditnetError, InvalidRequest

ROLES = ("department", "admin")
KEY_PREFIX = "cn"
# Keys carry 256 random bits, so the hash need not be slow to resist guessing; the iterations guard a copy
# of accounts.sqlite against offline attack all the same. Stored per row so that it can be raised later.
ITERATIONS = 100_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS account (
    key_id TEXT PRIMARY KEY,
    department TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('department', 'admin')),
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    iterations INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS account_one_active ON account(department, role) WHERE revoked_at IS NULL;
"""


class Unauthenticated(CreditnetError):
    """No key, a malformed or unknown key, or a revoked one. The message never says which (no oracle)."""
    code = "unauthenticated"
    exit_code = 2
    http_status = 401


class Forbidden(CreditnetError):
    """A valid key whose role or department does not allow this."""
    code = "forbidden"
    exit_code = 2
    http_status = 403


class AccountExists(CreditnetError):
    code = "account_exists"
    exit_code = 2
    http_status = 409


@dataclass(frozen=True)
class Account:
    key_id: str
    department: str          # canonical department name (graph.departments)
    role: str                # department | admin
    created_at: str
    revoked_at: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_act_for(self, department: str) -> bool:
        """Admin acts for every department; a department account only for itself (any spelling)."""
        return self.is_admin or canonical_department(department) == self.department

    def as_dict(self) -> dict[str, Any]:
        return {"key_id": self.key_id, "department": self.department, "role": self.role,
                "created_at": self.created_at, "revoked_at": self.revoked_at}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _hash(secret: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, iterations)


_INVALID = "缺少或无效的 API 密钥 (missing or invalid API key)"


def _fingerprint(key: str) -> bytes:
    return hashlib.sha256(key.strip().encode()).digest()


def parse_key(key: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    parts = (key or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


_COLUMNS = "key_id, department, role, created_at, revoked_at"

# Keys verified by this process: key id -> (stored hash, SHA-256 of the presented key). A repeat request pays
# one SHA-256 instead of PBKDF2; the row is still read every time, so a revocation applies at once.
_verified: dict[str, tuple[bytes, bytes]] = {}


class Accounts:
    """The account file. Safe to share between threads (one connection behind a lock)."""

    def __init__(self, home: Path):
        home = Path(home)
        home.mkdir(parents=True, exist_ok=True)
        path = home / "accounts.sqlite"
        new = not path.exists()
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        if new:
            os.chmod(path, 0o600)  # salted hashes only, but nobody else needs to read them
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    def add(self, department: str, role: str = "department") -> tuple[Account, str]:
        """Make an account and return it with its key — the only time the key is ever available."""
        if role not in ROLES:
            raise InvalidRequest(f"未知角色“{role}”，可选：{'、'.join(ROLES)} (unknown role)", {"field": "role"})
        canonical = canonical_department(department)
        if not canonical:
            raise InvalidRequest("部门名称为空 (department is empty)", {"field": "department"})
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        salt = os.urandom(16)
        account = Account(key_id, canonical, role, _now())
        try:
            with self._lock:
                self.conn.execute(
                    "INSERT INTO account (key_id, department, role, salt, hash, iterations, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (key_id, canonical, role, salt, _hash(secret, salt, ITERATIONS), ITERATIONS, account.created_at))
        except sqlite3.IntegrityError:
            raise AccountExists(f"{canonical} 已有有效的 {role} 账户；如需更换密钥，请先吊销旧密钥 "
                                f"(an active {role} account exists for this department: revoke it first)",
                                {"department": canonical, "role": role}) from None
        return account, f"{KEY_PREFIX}_{key_id}_{secret}"

    def list(self, include_revoked: bool = True) -> list[Account]:
        sql = f"SELECT {_COLUMNS} FROM account"
        if not include_revoked:
            sql += " WHERE revoked_at IS NULL"
        with self._lock:
            rows = self.conn.execute(sql + " ORDER BY rowid").fetchall()
        return [Account(*row) for row in rows]

    def revoke(self, target: str, role: str | None = None) -> builtins.list[Account]:  # `list` alone is the method above
        """Revoke by key id, or every active account of a department (any spelling), optionally one role."""
        canonical = canonical_department(target)
        sql = f"SELECT {_COLUMNS} FROM account WHERE revoked_at IS NULL AND (key_id = ? OR department = ?)"
        args: list[Any] = [target.strip(), canonical]
        if role:
            sql += " AND role = ?"
            args.append(role)
        at = _now()
        with self._lock:
            rows = self.conn.execute(sql, args).fetchall()
            for row in rows:
                self.conn.execute("UPDATE account SET revoked_at = ? WHERE key_id = ?", (at, row[0]))
        return [Account(row[0], row[1], row[2], row[3], revoked_at=at) for row in rows]

    def authenticate(self, key: str | None) -> Account:
        """The active account this key belongs to, or Unauthenticated. Hashes compare in constant time."""
        account, row = self._lookup(key)
        if account is not None:
            return account
        key_id, secret, salt, stored, iterations, fields = row
        if not hmac.compare_digest(_hash(secret, salt, iterations), stored):
            raise Unauthenticated(_INVALID)
        _verified[key_id] = (stored, _fingerprint(key or ""))
        return Account(*fields)

    def authenticate_cached(self, key: str | None) -> Account | None:
        """Like authenticate, but None where the key must still go through PBKDF2 (tens of milliseconds):
        the caller can do that off the event loop. Unknown, revoked and malformed keys still raise."""
        return self._lookup(key)[0]

    def _lookup(self, key: str | None) -> tuple[Account | None, tuple]:
        key = key or ""
        parsed = parse_key(key)
        if parsed is None:
            raise Unauthenticated(_INVALID)
        key_id, secret = parsed
        with self._lock:
            row = self.conn.execute(f"SELECT {_COLUMNS}, salt, hash, iterations FROM account WHERE key_id = ?",
                                    (key_id,)).fetchone()
        if row is None or row[4] is not None:
            raise Unauthenticated(_INVALID)
        salt, stored, iterations = row[5], row[6], row[7]
        cached = _verified.get(key_id)
        if cached is not None and hmac.compare_digest(cached[0], stored) and \
                hmac.compare_digest(cached[1], _fingerprint(key)):
            return Account(*row[:5]), ()
        return None, (key_id, secret, salt, stored, iterations, row[:5])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Accounts":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_known_department(name: str) -> bool:
    """One of the seed's 30 departments (attachment 2), under any spelling the alias table knows."""
    return canonical_department(name) in COUNTY_DEPARTMENTS

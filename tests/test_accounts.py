"""API accounts (graph/accounts.py) and the `accounts`, `audit` and `serve` commands."""
from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from county import AS_OF, E

from cli.main import app
from graph.accounts import AccountExists, Accounts, Unauthenticated, is_known_department, parse_key
from graph.errors import InvalidRequest

runner = CliRunner()


@pytest.fixture
def accounts(home, fast_keys):
    with Accounts(home) as a:
        yield a


def test_a_new_key_authenticates_its_account(accounts):
    account, key = accounts.add("西吉县发展和改革局")
    assert (account.department, account.role, account.active) == ("县发改局", "department", True)
    assert key.startswith(f"cn_{account.key_id}_") and len(key) > 50
    assert parse_key(key) == (account.key_id, key.split("_", 2)[2])
    assert accounts.authenticate(key) == account
    assert accounts.authenticate(f"  {key} ") == account  # pasted with spaces


def test_keys_are_stored_only_as_salted_hashes(accounts, home):
    _, key1 = accounts.add("县发改局")
    _, key2 = accounts.add("县财政局")
    raw = b"".join(p.read_bytes() for p in home.glob("accounts.sqlite*"))
    for key in (key1, key2):
        assert key.encode() not in raw and key.split("_", 2)[2].encode() not in raw
    conn = sqlite3.connect(home / "accounts.sqlite")
    salts = [s for (s,) in conn.execute("SELECT salt FROM account")]
    assert len(set(salts)) == 2 and all(len(s) == 16 for s in salts)
    assert (home / "accounts.sqlite").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("mangle", [
    lambda k: None, lambda k: "", lambda k: "Bearer", lambda k: k[:-1] + ("a" if k[-1] != "a" else "b"),
    lambda k: k.replace("cn_", "xx_"), lambda k: "cn_" + "0" * 12 + "_" + k.split("_", 2)[2], lambda k: k + "x",
    lambda k: k.split("_", 2)[2]])
def test_wrong_keys_are_refused(accounts, mangle):
    _, key = accounts.add("县发改局")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(mangle(key))


def test_a_verified_key_is_still_checked_every_time(accounts):
    _, key = accounts.add("县发改局")
    accounts.authenticate(key)
    with pytest.raises(Unauthenticated):  # the cache of verified keys holds no shortcut for a different secret
        accounts.authenticate(key[:-2] + "zz")
    accounts.revoke("县发改局")
    with pytest.raises(Unauthenticated):
        accounts.authenticate(key)


def test_one_active_account_per_department_and_role(accounts):
    first, key = accounts.add("县发改局")
    with pytest.raises(AccountExists):
        accounts.add("西吉县发改委")  # another spelling of the same department
    admin, _ = accounts.add("县发改局", role="admin")
    assert admin.is_admin
    [revoked] = accounts.revoke("县发改局", role="department")
    assert revoked.key_id == first.key_id and revoked.revoked_at
    second, key2 = accounts.add("县发改局")
    assert accounts.authenticate(key2) == second
    with pytest.raises(Unauthenticated):
        accounts.authenticate(key)
    assert [a.key_id for a in accounts.list(include_revoked=False)] == [admin.key_id, second.key_id]
    assert len(accounts.list()) == 3


def test_revoke_by_key_id(accounts):
    a, _ = accounts.add("县发改局")
    b, key_b = accounts.add("县财政局")
    assert [x.key_id for x in accounts.revoke(a.key_id)] == [a.key_id]
    assert accounts.authenticate(key_b) == b
    assert accounts.revoke(a.key_id) == []


def test_roles_and_departments(accounts):
    with pytest.raises(InvalidRequest):
        accounts.add("县发改局", role="superuser")
    with pytest.raises(InvalidRequest):
        accounts.add("   ")
    dept, _ = accounts.add("县财政局")
    admin, _ = accounts.add("县市场监管局", role="admin")
    assert admin.department == "县市场监督管理局"
    assert dept.may_act_for("西吉县财政局") and not dept.may_act_for("县发改局")
    assert admin.may_act_for("县发改局")
    assert is_known_department("西吉县人民法院") and not is_known_department("县不存在局")


# --- the commands --------------------------------------------------------------------------------------
def invoke(*args):
    return runner.invoke(app, list(args))


def test_accounts_commands(home, fast_keys):
    r = invoke("accounts", "add", "西吉县财政局", "--json")
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)
    assert (made["department"], made["role"]) == ("县财政局", "department") and made["key"].startswith("cn_")
    with Accounts(home) as accounts:
        assert accounts.authenticate(made["key"]).department == "县财政局"
    r = invoke("accounts", "add", "县财政局", "--json")
    assert r.exit_code == 2 and json.loads(r.output)["error"]["code"] == "account_exists"
    r = invoke("accounts", "add", "县市场监督管理局", "--role", "admin")
    assert r.exit_code == 0 and "只显示这一次" in r.output
    listed = json.loads(invoke("accounts", "list", "--json").output)
    assert [(a["department"], a["role"]) for a in listed] == [("县财政局", "department"), ("县市场监督管理局", "admin")]
    assert "key" not in listed[0] and made["key"] not in invoke("accounts", "list").output
    r = invoke("accounts", "revoke", "县财政局", "--json")
    assert r.exit_code == 0 and json.loads(r.output)[0]["key_id"] == made["key_id"]
    assert invoke("accounts", "revoke", "县财政局", "--json").exit_code == 3
    assert len(json.loads(invoke("accounts", "list", "--json").output)) == 1
    assert len(json.loads(invoke("accounts", "list", "--all", "--json").output)) == 2


def test_cli_checks_are_audited(county):
    r = invoke("check", E["LISTED"], "--as-of", AS_OF, "--json")
    assert r.exit_code == 0, r.output
    check_id = json.loads(r.output)["check_id"]
    entries = json.loads(invoke("audit", "--json").output)
    assert [(e["check_id"], e["account"], e["verdict"], e["hit_keys"]) for e in entries] == [
        (check_id, "cli", "restricted", [E["LISTED"]])]
    assert json.loads(invoke("audit", "--since", "2999-01-01", "--json").output) == []
    assert json.loads(invoke("audit", "--department", "县发改局", "--json").output) == []
    assert invoke("audit", "--since", "soon", "--json").exit_code == 2
    assert check_id in invoke("audit").output


@pytest.mark.parametrize("command", [["serve"], ["accounts"], ["accounts", "add"], ["accounts", "list"],
                                     ["accounts", "revoke"], ["audit"]])
def test_every_service_command_has_help(command):
    r = invoke(*command, "--help")
    assert r.exit_code == 0
    assert len(r.output.split("Usage:")[1].strip().splitlines()) > 2

"""The environment a test's own Neo4j server starts with (tests/servers.py `own_neo4j_env`): the reliability tests
that need a server with settings of their own must not take the developer's server settings with them."""
from __future__ import annotations

from pathlib import Path

from servers import SERVER_SETTINGS, own_neo4j_env


def test_a_developers_server_settings_do_not_reach_a_tests_own_server(tmp_path):
    inherited = {"PATH": "/usr/bin", "NEO4J_JAVA_HOME": "/opt/jdk17", "NEO4J_START_TIMEOUT": "300",
                 "NEO4J_HEAP": "3g", "NEO4J_HEAP_INITIAL": "3g", "NEO4J_PAGECACHE": "5g", "NEO4J_BOLT_PORT": "47687",
                 "NEO4J_JAVA_OPTS": "-Xms3g", "NEO4J_TX_TIMEOUT": "2h", "CREDITNET_NEO4J_HOME": "/srv/neo4j"}
    env = own_neo4j_env(inherited, tmp_path, {"NEO4J_TX_MEMORY": "64m"})
    assert env["NEO4J_HEAP"] == env["NEO4J_HEAP_INITIAL"] == "512m" and env["NEO4J_PAGECACHE"] == "64m"
    assert "NEO4J_JAVA_OPTS" not in env and "NEO4J_TX_TIMEOUT" not in env
    assert env["NEO4J_BOLT_PORT"] != "47687" and env["NEO4J_AUTH"] == "none"
    assert env["CREDITNET_NEO4J_HOME"] == str(tmp_path) and env["NEO4J_TX_MEMORY"] == "64m"
    # What says where the JDK is and how long to wait is the machine's, not the server's shape: kept.
    assert env["NEO4J_JAVA_HOME"] == "/opt/jdk17" and env["NEO4J_START_TIMEOUT"] == "300" and env["PATH"] == "/usr/bin"


def test_every_server_setting_is_one_the_script_reads():
    script = (Path(__file__).resolve().parents[1] / "scripts" / "neo4j-local").read_text(encoding="utf-8")
    assert all(f"${{{name}:-" in script for name in SERVER_SETTINGS)

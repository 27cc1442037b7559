"""The Docker deployment (docker-compose.yml, Dockerfile, .dockerignore, deploy/*.env.example) hangs together.

No Docker engine runs here, so the files are read and checked against what they must agree with: the settings
classes, the package list, the CLI's serve command, the API's health route, and — when a Neo4j test server is
configured — the settings a real Neo4j 5.26 knows.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

import needs

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Variables of the neo4j image itself, not Neo4j settings.
IMAGE_VARIABLES = {"NEO4J_AUTH", "NEO4J_PLUGINS", "NEO4J_ACCEPT_LICENSE_AGREEMENT", "NEO4J_DEBUG"}


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} with nothing set: the defaults a fresh checkout gets."""
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value)


def env_file(service: str) -> tuple[Path, dict[str, str]]:
    """The service's env file as shipped: the real one is git-ignored, its `.example` is what we check."""
    [entry] = SERVICES[service]["env_file"]
    path = ROOT / (entry if isinstance(entry, str) else entry["path"])
    example = path.with_name(path.name + ".example")
    assert example.exists(), f"{example.relative_to(ROOT)} is missing"
    values = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep and re.fullmatch(r"[A-Za-z_]\w*", key), f"{example.name}: not KEY=value: {line!r}"
            assert key not in values, f"{example.name}: {key} twice"
            values[key] = value
    return path, values


def published(service: str) -> dict[int, str]:
    """container port -> host address it is published on."""
    out = {}
    for spec in SERVICES[service]["ports"]:
        host, host_port, container_port = interpolate(str(spec)).rsplit(":", 2)
        assert host_port == container_port
        out[int(container_port)] = host
    return out


def dockerfile_instructions(name: str) -> list[str]:
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.split(None, 1)[1].strip() for line in text.splitlines()
            if line.strip().upper().startswith(name + " ")]


# --- docker-compose.yml ---------------------------------------------------------------------------------------
def test_compose_has_neo4j_and_the_api():
    assert set(SERVICES) == {"neo4j", "creditnet"}
    assert SERVICES["neo4j"]["image"] == "neo4j:5.26-community"
    assert SERVICES["creditnet"]["build"] == "."


def test_both_services_have_healthchecks():
    for name, service in SERVICES.items():
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) > 1, name
        assert {"interval", "timeout", "retries"} <= set(check), name
    assert "cypher-shell" in SERVICES["neo4j"]["healthcheck"]["test"][1]
    api_check = " ".join(SERVICES["creditnet"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/api/v1/health" in api_check


def test_the_api_waits_for_a_healthy_neo4j():
    assert SERVICES["creditnet"]["depends_on"] == {"neo4j": {"condition": "service_healthy"}}


def test_named_volumes_are_declared_and_used():
    declared = set(COMPOSE["volumes"])
    used = {}
    for name, service in SERVICES.items():
        for spec in service["volumes"]:
            source, target = spec.split(":")[:2]
            assert source in declared, f"{name}: {source} is not a named volume (no host paths: data stays in volumes)"
            used[target] = source
    assert set(used.values()) == declared
    assert {"/data", "/logs"} <= set(used)
    _, creditnet_env = env_file("creditnet")
    assert creditnet_env["CREDITNET_HOME"] in used, "CREDITNET_HOME (accounts, audit trail, rejects) must be a volume"


def test_ports_are_published_on_loopback_by_default():
    assert published("neo4j") == {7474: "127.0.0.1", 7687: "127.0.0.1"}
    assert published("creditnet") == {8000: "127.0.0.1"}


def test_the_api_serves_on_the_published_port():
    command = SERVICES["creditnet"]["command"]
    assert command == ["creditnet", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert 8000 in published("creditnet")


def test_the_serve_command_and_health_route_exist(tmp_path):
    """The container's command and both healthchecks name things the code really has."""
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from api.app import create_app
    from cli.main import app
    from graph.settings import Settings

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "--port" in result.output
    with TestClient(create_app(Settings(home=tmp_path, backend="embedded"))) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 200, response.text


# --- deploy/*.env.example -------------------------------------------------------------------------------------
def test_env_files_are_shipped_as_examples_and_kept_out_of_git():
    if not shutil.which("git") or not (ROOT / ".git").exists():
        needs.unavailable(needs.TOOLS, "git or the repository's .git is missing: cannot ask git what it ignores")
    for service in SERVICES:
        path, _ = env_file(service)
        ignored = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT).returncode == 0
        assert ignored, f"{path.relative_to(ROOT)} holds a password: add deploy/*.env to .gitignore"


def test_creditnet_env_sets_every_neo4j_setting():
    from graph.settings import Settings
    _, env = env_file("creditnet")
    wanted = {f"CREDITNET_{name.upper()}" for name in Settings.model_fields if name.startswith("neo4j_")}
    assert wanted and wanted <= set(env), f"missing: {sorted(wanted - set(env))}"
    assert env["CREDITNET_BACKEND"] == "neo4j"
    assert env["CREDITNET_NEO4J_URI"] == "bolt://neo4j:7687", "the compose service name, on the compose network"


def test_creditnet_env_names_only_real_settings():
    from api.config import ApiSettings
    from graph.settings import Settings
    _, env = env_file("creditnet")
    known = {f"CREDITNET_{name.upper()}" for cls in (Settings, ApiSettings) for name in cls.model_fields}
    assert set(env) <= known, f"not settings (typos?): {sorted(set(env) - known)}"
    Settings(**{k.removeprefix("CREDITNET_").lower(): v for k, v in env.items() if k in {
        f"CREDITNET_{n.upper()}" for n in Settings.model_fields}})   # and valid values


def test_neo4j_env_sets_auth_and_memory_and_matches_the_api_password():
    _, neo4j_env = env_file("neo4j")
    _, creditnet_env = env_file("creditnet")
    user, _, password = neo4j_env["NEO4J_AUTH"].partition("/")
    assert user == creditnet_env["CREDITNET_NEO4J_USER"] == "neo4j"
    assert len(password) >= 8, "Neo4j 5 refuses passwords shorter than 8 characters"
    assert password == creditnet_env["CREDITNET_NEO4J_PASSWORD"]
    assert {"NEO4J_server_memory_heap_max__size", "NEO4J_server_memory_pagecache_size"} <= set(neo4j_env)


def neo4j_setting(variable: str) -> str:
    """NEO4J_server_memory_heap_max__size -> server.memory.heap.max_size (the image's naming scheme)."""
    return variable.removeprefix("NEO4J_").replace("__", "\0").replace("_", ".").replace("\0", "_")


def test_neo4j_env_names_settings_a_neo4j_5_26_server_knows(neo4j_driver):
    """Neo4j validates its configuration strictly: an unknown setting stops the container from starting."""
    records, _, _ = neo4j_driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
    version = records[0]["v"]
    records, _, _ = neo4j_driver.execute_query("SHOW SETTINGS YIELD name RETURN collect(name) AS names")
    known = set(records[0]["names"])
    assert version.startswith("5.26."), f"the test server runs {version}; the image is 5.26"
    _, env = env_file("neo4j")
    unknown = [v for v in env if v not in IMAGE_VARIABLES and neo4j_setting(v) not in known]
    assert not unknown, f"not Neo4j 5.26 settings: {unknown}"


# --- Dockerfile, .dockerignore and the package ----------------------------------------------------------------
def test_dockerfile_builds_a_slim_non_root_image():
    assert dockerfile_instructions("FROM") == ["python:3.11-slim"]
    user = dockerfile_instructions("USER")[-1].split(":")[0]
    assert user not in ("root", "0"), "the API must not run as root"
    assert dockerfile_instructions("EXPOSE") == ["8000"]
    [healthcheck] = dockerfile_instructions("HEALTHCHECK")
    assert "/api/v1/health" in healthcheck
    assert any(re.search(r"\bpip install \.(\s|$)", run) for run in dockerfile_instructions("RUN")), \
        "installs the package itself (pip install .)"
    assert not any("[" in run for run in dockerfile_instructions("RUN")), "no test or dev extras in the image"


def package_roots() -> set[str]:
    """Top-level packages of the distribution, from [tool.setuptools] packages or packages.find include."""
    packages = PYPROJECT["tool"]["setuptools"]["packages"]
    names = packages["find"]["include"] if isinstance(packages, dict) else packages
    return {name.rstrip("*").split(".")[0] for name in names}


def test_the_image_gets_every_package_and_nothing_else():
    copied = {source for copy in dockerfile_instructions("COPY") for source in copy.split()[:-1]
              if not source.startswith("--")}
    needed = package_roots() | {"pyproject.toml", PYPROJECT["project"]["readme"]}
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "*", ".dockerignore is an allow-list: env files with passwords never enter the build context"
    allowed = {line[1:] for line in lines if line.startswith("!")}
    assert allowed == needed


def docker_context(tmp_path: Path) -> Path:
    """What `docker build .` sends: the .dockerignore allow-list, without caches."""
    context = tmp_path / "context"
    context.mkdir()
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        if line.startswith("!"):
            source = ROOT / line[1:]
            assert source.exists(), f"{line[1:]} is copied into the image but does not exist"
            if source.is_dir():
                shutil.copytree(source, context / line[1:], ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy(source, context)
    return context


def test_the_image_installs_every_source_file(tmp_path):
    """`pip install .` in the image builds a wheel from the build context: every module and data file of the
    packages must be in it (an editable install in development hides a package or a page left out)."""
    import zipfile
    context = docker_context(tmp_path)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
                             str(tmp_path / "wheel"), str(context)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    [wheel] = (tmp_path / "wheel").glob("creditnet-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    sources = {path.relative_to(context).as_posix() for root in package_roots()
               for path in (context / root).rglob("*") if path.is_file()}
    assert sources - shipped == set(), f"left out of the wheel: {sorted(sources - shipped)}"

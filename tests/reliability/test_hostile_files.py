"""Bad input: every hostile file of the corpus (tests/reliability/corpus.py) through `load_file` on every
store and through the CLI, generated cells (hypothesis) through the validators and the readers, and a
200 MB file through a real `creditnet load` process with its memory measured (slow).

What every case must get: a file that cannot be read loads nothing, changes nothing and raises
FileRejected with a message that starts with the file's path and says why (CLI: exit 2, `file_rejected`);
a readable file loads its valid rows, rejects the others with their row number, field and reason in the
rejects file, and the rejected rows leave no trace (loading the whole file after its valid part changes
nothing). Nothing ever crashes: the only exceptions are LoadError and FileRejected. The counts of cases
tried, handled as specified and crashed go to artifacts/reliability/bad_input.json (conftest.py).
"""
from __future__ import annotations

import csv
import json
import os
import re
import string
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from county import LICENSE_HEADERS, PENALTY_HEADERS, uscc, write_csv
from graph.errors import FileRejected
from graph.identifiers import USCC_ALPHABET, id_check_char, reg_no_check_digit, uscc_check_char
from graph.ingest import load_file
from graph.loaders import LoadError, ParsedRow, Reject, open_table
from graph.loaders.codes import id_type_class, parse_code, parse_id_number
from graph.loaders.fields import ID_TYPE_FIELD, FieldProblem, RowValidator, parse_amount, parse_date
from graph.model import KINDS
from reliability.corpus import CASES, REJECT, WARN, Case
from reliability.helpers import REPO, remembered, snapshot

runner = CliRunner()


def base_file(directory: Path) -> Path:
    """Something already in the store before each case, so that "unchanged" means more than "still empty"."""
    return write_csv(directory / "base-license.csv", LICENSE_HEADERS, [
        ["1", uscc(1), "西吉县基础数据有限公司", "西市监许〔2024〕1号", "食品经营许可证", "2024-01-01", "2029-01-01",
         "县市场监督管理局", "餐饮服务", "有效", ""]])


def guarded_load(tally, *args, **kwargs):
    """load_file, counting anything but FileRejected escaping it as a crash."""
    try:
        return load_file(*args, **kwargs)
    except FileRejected:
        raise
    except Exception:
        tally.crash()
        raise


def assert_refusal_message(message: str, path: Path, case: Case) -> None:
    assert message.startswith(f"{path}: "), f"the message must name the file first: {message!r}"
    reason = message[len(str(path)) + 2:]
    assert case.refused in reason, (case.refused, reason)
    assert reason.strip(), "the message must say why"


def rejects_rows(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def rejects_files(home: Path) -> set[Path]:
    return set((home / "rejects").glob("*")) if (home / "rejects").exists() else set()


# --- the hand-written corpus through load_file, on every store ----------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_through_load_file(case: Case, store, home, tmp_path, tally):
    tally.case("hand-written", case.id, store.name, "load_file")
    load_file(store, base_file(tmp_path), home=home)
    if case.file_refused:
        before, history, rejects = snapshot(store), store.load_history(), rejects_files(home)
        path = case.write(tmp_path / "in")
        with pytest.raises(FileRejected) as exc:
            guarded_load(tally, store, path, kind=case.kind, home=home)
        assert exc.value.code == "file_rejected" and exc.value.details == {"file": str(path)}
        assert_refusal_message(exc.value.message, path, case)
        assert snapshot(store) == before and store.load_history() == history and rejects_files(home) == rejects
        return

    # The rows that must load, alone first: afterwards the whole file must change nothing more.
    valid = load_file(store, case.write(tmp_path / "valid", valid_part=True), kind=case.kind, home=home)
    assert valid.rejected == 0
    before = snapshot(store)
    path = case.write(tmp_path / "in")
    report = guarded_load(tally, store, path, kind=case.kind, home=home)
    assert (report.rows, report.loaded, report.rejected) == case.counts
    # The rejected rows leave nothing but themselves: remembered under the codes they name (graph/unread.py), so that
    # a check reaching those parties says a row about them could not be read; the graph is as before.
    after, kept = snapshot(store), remembered(store, path.name)
    assert {k: v for k, v in after.items() if k != "data_version"} == \
        {k: v for k, v in before.items() if k != "data_version"}, "rejected rows left a trace in the graph"
    assert report.changed is bool(kept) and (after["data_version"] > before["data_version"]) is bool(kept)
    assert {e["row"] for e in kept} <= {r["row"] for r in report.reject_rows}

    expected = case.expected_rows()
    wanted_rejects = [(n, r) for n, r in expected if r.outcome == REJECT]
    if wanted_rejects:
        assert report.rejects_file and Path(report.rejects_file).parent == home / "rejects"
        assert path.stem in Path(report.rejects_file).name
        got = rejects_rows(report.rejects_file)
        assert [(int(g["行号"]), g["字段"]) for g in got] == [(n, r.field) for n, r in wanted_rejects]
        for g, (_, r) in zip(got, wanted_rejects):
            assert r.fragment in g["原因"], (r.fragment, g["原因"])
    else:
        assert report.rejects_file is None
    for n, r in expected:
        if r.outcome == WARN:
            assert any(str(w).startswith(f"第{n}行") and r.fragment in str(w) for w in report.warnings), (n, report.warnings)
    if case.verify:
        case.verify(store)


# --- the same corpus through the CLI: exit codes and JSON -------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_through_the_cli(case: Case, store, home, tmp_path, tally):
    tally.case("hand-written", case.id, store.name, "cli")
    before = snapshot(store)
    path = case.write(tmp_path / "in")
    result = runner.invoke(app, ["load", "--json", *(["--kind", case.kind] if case.kind else []), str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tally.crash()
        raise result.exception
    assert "Traceback" not in result.output
    out = json.loads(result.stdout)
    if case.file_refused:
        assert result.exit_code == 2, result.output
        assert out["file"] == str(path) and out["error"]["code"] == "file_rejected"
        assert_refusal_message(out["error"]["message"], path, case)
        assert snapshot(store) == before
        return
    assert result.exit_code == 0, result.output
    assert (out["rows"], out["loaded"], out["rejected"]) == case.counts
    assert (out["rejects_file"] is not None) == (case.counts[2] > 0)
    if case.verify:
        case.verify(store)


# --- generated cells (hypothesis) ----------------------------------------------------------------------------
SPACES = [" ", "\u3000", "\t", "\u200b", "\ufeff", "\xa0"]


def _decorate(data, code: str) -> str:
    """The code as a clerk might type or paste it: stray spaces anywhere, some characters full-width, some
    letters lower-case."""
    out = []
    for ch in code:
        if data.draw(st.booleans(), label="space before"):
            out.append(data.draw(st.sampled_from(SPACES)))
        style = data.draw(st.sampled_from(["as is", "full-width", "lower"]))
        out.append(chr(ord(ch) + 0xFEE0) if style == "full-width" else ch.lower() if style == "lower" else ch)
    out.append(data.draw(st.sampled_from(["", *SPACES])))
    return "".join(out)


uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)
digits = st.text(alphabet=string.digits, min_size=14, max_size=14)


@pytest.fixture(params=[pytest.param(1, id="fast"), pytest.param(10, id="x10", marks=pytest.mark.slow)])
def scale(request) -> int:
    """How many examples: the normal suite runs the fast count, the slow run ten times as many."""
    return request.param


def run_property(tally, name: str, property_test, examples: int) -> None:
    """Run a hypothesis property, counting the examples it tried (the tally needs them)."""
    tally.case("generated", f"{name} ({examples} examples asked)")
    seen = [0]

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def counted(data):
        seen[0] += 1
        property_test(data)

    try:
        counted()
    finally:
        tally.examples(seen[0])


def test_generated_codes_are_normalised(tally, scale):
    def prop(data):
        kind = data.draw(st.sampled_from(["uscc", "reg_no", "id_number"]))
        if kind == "uscc":
            body = data.draw(uscc_bodies)
            code = body + uscc_check_char(body)
            assert parse_code(_decorate(data, code)) == (code, "uscc", None)
        elif kind == "reg_no":
            body = data.draw(digits)
            code = body + reg_no_check_digit(body)
            assert parse_code(_decorate(data, code)) == (code, "reg_no", None)
            wrong = body + str((int(code[-1]) + data.draw(st.integers(1, 9))) % 10)
            number, kind_, warning = parse_code(_decorate(data, wrong))
            assert (number, kind_) == (wrong, "reg_no") and "注册号校验位" in warning
        else:
            born = data.draw(st.dates(date(1900, 1, 1), date(2020, 12, 31)))
            body = f"640422{born:%Y%m%d}{data.draw(st.integers(0, 999)):03d}"
            code = body + id_check_char(body)
            assert parse_id_number(_decorate(data, code), "居民身份证") == (code, "person", None)
    run_property(tally, "codes: spaces, full-width, lower case", prop, 150 * scale)


def test_generated_wrong_codes_are_rejected_with_a_reason(tally, scale):
    def prop(data):
        body = data.draw(uscc_bodies)
        code = body + uscc_check_char(body)
        how = data.draw(st.sampled_from(["check digit", "length", "letter"]))
        if how == "check digit":
            bad = code[:-1] + data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[-1]]))
        elif how == "length":
            cut = data.draw(st.integers(1, 17))
            bad = code[:cut] if not (cut == 15 and code[:15].isdigit()) else code[:16]
        else:
            i = data.draw(st.integers(0, 17))
            bad = code[:i] + data.draw(st.sampled_from("IOZSV")) + code[i + 1:]
        with pytest.raises(FieldProblem) as exc:
            parse_code(_decorate(data, bad))
        assert exc.value.reason
    run_property(tally, "codes: wrong check digit, length, letters", prop, 150 * scale)


def _date_forms(d: date) -> list[str]:
    serial = (d - date(1899, 12, 30)).days
    # A serial that reads as a year (1900–2100: days in 1905) or a YYYYMM (days in 2420–2475) is read as that year or
    # month, never as a serial (graph/loaders/dates.py): those days have no Excel form here.
    as_serial = [str(serial), f"{serial}.0"]
    if 1900 <= serial <= 2100 or (1900 <= serial // 100 <= 2100 and 1 <= serial % 100 <= 12):
        as_serial = []
    return [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}",
            f"{d.year}.{d.month}.{d.day}", f"{d.isoformat()} 00:00:00", f"{d.isoformat()}T08:30:00", *as_serial,
            f"{d.year}-{d.month}-{d.day}", unicodedata.normalize("NFKC", d.isoformat()).translate(
                {ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}), f"{d.year} 年 {d.month:02d} 月 {d.day:02d} 日"]


def test_generated_dates_in_every_form_excel_produces(tally, scale):
    def prop(data):
        d = data.draw(st.dates(date(1900, 3, 1), date(9999, 12, 31)))
        form = data.draw(st.sampled_from(_date_forms(d)))
        assert parse_date(form) == d.isoformat(), form
    run_property(tally, "dates: every Excel form", prop, 300 * scale)


def test_generated_impossible_dates_are_rejected(tally, scale):
    def prop(data):
        year = data.draw(st.integers(1000, 9999))
        month = data.draw(st.integers(1, 99))
        last = 31 if month > 12 else ((date(year + month // 12, month % 12 + 1, 1) if year < 9999 or month < 12
                                       else date(9999, 12, 31) + timedelta(days=1)) - timedelta(days=1)).day
        day = data.draw(st.integers(last + 1, 99)) if month <= 12 else data.draw(st.integers(1, 31))
        form = data.draw(st.sampled_from([f"{year}-{month}-{day}", f"{year}/{month}/{day}", f"{year}年{month}月{day}日",
                                          f"{year}{month:02d}{day:02d}"]))
        with pytest.raises(FieldProblem) as exc:
            parse_date(form)
        assert "impossible date" in exc.value.reason or "unrecognised date" in exc.value.reason
    run_property(tally, "dates: impossible", prop, 200 * scale)


def test_generated_amounts(tally, scale):
    def prop(data):
        yuan = data.draw(st.integers(0, 10**9))
        form = data.draw(st.sampled_from(["plain", "comma", "yuan", "wan"]))
        if form == "wan":
            wan = data.draw(st.integers(0, 10**6))
            text = data.draw(st.sampled_from([f"{wan:,}(万)", f"{wan}万元", f"{wan}(万元人民币)", f"{wan:,}.0000(万元)"]))
            assert parse_amount(text) == (float(wan * 10_000), None), text
        else:
            text = {"plain": str(yuan), "comma": f"{yuan:,}", "yuan": f"{yuan}元"}[form]
            assert parse_amount(text) == (float(yuan), None), text
    run_property(tally, "amounts: 5,000(万), 5000元", prop, 200 * scale)


def _row_invariants(kind: str, row: ParsedRow) -> None:
    """What a row that loads promises the store, whatever its cells were."""
    v = row.values
    for f in KINDS[kind].fields:
        value = v.get(f.name)
        if value is None:
            continue
        if f.type == "code":
            assert value.isascii() and value.isalnum() and len(value) in (15, 18), (f.name, value)
        elif f.type == "date":
            assert date.fromisoformat(value).isoformat() == value
        elif f.type == "amount":
            assert isinstance(value, float)
        elif f.type == "id_number" and v.get("member_kind") == "enterprise":
            assert value.isascii() and value.isalnum() and len(value) in (15, 18), (f.name, value)
        elif f.type == "id_number" and id_type_class(v.get(ID_TYPE_FIELD[f.name])) == "resident":
            assert re.fullmatch(r"[0-9]{17}[0-9X]", value), (f.name, value)
        elif f.type == "departments":
            assert value and all(isinstance(d, str) and d for d in value)
    if kind == "blacklist" and not v.get("code"):  # a listing of a natural person alone (失信被执行人)
        assert v.get("member_kind") == "person" and v.get("id_number"), v
    elif "code" in v or kind != "enterprise":
        assert v.get("code") and v.get("code_kind") in ("uscc", "reg_no")


junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["=1+1", '=HYPERLINK("http://x","y")', "N/A", "-", "无", "1e308", "NaN", "-0", "9.16E+17",
                     "１２３", "٣٤٥", "²", "0x1F", "'; DROP TABLE record; --", "../../etc/passwd", "\x00", "\ufeff"]),
    st.text(alphabet=USCC_ALPHABET + " 　ｘｙ", min_size=14, max_size=20),
    st.text(alphabet="0123456789年月日-/. ", min_size=1, max_size=12),
    # Digits of other scripts: str.isdigit() and int() accept them, so they probe every "is it a number" test.
    st.sampled_from([15, 18]).flatmap(lambda n: st.text(alphabet=st.characters(categories=["Nd"]), min_size=n,
                                                        max_size=n)),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=17, max_size=17).map(lambda t: t + "X"),
)


PLAUSIBLE = {"text": "某某", "code": uscc(7), "date": "2025-07-08", "amount": "5000元", "id_number": "11010519491231002X",
             "departments": "县财政局、县发改局", "role": "股东"}


def test_generated_junk_in_every_field_never_crashes(tally, scale):
    """Random strings in every column of every kind: the validator answers ParsedRow or Reject, and a row it
    accepts keeps the promises the store relies on (ASCII codes, ISO dates, numeric amounts)."""
    validators = {kind: RowValidator(kind, [f.header for f in k.fields], {f.header: f.name for f in k.fields})
                  for kind, k in KINDS.items()}

    def prop(data):
        kind = data.draw(st.sampled_from(sorted(KINDS)))
        # Each cell junk or a plausible value, so that junk in one field is often the only problem of its row
        # (a row with junk everywhere is rejected for its first field and tests nothing else).
        cells = [data.draw(st.one_of(junk, st.just(PLAUSIBLE[f.type]))) for f in KINDS[kind].fields]
        cells += data.draw(st.lists(junk, max_size=2))
        try:
            row = validators[kind].validate(2, cells)
        except Exception:
            tally.crash()
            raise
        assert isinstance(row, (ParsedRow, Reject))
        if isinstance(row, ParsedRow):
            _row_invariants(kind, row)
        else:
            assert row.reason and row.row_number == 2
    run_property(tally, "junk cells in every field of every kind", prop, 600 * scale)


def _valid_csv_bytes() -> bytes:
    rows = [PENALTY_HEADERS] + [[str(i), uscc(i), "甲公司", "县市场监督管理局", f"罚{i}", "2025-07-08", "x", "5000元", "",
                                 "罚款", ""] for i in range(1, 6)]
    return "\r\n".join(",".join(r) for r in rows).encode("utf-8")


def _valid_xlsx_bytes() -> bytes:
    from reliability.corpus import _xlsx_bytes, penalty
    return _xlsx_bytes([PENALTY_HEADERS] + [penalty(i) for i in range(1, 6)])


def _read_all(data: bytes, suffix: str) -> None:
    """Open and read a file made of these bytes: LoadError, or rows that are each ParsedRow or Reject."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            for row in open_table(path).rows():
                assert isinstance(row, (ParsedRow, Reject))
        except LoadError as exc:
            assert exc.reason


def test_generated_damaged_files_never_crash(tally, scale):
    """Valid CSV and XLSX files with bytes overwritten, inserted or cut, and plain random bytes: every one is
    read or refused with LoadError, never anything else."""
    csv_bytes, xlsx_bytes = _valid_csv_bytes(), _valid_xlsx_bytes()

    def prop(data):
        source = data.draw(st.sampled_from(["csv", "xlsx", "random"]))
        if source == "random":
            blob = data.draw(st.binary(max_size=2000))
        else:
            blob = bytearray(csv_bytes if source == "csv" else xlsx_bytes)
            for _ in range(data.draw(st.integers(1, 8))):
                if not blob:
                    break
                at = data.draw(st.integers(0, len(blob) - 1))
                how = data.draw(st.sampled_from(["overwrite", "insert", "cut", "truncate"]))
                chunk = data.draw(st.binary(min_size=1, max_size=16))
                if how == "overwrite":
                    blob[at:at + len(chunk)] = chunk
                elif how == "insert":
                    blob[at:at] = chunk
                elif how == "cut":
                    del blob[at:at + len(chunk)]
                elif at > 0:
                    del blob[at:]
            blob = bytes(blob)
        try:
            _read_all(blob, data.draw(st.sampled_from([".csv", ".xlsx"])))
        except AssertionError:
            raise
        except Exception:
            tally.crash()
            raise
    run_property(tally, "damaged and random files", prop, 250 * scale)


# --- a 200 MB file: streamed, memory bounded --------------------------------------------------------------
BIG_BYTES = int(os.environ.get("CREDITNET_BIG_FILE_MB", "200")) * 1024 * 1024
MEMORY_LIMIT_MB = 400


def write_big_penalty_file(path: Path, size: int) -> int:
    """Valid penalty rows until the file reaches `size` bytes, written a block at a time (never held whole).
    200,000 distinct enterprises, as in a province's yearly file."""
    codes = [uscc(i) for i in range(1, 200_001)]
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(PENALTY_HEADERS) + "\r\n")
        written = 0
        while written < size:
            block = []
            for _ in range(10_000):
                rows += 1
                block.append(f"{rows},{codes[rows % len(codes)]},西吉县第{rows % len(codes)}号商贸有限公司,县市场监督管理局,"
                             f"西市监罚〔2025〕{rows}号,2025-07-08,无照经营,\"5,000元\",,罚款,经营场所未公示营业执照\r\n")
            text = "".join(block)
            fh.write(text)
            written += len(text.encode("utf-8"))
    return rows


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the reader child of a large load), in KB."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["dry-run", "load"])
def test_a_200_mb_file_streams_in_bounded_memory(mode, tmp_path, tally):
    import subprocess
    tally.case("large-file", f"200 MB CSV, {mode}, embedded store")
    path = tmp_path / "province-penalties.csv"
    rows = write_big_penalty_file(path, BIG_BYTES)
    home = tmp_path / "home"
    # The bound is on streaming (a file is never held whole); SQLite's page cache during a load has a bound of its
    # own, CREDITNET_LOAD_CACHE_MB (default 1024), pinned here to the 64 MB it was when this bound was set.
    env = {**os.environ, "CREDITNET_HOME": str(home), "CREDITNET_BACKEND": "embedded", "CREDITNET_LOAD_CACHE_MB": "64"}
    # A wrapper process of our own, so that RUSAGE_CHILDREN counts only the load (and its reader child).
    wrapper = ("import resource, subprocess, sys, json; "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr[-2000:], 'maxrss_kb': r.ru_maxrss}))")
    args = [sys.executable, "-c", wrapper, sys.executable, "-m", "cli.main", "load", "--json", "-q",
            *(["--dry-run"] if mode == "dry-run" else []), str(path)]
    started = time.monotonic()
    proc = subprocess.Popen(args, env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
    peak_tree = [0]

    def sample():
        while proc.poll() is None:
            peak_tree[0] = max(peak_tree[0], _tree_rss_kb(proc.pid))
            time.sleep(0.05)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate(timeout=1800)
    sampler.join()
    seconds = time.monotonic() - started
    result = json.loads(out)
    assert result["rc"] == 0, result["err"]
    report = json.loads(result["out"])
    assert (report["rows"], report["loaded"], report["rejected"]) == (rows, rows, 0)
    peak_process_mb, peak_tree_mb = result["maxrss_kb"] / 1024, peak_tree[0] / 1024
    tally.entry.update(bytes=path.stat().st_size, rows=rows, seconds=round(seconds, 1),
                       peak_process_rss_mb=round(peak_process_mb), peak_tree_rss_mb=round(peak_tree_mb))
    print(f"\n{mode}: {path.stat().st_size / 2**20:.0f} MB, {rows} rows in {seconds:.0f} s; peak RSS "
          f"{peak_process_mb:.0f} MB per process, {peak_tree_mb:.0f} MB for the process tree")
    # The reader child is forked from the writer, so the tree's sum counts their shared pages twice: an upper bound.
    assert peak_process_mb < MEMORY_LIMIT_MB and peak_tree_mb < MEMORY_LIMIT_MB

"""A seeded synthetic county: the registry and the six record classes, in the files departments send.

Used by `creditnet demo`, by tests and by benchmarks (1,000 to 1,000,000 enterprises). The same
(enterprises, seed, reference_date, formats) give byte-identical files, so a benchmark or a failing test
can be reproduced from its manifest alone.

How it stays fast and small at a million enterprises:
- identities (codes, names, ID numbers) are pure functions of an index, so a record or a corporate
  shareholder can name any enterprise or person without the county being held in memory;
- relations and records come from one random stream consumed in a fixed order, and every file is
  written row by row;
- the scenarios of `graph.synthetic_scenarios` are planted first, on enterprises and persons that the
  background never draws, so their expected verdicts are exact.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from graph import synthetic_scenarios
from graph.model import KINDS
from graph.synthetic_county import County
from graph.synthetic_identities import (ALL_KINDS, BAD_ROWS_UP_TO, COLUMNS, DENSE_GROUP_SHARE, FILE_FORMATS,
                                        HALF_WIDTH_CODE_KIND, MIN_ENTERPRISES, SHAPES)

# --- files -----------------------------------------------------------------------------------------------
def headers(kind: str) -> list[str]:
    """The header row of a kind's file: 序号 and the seed's Chinese headers from model.KINDS."""
    out = ["序号"] + [KINDS[kind].field(name).header for name in COLUMNS[kind]]
    if kind == HALF_WIDTH_CODE_KIND:
        out[1] = out[1].replace("（", "(").replace("）", ")")
    return out


class _CsvSink:
    def __init__(self, path: Path, kind: str, encoding: str):
        self.path, self.rows = path, 0
        self._fh = open(path, "w", encoding=encoding, newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(headers(kind))

    def write(self, row: list) -> None:
        self.rows += 1
        self._writer.writerow([self.rows, *row])  # csv writes a date as ISO and None as ""

    def close(self) -> None:
        self._fh.close()


class _XlsxSink:
    """Write-only openpyxl sheet. Penalties carry real date cells, as Excel users type them."""

    def __init__(self, path: Path, kind: str, stamp: datetime):
        from openpyxl import Workbook
        self.path, self.rows, self._stamp = path, 0, stamp
        self._dates = kind == "penalty"
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(KINDS[kind].label)
        self._sheet.append(headers(kind))

    def write(self, row: list) -> None:
        self.rows += 1
        if not self._dates:
            row = [v.isoformat() if isinstance(v, date) else v for v in row]
        self._sheet.append([self.rows, *row])

    def close(self) -> None:
        self._book.save(self.path)
        _pin_zip(self.path, self._stamp)


def _pin_zip(path: Path, stamp: datetime) -> None:
    """Rewrite an XLSX with fixed timestamps: openpyxl stamps the zip entries and docProps with 'now'."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    tmp = path.with_suffix(".tmp")
    with ZipFile(path) as src, ZipFile(tmp, "w", ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = ZipInfo(item.filename, date_time=stamp.timetuple()[:6])
            info.compress_type, info.external_attr = ZIP_DEFLATED, 0o600 << 16
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, src.read(item))
                dst.writestr(info, data)
                continue
            with src.open(item) as r, dst.open(info, "w") as w:
                shutil.copyfileobj(r, w, 1 << 20)
    os.replace(tmp, path)


class _Files:
    """One streaming writer per kind, closed together."""

    def __init__(self, directory: Path, formats: str, stamp: datetime):
        self.sinks: dict[str, _CsvSink | _XlsxSink] = {}
        for kind in ALL_KINDS:
            container, encoding = FILE_FORMATS[formats].get(kind, ("csv", "utf-8"))
            if container == "xlsx":
                self.sinks[kind] = _XlsxSink(directory / f"{kind}.xlsx", kind, stamp)
            else:
                self.sinks[kind] = _CsvSink(directory / f"{kind}.csv", kind, encoding or "utf-8")

    def write(self, kind: str, row: list) -> None:
        self.sinks[kind].write(row)

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.close()


# --- manifest --------------------------------------------------------------------------------------------
@dataclass
class Manifest:
    directory: Path
    files: dict[str, list[Path]]   # kind -> files written
    rows: dict[str, int]           # kind -> data rows written (deliberately bad rows included)
    reference_date: str            # ISO date the validity periods are relative to
    scenarios: dict[str, dict]     # named example subjects with their expected verdicts
    rows_bad: dict[str, int] = field(default_factory=dict)  # kind -> deliberately bad rows among them
    seed: int = 7
    enterprises: int = 0
    formats: str = "mixed"
    groups: float = 0.0            # share of companies in enterprise groups (GROUP_SIZES); 0: none
    shape: str = "default"         # "dense": nominees, large groups, cross-holdings (synthetic_identities.SHAPES)

    def to_json(self) -> str:
        """JSON with file names relative to the directory, so the manifest is as reproducible as the data."""
        files = {kind: [_relative(p, self.directory) for p in paths] for kind, paths in self.files.items()}
        shape: dict = {"groups": self.groups} if self.groups else {}   # absent when 0: older manifests read the same
        if self.shape != "default":
            shape["shape"] = self.shape
        return json.dumps({"reference_date": self.reference_date, "seed": self.seed, "enterprises": self.enterprises,
                           "formats": self.formats, **shape, "files": files, "rows": self.rows,
                           "rows_bad": self.rows_bad, "scenarios": self.scenarios}, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, directory: Path | str | None = None) -> Manifest:
        data = json.loads(text)
        base = Path(directory if directory is not None else data.get("directory", "."))
        return cls(directory=base, files={k: [base / p for p in v] for k, v in data["files"].items()},
                   rows=data["rows"], reference_date=data["reference_date"], scenarios=data["scenarios"],
                   rows_bad=data.get("rows_bad", {}), seed=data.get("seed", 7),
                   enterprises=data.get("enterprises", 0), formats=data.get("formats", "mixed"),
                   groups=data.get("groups", 0.0), shape=data.get("shape", "default"))

    @classmethod
    def load(cls, directory: Path | str) -> Manifest:
        return cls.from_json((Path(directory) / "manifest.json").read_text(encoding="utf-8"), directory)


def _relative(path: Path, directory: Path) -> str:
    try:
        return Path(path).relative_to(directory).as_posix()
    except ValueError:
        return str(path)


def generate(directory: Path | str, enterprises: int = 1000, seed: int = 7, reference_date: date | None = None,
             formats: str = "mixed", bad_rows: bool | None = None, groups: float = 0.0,
             shape: str = "default") -> Manifest:
    """Write a synthetic county into `directory` and return (and save as manifest.json) its manifest.

    `enterprises` counts every enterprise, scenario subjects included. Deliberately bad rows (about 0.5%
    of records) are sprinkled when `bad_rows` is true, by default up to 100,000 enterprises. `groups` is the
    share of background companies in enterprise groups (GROUP_SIZES); at 0, the default, the county is exactly
    what it was before groups existed. `shape` "dense" is the county shaped like real registries' worst parts
    (synthetic_identities.SHAPES: nominees in 100–500 enterprises, groups of up to 300, cross-holdings), with its
    own share of companies in groups; "default" draws none of it.
    """
    if formats not in FILE_FORMATS:
        raise ValueError(f"formats must be one of {sorted(FILE_FORMATS)}, got {formats!r}")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {list(SHAPES)}, got {shape!r}")
    if shape == "dense":
        if groups:
            raise ValueError("the dense shape has its own share of companies in groups: leave groups at 0")
        groups = DENSE_GROUP_SHARE
    if not 0.0 <= groups <= 1.0:
        raise ValueError(f"groups is a share between 0 and 1, got {groups!r}")
    if enterprises < MIN_ENTERPRISES:
        raise ValueError(f"a synthetic county needs at least {MIN_ENTERPRISES} enterprises, got {enterprises}")
    ref = reference_date or date.today()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = _Files(directory, formats, datetime.combine(ref, time()))
    county = County(files, enterprises, seed, ref, enterprises <= BAD_ROWS_UP_TO if bad_rows is None else bad_rows,
                     groups, dense=shape == "dense")
    try:
        scenarios = synthetic_scenarios.plant(county)
        county.background()
    finally:
        files.close()
    manifest = Manifest(
        directory=directory, files={k: [s.path] for k, s in files.sinks.items()},
        rows={k: s.rows for k, s in files.sinks.items()}, reference_date=ref.isoformat(), scenarios=scenarios,
        rows_bad={k: county.bad.get(k, 0) for k in ALL_KINDS}, seed=seed, enterprises=enterprises, formats=formats,
        groups=0.0 if shape == "dense" else groups, shape=shape)
    (directory / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    return manifest

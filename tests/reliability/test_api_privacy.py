"""Personal data through the API: a real `creditnet serve` answers a session of requests — every endpoint, as
every kind of caller, with ID numbers in paths, queries, bodies and uploaded cells, and many requests that
fail — and then:

- no public answer (public endpoints, pages, the OpenAPI document) and no error answer on any path holds an
  unmasked ID number (DOMAIN.md: in public output an ID number keeps its region and last four only);
- no line the server logged (stdout, stderr, any log file under its home), at the default level and at
  uvicorn's most verbose one (`trace`, which logs every ASGI message), holds an unmasked ID number, an API key's
  secret or an Authorization header's credentials;
- no answer echoes an API key.
Two checks judge every answer and log: tests/id_number_detector.py, which shares nothing with the masking (it
reads 18-character windows with a valid birth date and check digit, and first-generation 15-digit numbers after
a personal word), and api.masking.find_id_numbers, the masking's own reading. The session writes ID numbers the
ways that once escaped the masking: after letters, split by `/`, with a lower-case x, in full width after
letters, and 15-digit first-generation numbers after 身份证号 or in a person's path.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote, quote_plus

import pytest

from api_fixtures import Keys, auth, blacklist_csv, listing_row
from county import AS_OF, E, FIRST_GENERATION, NAMES, P, X_PERSON, full_width, grouped, id_number, written_in_free_text
from id_number_detector import id_numbers_in

from api.masking import find_id_numbers, mask_secrets
from graph.identifiers import mask_id_number
from reliability.helpers import write_json_artifact
from reliability.live_api import LiveServer
from reliability.test_api_access import CASES, Context, expect, headers_for

UNKNOWN_PERSON = id_number(77, "19750505")   # valid, in no file
FREE_TEXT_PERSON = P["CLEAN"]                 # typed into a listing's 法律描述 below
WRITTEN = written_in_free_text()                # and these, each in a listing of its own


def unmasked(value) -> list[str]:
    """Full ID numbers in an answer or a log, as either check reads them."""
    return id_numbers_in(value) + find_id_numbers(value)


PUBLIC_PREFIXES = ("/api/v1/public", "/openapi.json", "/docs", "/redoc", "/static", "/public")


def _session(server: LiveServer, keys: Keys) -> list:
    """Every request the test makes; returns the responses."""
    c, out = server.client, []
    h = auth(keys.fdrc)
    # A listing whose free text carries a full ID number, and a person named on it.
    row = {**listing_row(E["CLEAR"], NAMES["CLEAR"], sender="县发改局"), "法律描述": f"法定代表人身份证号{FREE_TEXT_PERSON}",
           "人员类别": "法定代表人", "姓名": "赵六", "证件类型": "居民身份证", "证件号码": FREE_TEXT_PERSON}
    out.append(c.post("/api/v1/records/blacklist", json=[row], headers=h))
    out.append(c.post("/api/v1/records/blacklist", headers=h, json=[
        {**listing_row(E["CLEAR"], NAMES["CLEAR"], sender="县发改局", start=f"2026-02-{i:02d}"), "法律描述": text}
        for i, (text, _) in enumerate(WRITTEN.values(), 1)]))
    out.append(c.get(f"/api/v1/public/enterprises/{E['CLEAR']}"))
    first = c.post("/api/v1/checks", json={"key": E["LISTED"], "as_of": AS_OF}, headers=h).json()
    context = Context(check_id=first["check_id"], client=c, keys=keys)
    # The access table, as every caller.
    for method, _, call in CASES:
        path = call.path(context) if callable(call.path) else call.path
        kwargs = call.kwargs(context) if callable(call.kwargs) else call.kwargs
        for role in expect(call.who):
            out.append(c.request(method, path, headers=headers_for(role, keys), **kwargs))
    # ID numbers where a caller may put them, most of these failing.
    # The loaders and the API accept an ID number typed in full-width digits or grouped by spaces, so such a
    # number reaches paths, queries and log lines too (percent-encoded in a request line).
    people = [P["RESTRICTED"], P["HEAD"], UNKNOWN_PERSON, UNKNOWN_PERSON.lower(), FREE_TEXT_PERSON,
              full_width(P["RESTRICTED"]), grouped(P["HEAD"], " "), grouped(UNKNOWN_PERSON, "-"),
              f"No{UNKNOWN_PERSON}", grouped(UNKNOWN_PERSON, "/"), X_PERSON.lower(), f"ＩＤ{full_width(P['HEAD'])}",
              FIRST_GENERATION, f"身份证号{FIRST_GENERATION}", f"身份证号No{UNKNOWN_PERSON}"]
    for person in people:
        for headers in ({}, h):
            out += [c.get(f"/api/v1/persons/{person}", headers=headers),
                    c.get(f"/api/v1/enterprises/{person}", headers=headers),
                    c.get(f"/api/v1/public/enterprises/{person}"),
                    c.get("/api/v1/public/search", params={"q": person}),
                    c.get("/api/v1/relations", params={"a": person, "b": E["LISTED"]}, headers=headers),
                    c.post("/api/v1/checks", json={"key": person, "as_of": AS_OF}, headers=headers),
                    c.post("/api/v1/checks", json={"key": person, "depth": 99}, headers=headers),
                    c.post("/api/v1/checks", json={"key": person, "colour": person}, headers=headers),
                    c.post("/api/v1/checks", json={"name": "新公司", "persons": [{"id_number": person + "0"}]},
                           headers=headers),
                    c.post("/api/v1/checks/batch", json={"subjects": [{"key": person}, {"name": person}]},
                           headers=headers),
                    c.get(f"/api/v1/checks/{person}", headers=headers),
                    c.get(f"/api/v1/nowhere/{person}", headers=headers),
                    c.delete(f"/api/v1/persons/{person}", headers=headers),
                    c.get("/api/v1/audit", params={"since": person, "department": person}, headers=auth(keys.admin)),
                    c.get(f"/api/v1/departments/{person}/restrictions", headers=headers),
                    c.get("/api/v1/render/neighbourhood", params={"key": person}, headers=headers),
                    c.post("/api/v1/records/blacklist", content=f'[{{"证件号码": "{person}"'.encode(),
                           headers={**headers, "Content-Type": "application/json"}),
                    c.post("/api/v1/records/blacklist", json=[{**listing_row(E["CLEAR"], NAMES["CLEAR"]),
                                                              "证件号码": person[:-1] + "0", "姓名": "某"}],
                           headers=headers),
                    c.post("/api/v1/records/blacklist", files={"file": (f"{person}.csv", b"\x89PNG\r\n\x1a\n" + bytes(99))},
                           headers=headers)]
    # A rejected row echoing a bad ID number, uploaded as a file by a department.
    bad = {**listing_row(E["CLEAR"], NAMES["CLEAR"], sender="县发改局"), "证件号码": P["HEAD"][:-1] + "0",
           "姓名": "某", "证件类型": "居民身份证"}
    out.append(c.post("/api/v1/records/blacklist", files={"file": ("bad.csv", blacklist_csv([bad]))}, headers=h))
    # Keys where they do not belong: in a query string, a path, a body.
    out += [c.get("/api/v1/public/search", params={"q": keys.fdrc}),
            c.get(f"/api/v1/checks/{keys.admin}", headers=h),
            c.get("/api/v1/health", params={"api_key": keys.admin}),
            c.post("/api/v1/checks", json={"key": keys.finance}, headers=h),
            c.get("/api/v1/audit", headers={"Authorization": f"Bearer {keys.fdrc}x"})]
    return out


# trace logs all that info logs (the access log) and every ASGI message besides; info, the default, runs too in
# the slow run.
@pytest.mark.writes
@pytest.mark.parametrize("log_level", ["trace", pytest.param("info", marks=pytest.mark.slow)])
def test_no_id_number_or_key_in_answers_or_logs(county, keys, home, tmp_path, log_level):
    with LiveServer(tmp_path / "logs", log_level=log_level) as server:
        responses = _session(server, keys)
    assert len(responses) > 400
    statuses = {r.status_code for r in responses}
    assert 500 not in statuses and {200, 401, 403, 404, 405, 422} <= statuses, statuses

    secrets = [keys.fdrc, keys.finance, keys.admin, keys.revoked] + [k.split("_", 2)[2] for k in
                                                                      (keys.fdrc, keys.finance, keys.admin, keys.revoked)]
    leaks = []
    for r in responses:
        path = r.request.url.path
        public = path == "/" or path.startswith(PUBLIC_PREFIXES)
        if public or r.status_code >= 400:
            found = unmasked(r.text)
            if found:
                leaks.append((r.request.method, str(r.request.url), r.status_code, found))
        assert not any(s in r.text for s in secrets), (str(r.request.url), "an answer echoes an API key")
    assert not leaks, leaks

    logs = server.log_text() + "".join(p.read_text(errors="replace") for p in home.rglob("*.log"))
    write_json_artifact(f"api_privacy_{county.name}_{log_level}.json", {
        "requests": len(responses), "statuses": {str(s): sum(r.status_code == s for r in responses) for s in sorted(statuses)},
        "log_lines": len(logs.splitlines()), "log_bytes": len(logs.encode()), "leaks_in_answers": len(leaks),
        "id_numbers_in_logs": len(unmasked(logs)), "keys_in_logs": sum(s in logs for s in secrets)})
    assert unmasked(logs) == [], [line for line in logs.splitlines() if unmasked(line)][:5]
    for secret in secrets:
        assert secret not in logs, f"an API key in the log: {secret[:8]}…"
    assert not re.search(r"(?i)bearer\s+cn_", logs)
    # The logs are not silent: requests for these people were logged, masked.
    assert mask_id_number(UNKNOWN_PERSON) in logs and "GET /api/v1/persons/" in logs
    assert f"GET /api/v1/persons/{mask_id_number(FIRST_GENERATION)} " in logs
    # The listings whose free text held ID numbers are public, masked.
    public = [r for r in responses if r.request.url.path == f"/api/v1/public/enterprises/{E['CLEAR']}"]
    assert public and all(masked in public[-1].text for _, masked in WRITTEN.values()), public[-1].text[:500]


@pytest.mark.slow
def test_every_worker_masks_its_log(county, keys, tmp_path):
    """`creditnet serve --workers 2`: each worker process builds the app, so each masks its own log."""
    with LiveServer(tmp_path / "logs", log_level="info", workers=2) as server:
        for person in (P["RESTRICTED"], UNKNOWN_PERSON) * 10:
            server.client.get(f"/api/v1/persons/{person}", headers=auth(keys.fdrc))
            server.client.get("/api/v1/public/search", params={"q": person})
        logs = server.log_text()
    assert logs.count(mask_id_number(UNKNOWN_PERSON)) >= 20 and unmasked(logs) == []
    assert keys.fdrc.split("_", 2)[2] not in logs


def test_the_openapi_document_and_pages_carry_no_id_number(county, keys, tmp_path):
    with LiveServer(tmp_path / "logs", log_level="warning") as server:
        spec = server.client.get("/openapi.json")
        pages = [server.client.get(p) for p in ("/", "/public", "/public/enterprise", "/check", "/docs", "/redoc")]
    assert spec.status_code == 200 and unmasked(spec.json()) == [] and unmasked(spec.text) == []
    for page in pages:
        assert page.status_code == 200 and unmasked(page.text) == [], page.request.url


def test_mask_secrets():
    key = "cn_0123456789ab_" + "S3cr3t-_" * 5
    text = (f"GET /api/v1/persons/{P['RESTRICTED']}?x={P['HEAD'].lower()}&k={key} Authorization: Bearer {key} "
            f"{{'authorization': 'Basic dXNlcjpwYXNz'}} {E['LISTED']}")
    masked = mask_secrets(text)
    assert unmasked(masked) == [] and mask_id_number(P["RESTRICTED"]) in masked
    assert "S3cr3t" not in masked and "cn_0123456789ab_***" in masked and "dXNlcjpwYXNz" not in masked
    assert E["LISTED"] in masked  # enterprise codes are not personal
    assert json.loads(json.dumps(mask_secrets("plain text 12345"))) == "plain text 12345"


def test_mask_secrets_reads_id_numbers_as_people_write_them():
    restricted = P["RESTRICTED"]
    shapes = [(restricted, written) for written in (
        full_width(restricted), grouped(restricted, " "), grouped(restricted, "-"), grouped(restricted, "\u3000"),
        full_width(grouped(restricted, "-")), f"No{restricted}", grouped(restricted, "/"), f"ＮＯ{full_width(restricted)}",
        f"ID {grouped(restricted, ' ')}", restricted + "7")]
    shapes += [(X_PERSON, f"ID{X_PERSON.lower()}"), (FIRST_GENERATION, f"身份证号{FIRST_GENERATION}"),
               (FIRST_GENERATION, f"身份证号No{FIRST_GENERATION}")]
    for code, written in shapes:
        masked = mask_id_number(code)
        for line in (f"备注：{written}。", f"GET /api/v1/persons/{quote(written)} HTTP/1.1",
                     f"GET /api/v1/public/search?q={quote_plus(written)} HTTP/1.1"):
            assert id_numbers_in(line) and find_id_numbers(line), line  # both checks see it ...
            out = mask_secrets(line)
            assert masked in out and unmasked(out) == [], (line, out)  # ... and the masking hides it
    # Not ID numbers: a wrong check digit, grouped or not; a phone number; other encoded text; a registration
    # number (15 digits, its check digit right) with no personal word before it.
    wrong = P["RESTRICTED"][:-1] + ("1" if P["RESTRICTED"][-1] != "1" else "2")
    for text in (grouped(wrong, " "), full_width(wrong), "电话 0951 1234 5678 9012 3456",
                 "/a/%E5%BC%A0%E4%B8%89?x=%FF%FE 200", "2025-07-08 12:30:00", f"注册号{FIRST_GENERATION}",
                 f"GET /api/v1/public/enterprises/{FIRST_GENERATION} HTTP/1.1"):
        assert unmasked(text) == [] and mask_secrets(text) == text, text

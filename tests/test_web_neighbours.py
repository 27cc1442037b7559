"""GET /api/v1/render/neighbours: the parties one hop from one node of a neighbourhood picture, as the page adds them
when an official expands a node. On every store (`web_client` is over the county on each): persons masked as in
the pictures, asked about by what the picture shows, bounded, and bad input answered with 4xx."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from api_fixtures import auth
from county import AS_OF, E, NAMES, P, PERSON_NAMES
from web_fixtures import unmasked_id_numbers

from graph.identifiers import mask_id_number

URL = "/api/v1/render/neighbours"


def ask(client, account, **params):
    return client.get(URL, params={"as_of": AS_OF, **params}, headers=auth(account))


def test_an_enterprises_neighbours_name_persons_masked(web_client, keys):
    r = ask(web_client, keys.fdrc, key=E["TWO_HOPS"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["party"] == {"id": f"enterprise:{E['TWO_HOPS']}", "kind": "enterprise", "key": E["TWO_HOPS"],
                             "masked": None, "name": NAMES["TWO_HOPS"], "restricted": False}
    shared = next(n for n in body["neighbours"] if n["name"] == PERSON_NAMES["SHARED"])
    assert shared == {"id": f"person:{mask_id_number(P['SHARED'])}:{PERSON_NAMES['SHARED']}", "kind": "person",
                      "key": None, "masked": mask_id_number(P["SHARED"]), "name": PERSON_NAMES["SHARED"],
                      "roles": ["股东"], "member": True, "restricted": False}
    assert body["truncated"] is False and body["limit"] == 30
    assert unmasked_id_numbers(r.text) == [] and P["SHARED"] not in r.text


def test_a_person_is_expanded_as_the_picture_shows_them(web_client, keys):
    """By an enterprise they are tied to, their masked number and name: their enterprises, a restricted one marked."""
    r = ask(web_client, keys.fdrc, via=E["TWO_HOPS"], person=mask_id_number(P["SHARED"]), name=PERSON_NAMES["SHARED"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["party"]["id"] == f"person:{mask_id_number(P['SHARED'])}:{PERSON_NAMES['SHARED']}"
    assert body["party"]["key"] is None
    found = {n["key"]: n for n in body["neighbours"]}
    assert set(found) == {E["TWO_HOPS"], E["LISTED"]}
    assert found[E["LISTED"]]["restricted"] and not found[E["TWO_HOPS"]]["restricted"]
    assert found[E["LISTED"]]["member"] is False and found[E["LISTED"]]["roles"] == ["股东"]
    # the same person by a full ID number answers the same
    again = ask(web_client, keys.fdrc, key=P["SHARED"]).json()
    assert again["neighbours"] == body["neighbours"]
    # someone the enterprise does not have: told to open the picture again
    gone = ask(web_client, keys.fdrc, via=E["TWO_HOPS"], person=mask_id_number(P["HEAD"]), name=PERSON_NAMES["HEAD"])
    assert gone.status_code == 404 and "重新打开关系网络图" in gone.json()["error"]["message"]


def test_one_expansion_is_bounded_and_says_so(web_client, keys):
    whole = ask(web_client, keys.fdrc, key=E["LISTED"]).json()
    assert len(whole["neighbours"]) >= 2 and not whole["truncated"] and whole["notes"] == []
    cut = ask(web_client, keys.fdrc, key=E["LISTED"], limit=1).json()
    assert len(cut["neighbours"]) == 1 and cut["truncated"] and cut["limit"] == 1
    assert cut["neighbours"][0] == whole["neighbours"][0]
    assert cut["notes"] == ["关联主体较多，这次展开了第 1–1 个，其余未画出；可再次展开画出后面的，或打开企业画像查看全部"]
    assert cut["offset"] == 0 and cut["total"] == whole["total"] == len(whole["neighbours"])


def test_a_party_is_expanded_again_for_the_next_neighbours(web_client, keys):
    """`offset` pages on in code order: every neighbour is reached, each once, and `total` counts them all."""
    whole = ask(web_client, keys.fdrc, key=E["LISTED"]).json()
    pages, offset = [], 0
    while True:
        page = ask(web_client, keys.fdrc, key=E["LISTED"], limit=1, offset=offset).json()
        assert page["offset"] == offset and page["total"] == whole["total"]
        pages += page["neighbours"]
        offset += len(page["neighbours"])
        if not page["truncated"]:
            break
        assert offset < whole["total"]
    assert pages == whole["neighbours"]
    last = ask(web_client, keys.fdrc, key=E["LISTED"], limit=1, offset=whole["total"] - 1).json()
    assert not last["truncated"] and last["notes"] == [] and last["neighbours"] == whole["neighbours"][-1:]
    past = ask(web_client, keys.fdrc, key=E["LISTED"], offset=whole["total"]).json()
    assert past["neighbours"] == [] and not past["truncated"] and past["total"] == whole["total"]


def test_bad_requests_are_4xx(web_client, keys):
    assert web_client.get(URL, params={"key": E["LISTED"]}).status_code == 401
    for bad in ({}, {"key": E["LISTED"], "via": E["TWO_HOPS"]}, {"via": E["TWO_HOPS"]},
                {"via": E["TWO_HOPS"], "person": mask_id_number(P["SHARED"])}, {"key": E["LISTED"], "limit": 0},
                {"key": E["LISTED"], "limit": 31},
                {"key": E["LISTED"], "offset": -1}, {"key": E["LISTED"], "offset": 10_001},
                {"key": E["LISTED"], "offset": "x"}, {"key": "911000001000044477"}, {"key": "x" * 65},
                {"key": E["LISTED"], "as_of": "2026-13-01"}):
        r = web_client.get(URL, params=bad, headers=auth(keys.fdrc))
        assert r.status_code == 422, (bad, r.text)


def test_the_pictures_nodes_carry_the_same_names_and_no_id_number(web_client, keys):
    """The page finds a neighbour already drawn by its data-id; nothing in the SVG's markup is a full ID number."""
    r = web_client.get("/api/v1/render/neighbourhood", params={"key": E["TWO_HOPS"], "depth": 2, "as_of": AS_OF},
                       headers=auth(keys.fdrc))
    assert r.status_code == 200
    root = ET.fromstring(r.text)
    nodes = {g.get("data-id"): g for g in root.iter("{http://www.w3.org/2000/svg}g")
             if (g.get("class") or "").startswith("node")}
    for n in ask(web_client, keys.fdrc, key=E["TWO_HOPS"]).json()["neighbours"]:
        assert n["id"] in nodes, n["id"]
    shared = nodes[f"person:{mask_id_number(P['SHARED'])}:{PERSON_NAMES['SHARED']}"]
    assert shared.get("data-masked") == mask_id_number(P["SHARED"]) and shared.get("data-name") == PERSON_NAMES["SHARED"]
    assert nodes[f"enterprise:{E['LISTED']}"].get("data-key") == E["LISTED"]
    edges = [(g.get("data-from"), g.get("data-to")) for g in root.iter("{http://www.w3.org/2000/svg}g")
             if g.get("class") == "edge"]
    assert (shared.get("data-id"), f"enterprise:{E['TWO_HOPS']}") in edges
    assert all(a in nodes and b in nodes for a, b in edges)
    assert unmasked_id_numbers(r.text) == [] and all(p not in r.text for p in P.values())

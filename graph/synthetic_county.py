"""The synthetic county's builder: enterprises, persons, relations and records, drawn from one random stream in a
fixed order and written row by row (graph/synthetic.py writes the files and the manifest)."""
from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

from graph.identifiers import USCC_ALPHABET, id_check_char, reg_no_check_digit, uscc_check_char
from graph.synthetic_identities import (
    BAD_ROW_RATE, BIRTH_FIRST, BIRTH_LAST, COOP_INDUSTRIES, CORPORATE_SHARE, COUNTY, DENSE_CROSS_TO_HOLDING,
    DENSE_CROSS_TO_MEMBER, DENSE_GROUP_SIZES, DENSE_NOMINEE_COVER, DENSE_NOMINEE_POSTS, DENSE_NOMINEES_PER,
    DEPARTMENTS, FINES, FORMS, FORM_CATEGORY, GIVEN_FEMALE, GIVEN_MALE, GROUP_CONTROLLER_HEADS, GROUP_PARTNER_HOLDS, GROUP_SIZES,
    ID_REGIONS, IMPOSSIBLE_DATE, INDUSTRIES, INSPECTION_RESULTS, INSPECTION_TYPES, INSPECTION_WEIGHTS,
    LICENCES, LISTED_SHARE, LIST_TYPES, MARKET, MARKET_SPELLINGS, MAX_CHAIN, NEW_PERSON, NO_HOLDINGS,
    PENALTIES, PENALTY_KINDS, REGION, RESEND_SHARE, STREETS, SURNAMES, TOWNS, USCC_TYPE, VILLAGES, Enterprise,
    Permutation, Person, Shuffle, Weighted, amount, mix, org_code, trade_name, years_after)


class RowWriter(Protocol):
    """Where the county's rows go: one streaming file per kind (graph/synthetic.py)."""

    def write(self, kind: str, row: list) -> None: ...

@dataclass
class Group:
    """An enterprise group being written: its holding company, controller and partner, and how many more
    members it takes."""
    holding: Enterprise
    controller: Person
    partner: Person
    room: int
    members: list[Enterprise] = field(default_factory=list)  # kept in the dense shape only (cross-holdings)


@dataclass
class Nominee:
    """A professional nominee of the dense shape: the person, the role they sit in, and the share of companies
    (cumulative, over the nominees before) that name them."""
    person: Person
    role: str
    upto: float


# --- the county ------------------------------------------------------------------------------------------
class County:
    """The generator's state. Scenario planting uses the public methods; `background` fills the rest."""

    def __init__(self, files: RowWriter, enterprises: int, seed: int, ref: date, bad_rows: bool, groups: float = 0.0,
                 dense: bool = False):
        self.out, self.total, self.seed, self.ref, self.bad_rows = files, enterprises, seed, ref, bad_rows
        self.group_share = groups
        self.dense = dense
        self.nominees: list[Nominee] = []
        # The dense shape's own draws come from a stream of their own: the main stream's order stays readable.
        self.dense_rng = random.Random(mix(seed, 33))
        self.rng = random.Random(seed)
        self.bad: dict[str, int] = {}
        self.next_enterprise = self.next_person = 0
        self.first_background: int | None = None  # set once the scenarios are planted
        self.posts = array("q")                    # one entry per post held: preferential attachment
        self.depth = bytearray(enterprises)        # corporate shareholder levels above each enterprise
        self.licence_seq = 0
        self.decision_seq: dict[tuple[str, int], int] = {}
        self.resends: list[list] = []
        self.group: Group | None = None           # the group new members join, while it has room
        self._forms = Shuffle(len(FORMS) * (enterprises // len(FORMS) + 1), mix(seed, 11))
        self._old_org = Permutation(10 ** 8, 61_473_283, mix(seed, 12))
        self._new_org = Permutation(31 ** 6, 387_420_489, mix(seed, 13))
        self._reg_no = Permutation(10 ** 8, 48_271_207, mix(seed, 14))
        birth_days = (BIRTH_LAST - BIRTH_FIRST).days + 1
        self._ids = Permutation(birth_days * 1000, 19_999_999, mix(seed, 15))
        self.new_since = min(date(2015, 10, 1), ref - timedelta(days=3 * 365))  # USCC era
        self.weighted = {name: Weighted(pairs) for name, pairs in {
            "licence": [(x[:5], x[5]) for x in LICENCES], "penalty": [(x, x[2]) for x in PENALTIES],
            "inspector": [(d, INSPECTION_WEIGHTS.get(d, 1)) for d in DEPARTMENTS],
            "inspection_type": INSPECTION_TYPES, "result": INSPECTION_RESULTS, "penalty_kind": PENALTY_KINDS,
            "list_type": [(lt, lt.weight) for lt in LIST_TYPES.values()], "market": MARKET_SPELLINGS,
            "licences": ((0, 45), (1, 35), (2, 15), (3, 5)), "penalties": ((0, 80), (1, 15), (2, 4), (3, 1)),
            "inspections": ((0, 40), (1, 38), (2, 16), (3, 6)), "holders": ((1, 45), (2, 35), (3, 20)),
            "status": (("存续", 62), ("在业", 25), ("吊销", 6), ("注销", 7)),
            "town": [(t, 30 if t == "吉强镇" else 3) for t in TOWNS],
            "group_size": DENSE_GROUP_SIZES if dense else GROUP_SIZES}.items()}

    # identities ----------------------------------------------------------------------------------------
    def person(self, k: int) -> Person:
        h = mix(self.seed, 2, k)
        day, seq = divmod(self._ids(k), 1000)
        first17 = f"{ID_REGIONS[h % len(ID_REGIONS)]}{BIRTH_FIRST + timedelta(days=day):%Y%m%d}{seq:03d}"
        given = GIVEN_MALE if seq % 2 else GIVEN_FEMALE  # the 17th digit is odd for men
        name = SURNAMES[(h >> 8) % len(SURNAMES)] + given[(h >> 16) % len(given)]
        if (h >> 24) % 3:
            name += given[(h >> 32) % len(given)]
        return Person(name, first17 + id_check_char(first17))

    def uscc(self, index: int, category: str, old: bool) -> str:
        if old:  # pre-2015 organisation codes are all digits
            body = f"{self._old_org(index):08d}"
        else:    # codes issued with the USCC begin "MA"
            n, chars = self._new_org(index), []
            for _ in range(6):
                n, r = divmod(n, 31)
                chars.append(USCC_ALPHABET[r])
            body = "MA" + "".join(chars)
        first17 = USCC_TYPE[category] + REGION + org_code(body)
        return first17 + uscc_check_char(first17)

    def reg_no(self, index: int) -> str:
        first14 = f"{REGION}{self._reg_no(index):08d}"
        return first14 + reg_no_check_digit(first14)

    def identity(self, i: int) -> Enterprise:
        """The background enterprise at index i, a pure function of i.

        A shuffled slot picks the name's ending (FORMS repeats endings to weight them); the slot's round
        and its rank among the slots of that ending number the enterprises of each ending 0, 1, 2 …
        without gaps or repeats, and that number spells trade and 字号, so names are unique.
        """
        assert self.first_background is not None, "background enterprises follow the scenarios"
        rounds, slot = divmod(self._forms(i - self.first_background), len(FORMS))
        form = FORMS[slot]
        n = rounds * FORMS.count(form) + FORMS[:slot].count(form)  # a few dozen comparisons
        n, t = divmod(n, len(INDUSTRIES))
        trade = (COOP_INDUSTRIES if form == "专业合作社" else INDUSTRIES)[t]
        if form.startswith(trade):  # "金鼎商贸商贸部" reads "金鼎商贸部"
            trade = ""
        zihao = trade_name(n)
        h = mix(self.seed, 1, i)
        old = h % 100 < 5
        if old:
            established = date(1995, 1, 1) + timedelta(days=(h >> 8) % 7300)
        else:  # more enterprises were founded recently than long ago
            span = (self.ref - timedelta(days=30) - self.new_since).days
            established = self.new_since + timedelta(days=int(span * math.sqrt(((h >> 8) % 10 ** 6) / 10 ** 6)))
        return Enterprise(i, self.uscc(i, FORM_CATEGORY[form], old), self.reg_no(i) if old else "",
                          f"{COUNTY}{zihao}{trade}{form}", form, established)

    # building blocks shared with the scenarios --------------------------------------------------------
    def new_person(self) -> Person:
        """A person reserved for a scenario: background enterprises never draw them."""
        assert self.first_background is None, "scenario persons are allocated before the background"
        self.next_person += 1
        return self.person(self.next_person - 1)

    def new_enterprise(self, zihao: str, trade: str, form: str = "有限公司", *, old: bool = False) -> Enterprise:
        """An enterprise reserved for a scenario; `zihao` keeps its name apart from the background's."""
        assert self.first_background is None, "scenario enterprises are allocated before the background"
        i = self.next_enterprise
        self.next_enterprise += 1
        self.depth[i] = NO_HOLDINGS  # never drawn as a background shareholder
        established = date(2009, 6, 18) if old else self.ref - timedelta(days=2400 + 31 * i)
        return Enterprise(i, self.uscc(i, FORM_CATEGORY[form], old), self.reg_no(i) if old else "",
                          f"{COUNTY}{zihao}{trade}{form}", form, established)

    def register(self, ent: Enterprise, head: Person | None, members: list[tuple[str, Any, str]],
                 *, head_role: str = "法定代表人", type_: str | None = None, status: str = "存续",
                 head_name: str = "") -> None:
        """Write the enterprise row and its member rows (the head's own row first)."""
        rng = self.rng
        town = self.weighted["town"].pick(rng)
        if town == "吉强镇":
            address = f"{COUNTY}{town}{rng.choice(STREETS)}{rng.randrange(1, 300)}号"
        else:
            address = f"{COUNTY}{town}{rng.choice(VILLAGES)}村"
        authority = "西吉县市场监督管理局" if ent.established >= date(2015, 1, 1) else "西吉县工商行政管理局"
        self.out.write("enterprise", [
            ent.uscc, ent.reg_no, ent.name, type_ or _default_type(ent), head.name if head else head_name,
            "居民身份证" if head else "", head.id_number if head else "", ent.established, status, address, authority])
        if head:
            members = [(head_role, head, ""), *members]
        for role, party, share in members:
            if isinstance(party, Person):
                self.out.write("member", [ent.uscc, ent.name, role, party.name, "居民身份证", party.id_number, share])
            else:
                self.out.write("member", [ent.uscc, ent.name, role, party.name, "统一社会信用代码", party.uscc, share])

    def listing(self, ent: Enterprise, list_type: str, start: date, end: date | None = None, *,
                person: Person | None = None, sender: str | None = None, spelling: str | None = None,
                by_reg_no: bool = False, removed_on: date | None = None) -> list:
        """Write one blacklist row; `removed_on` later re-sends it with that end date (an early removal)."""
        lt = LIST_TYPES[list_type]
        dept, basis, description = next(s for s in lt.senders if sender in (None, s[0]))
        row = [ent.reg_no if by_reg_no else ent.uscc, ent.name, basis, description, start, end,
               spelling or dept, self._receivers(dept), lt.name,
               "法定代表人" if person else "", person.name if person else "", "居民身份证" if person else "",
               person.id_number if person else ""]
        self.out.write("blacklist", row)
        if removed_on is not None:
            self.resends.append([*row[:5], removed_on, *row[6:]])
        return row

    def records(self, ent: Enterprise, spoil: bool = False) -> None:
        """Licences, penalties and inspections (with their changes) about one enterprise."""
        w, rng = self.weighted, self.rng
        for _ in range(w["licences"].pick(rng)):
            self._licence(ent, spoil)
        for _ in range(w["penalties"].pick(rng)):
            self._penalty(ent, spoil)
        for _ in range(w["inspections"].pick(rng)):
            dept, day = w["inspector"].pick(rng), self._record_day(ent)
            row = [self._code(ent), ent.name, self._spell(dept), w["inspection_type"].pick(rng), day,
                   w["result"].pick(rng)]
            self._spoil("inspection", row, ent, 4, spoil)
            self.out.write("inspection", row)

    # background ----------------------------------------------------------------------------------------
    def background(self) -> None:
        self.first_background = self.next_enterprise
        self.next_enterprise = self.total
        if self.dense:
            self._hire_nominees()
        parent, branches = None, 0
        for i in range(self.first_background, self.total):
            ent = self.identity(i)
            branch_draw = mix(self.seed, 3, i) % 100 < 5
            if ent.category in ("company", "shares") and branch_draw and parent is not None:
                ent, head = self._register_branch(ent, parent, branches), None
                branches += 1
            else:
                if ent.category in ("company", "shares"):
                    parent, branches = ent, 0
                head = self._register_in_group(ent) if self._joins_group(ent) else self._register(ent)
                if self.nominees and ent.category in ("company", "shares"):
                    self._seat_nominee(ent)
            self.records(ent, spoil=True)
            self._maybe_list(ent, head)
        for row in self.resends:  # re-sent rows arrive after the rows they update
            self.out.write("blacklist", row)

    # enterprise groups (off unless group_share > 0) ------------------------------------------------------
    def _joins_group(self, ent: Enterprise) -> bool:
        # A hash of the index, not self.rng: with groups off nothing is drawn, so the county stays the same.
        return (self.group_share > 0 and ent.category in ("company", "shares")
                and mix(self.seed, 21, ent.index) % 1_000_000 < self.group_share * 1_000_000)

    def _register_in_group(self, ent: Enterprise) -> Person | None:
        """The next member of the current group, or, when it is full, the holding company of a new one."""
        rng, group = self.rng, self.group
        if group is None or group.room == 0:
            head = self._register(ent)
            controller = head or self._draw(set())
            self.group = Group(ent, controller, self._draw(set()), self.weighted["group_size"].pick(rng))
            return head
        group.room -= 1
        head = group.controller if rng.random() < GROUP_CONTROLLER_HEADS else self._draw(set())
        holders: list = []
        if self.depth[group.holding.index] < MAX_CHAIN:
            holders.append(group.holding)
            self.depth[ent.index] = max(self.depth[ent.index], self.depth[group.holding.index] + 1)
        if rng.random() < GROUP_PARTNER_HOLDS:
            holders.append(group.partner)
        taken: set[int] = set()
        while len(holders) < 2:
            holders.append(self._draw(taken))
        members = [("股东", h, s) for h, s in zip(holders, _split_shares(rng, len(holders)))]
        members += self._officers(ent.category, head, taken)
        self.register(ent, head, members, type_=_company_type(ent, holders), status=self.weighted["status"].pick(rng))
        if self.dense:
            self._cross_hold(ent, group)
        return head

    # the dense shape: nominees and cross-shareholdings -----------------------------------------------------
    def _hire_nominees(self) -> None:
        """The nominees, each with 100–500 companies' worth of the county (fewer in a small county)."""
        rng = self.dense_rng
        lo = self.first_background or 0
        companies = (self.total - lo) * sum(FORM_CATEGORY[f] in ("company", "shares") for f in FORMS) / len(FORMS)
        wanted = [rng.randint(*DENSE_NOMINEE_POSTS) for _ in range(3 + self.total // DENSE_NOMINEES_PER)]
        scale = min(1.0, DENSE_NOMINEE_COVER * companies / sum(wanted))
        upto = 0.0
        for k, posts in enumerate(wanted):
            upto += posts * scale / companies
            self.nominees.append(Nominee(self.person(self._fresh_person()), "监事" if k % 2 == 0 else "股东", upto))
        # The first nominee is a 失信被执行人: every company they supervise is restricted by rule 2, through them.
        first = self.nominees[0].person
        lt = LIST_TYPES["失信被执行人"]
        dept, basis, description = lt.senders[0]
        listed = self.identity(lo)
        self.out.write("blacklist", [listed.uscc, listed.name, basis, description, self.ref - timedelta(days=400), None,
                                     dept, self._receivers(dept), lt.name, "监事", first.name, "居民身份证",
                                     first.id_number])

    def _seat_nominee(self, ent: Enterprise) -> None:
        """A company names at most one nominee, chosen by a hash of its index (so the nominees' posts are spread
        over the county, not drawn from the main stream)."""
        u = mix(self.seed, 31, ent.index) / float(1 << 64)
        for nominee in self.nominees:
            if u < nominee.upto:
                share = "1%" if nominee.role == "股东" else ""
                self.out.write("member", [ent.uscc, ent.name, nominee.role, nominee.person.name, "居民身份证",
                                          nominee.person.id_number, share])
                return

    def _cross_hold(self, ent: Enterprise, group: Group) -> None:
        """Cross-shareholdings: a member holding shares in its holding company, or in an earlier member."""
        rng = self.dense_rng
        targets = []
        if rng.random() < DENSE_CROSS_TO_HOLDING:
            targets.append(group.holding)
        if group.members and rng.random() < DENSE_CROSS_TO_MEMBER:
            targets.append(group.members[rng.randrange(len(group.members))])
        for target in targets:
            self.out.write("member", [target.uscc, target.name, "股东", ent.name, "统一社会信用代码", ent.uscc,
                                      f"{rng.randrange(1, 10)}%"])
        group.members.append(ent)

    def _draw(self, taken: set[int]) -> Person:
        """A background person; an earlier one in proportion to the posts they hold (Yule–Simon),
        so most people hold one post and a few hold dozens."""
        rng, posts = self.rng, self.posts
        k = -1
        if posts and rng.random() >= NEW_PERSON:
            for _ in range(3):  # the same person holds one post per enterprise here
                candidate = posts[rng.randrange(len(posts))]
                if candidate not in taken:
                    k = candidate
                    break
        if k < 0:
            k, self.next_person = self.next_person, self.next_person + 1
        taken.add(k)
        posts.append(k)
        return self.person(k)

    def _corporate_holder(self, i: int) -> Enterprise | None:
        rng, lo = self.rng, self.first_background
        assert lo is not None, "background enterprises follow the scenarios"
        for _ in range(4):
            j = rng.randrange(lo, i) if i - lo > 1 else None
            if j is not None and self.depth[j] < MAX_CHAIN:
                self.depth[i] = max(self.depth[i], self.depth[j] + 1)
                return self.identity(j)
        return None

    def _register(self, ent: Enterprise) -> Person | None:
        """Registry rows of a background enterprise; returns its head if named with an ID number."""
        rng, cat = self.rng, ent.category
        taken: set[int] = set()
        if cat == "individual":
            self.depth[ent.index] = NO_HOLDINGS
            head = self._draw(taken)
            members: list[tuple[str, Any, str]] = []
            role, type_ = "经营者", "个体工商户"
        else:
            if cat == "coop":
                self.depth[ent.index] = NO_HOLDINGS
            n = self.weighted["holders"].pick(rng) + (cat == "shares")
            holders = [(cat != "coop" and rng.random() < CORPORATE_SHARE and self._corporate_holder(ent.index))
                       or self._draw(taken) for _ in range(n)]
            people = [h for h in holders if isinstance(h, Person)]
            head = people[0] if people and rng.random() < 0.6 else self._draw(taken)
            holder_role = "出资人" if cat == "coop" else "股东"
            members = [(holder_role, h, s) for h, s in zip(holders, _split_shares(rng, n))]
            members += self._officers(cat, head, taken)
            role, type_ = "法定代表人", _company_type(ent, holders)
        if rng.random() < 0.02:
            # The name stays on the enterprise row, without an ID number, and no member row names the head.
            self.register(ent, None, members, type_=type_, status=self.weighted["status"].pick(rng),
                          head_name=self.person(self._fresh_person()).name)
            return None
        self.register(ent, head, members, head_role=role, type_=type_, status=self.weighted["status"].pick(rng))
        return head

    def _officers(self, cat: str, head: Person, taken: set[int]) -> list[tuple[str, Any, str]]:
        rng = self.rng
        if cat == "shares":
            return [("董事", head, ""), ("董事", self._draw(taken), ""), ("董事", self._draw(taken), ""),
                    ("监事", self._draw(taken), ""), ("经理", head, "")]
        if cat != "company":
            return []
        out = []
        if rng.random() < 0.1:
            out.append(("董事", head, ""))
        if rng.random() < 0.4:
            out.append(("监事", self._draw(taken), ""))  # a supervisor may not also run the company
        if rng.random() < 0.25:
            out.append(("经理", head, ""))
        if rng.random() < 0.1:
            out.append(("财务负责人", self._draw(taken), ""))
        return out

    def _register_branch(self, ent: Enterprise, parent: Enterprise, nth: int) -> Enterprise:
        town = TOWNS[nth % len(TOWNS)][:2] + ("" if nth < len(TOWNS) else str(nth // len(TOWNS) + 1))
        est = min(max(ent.established, parent.established + timedelta(days=30)), self.ref)
        branch = replace(ent, name=f"{parent.name}{town}分公司", form="分公司", established=est)
        self.depth[ent.index] = NO_HOLDINGS
        head = self._draw(set())
        kind = "股份有限公司分公司" if parent.category == "shares" else "有限责任公司分公司（自然人投资或控股）"
        self.register(branch, head, [("隶属企业", parent, "")], head_role="负责人", type_=kind,
                      status=self.weighted["status"].pick(self.rng))
        return branch

    def _fresh_person(self) -> int:
        self.next_person += 1
        return self.next_person - 1

    def _maybe_list(self, ent: Enterprise, head: Person | None) -> None:
        rng, ref = self.rng, self.ref
        if rng.random() >= LISTED_SHARE:
            return
        previous = None
        for _ in range(1 if rng.random() < 0.85 else 2):
            lt = self.weighted["list_type"].pick(rng)
            if lt is previous:  # the same type, sender and start would make the second row an update
                continue
            previous = lt
            sender, basis, description = lt.senders[rng.randrange(len(lt.senders))]
            if rng.random() < 0.05:
                start = ref + timedelta(days=rng.randrange(1, 180))
            else:
                start = max(ref - timedelta(days=rng.randrange(1, 6 * 365)), ent.established + timedelta(days=30))
            end = None if rng.random() < lt.open_share else years_after(start, rng.choice(lt.years))
            person = head if head and rng.random() < lt.person_share else None
            row = [self._code(ent), ent.name, basis, description, start, end, self._spell(sender),
                   self._receivers(sender), lt.name, "法定代表人" if person else "", person.name if person else "",
                   "居民身份证" if person else "", person.id_number if person else ""]
            bad = self._spoil("blacklist", row, ent, 4, True)
            self.out.write("blacklist", row)
            if not bad and start < ref and (end is None or end > ref) and rng.random() < RESEND_SHARE:
                self.resends.append([*row[:5], start + timedelta(days=rng.randrange((ref - start).days)), *row[6:]])

    # records -------------------------------------------------------------------------------------------
    def _licence(self, ent: Enterprise, spoil: bool) -> None:
        rng, ref = self.rng, self.ref
        dept, title, content, pattern, years = self.weighted["licence"].pick(rng)
        self.licence_seq += 1
        start = self._record_day(ent)
        end = years_after(start, years)
        number = pattern.format(year=start.year, seq=self.licence_seq)
        status = "有效" if end >= ref else "已过期"
        code, spelled = self._code(ent), self._spell(dept)
        row = [code, ent.name, number, title, start, end, spelled, content, status,
               ("新办", "延续", "变更", "")[rng.randrange(4)]]
        bad = self._spoil("license", row, ent, None, spoil)
        self.out.write("license", row)
        if bad or rng.random() >= 0.15:  # a change must name a licence that was collected
            return
        day = min(start + timedelta(days=rng.randrange(30, 900)), ref)
        item = rng.randrange(3)
        if item == 0:
            change = ["有效期至", end.isoformat(), years_after(end + timedelta(days=1), years).isoformat()]
        elif item == 1:
            change = ["许可内容", content, content + "；网络食品销售"]
        else:
            change = ["状态", status, "注销"]
        row = [code, ent.name, number, title, *change, day]
        self._spoil("license-change", row, ent, 7, spoil)
        self.out.write("license-change", row)

    def _penalty(self, ent: Enterprise, spoil: bool) -> None:
        rng = self.rng
        dept, abbr, _, violations = self.weighted["penalty"].pick(rng)
        day = self._record_day(ent)
        serial = self.decision_seq[abbr, day.year] = self.decision_seq.get((abbr, day.year), 0) + 1
        number = f"{abbr}〔{day.year}〕{serial}号"
        kind = self.weighted["penalty_kind"].pick(rng)
        fine = FINES[rng.randrange(len(FINES))]
        code = self._code(ent)
        row = [code, ent.name, self._spell(dept), number, day, violations[rng.randrange(len(violations))],
               amount(rng, fine) if "罚款" in kind else "",
               amount(rng, FINES[rng.randrange(6)]) if "没收" in kind else "", kind,
               ("", "", "已履行", "当场缴纳")[rng.randrange(4)]]
        bad = self._spoil("penalty", row, ent, None, spoil)
        self.out.write("penalty", row)
        if bad or rng.random() >= 0.06:
            return
        changes = ["撤销原行政处罚决定（行政复议）"]
        if "罚款" in kind:
            changes.append(f"罚款金额由{fine}元变更为{fine // 2}元（行政复议）")
        if kind != "警告":
            changes.append(f"处罚种类由{kind}变更为警告")
        content = changes[rng.randrange(len(changes))]
        row = [code, ent.name, number, self._spell(dept), content,
               min(day + timedelta(days=rng.randrange(10, 200)), self.ref)]
        self._spoil("penalty-change", row, ent, 5, spoil)
        self.out.write("penalty-change", row)

    def _record_day(self, ent: Enterprise) -> date:
        start = max(ent.established, self.ref - timedelta(days=6 * 365))
        return start + timedelta(days=self.rng.randrange(max((self.ref - start).days, 0) + 1))

    def _code(self, ent: Enterprise) -> str:
        # Departments that filed an older enterprise before 2015 often still send its 注册号.
        return ent.reg_no if ent.reg_no and self.rng.random() < 0.3 else ent.uscc

    def _spell(self, dept: str) -> str:
        if dept == MARKET:
            return self.weighted["market"].pick(self.rng)
        return "西吉" + dept if self.rng.random() < 0.02 else dept

    def _receivers(self, sender: str) -> str:
        rng = self.rng
        others = [d for d in DEPARTMENTS if d != sender]
        return ("、", "；")[rng.randrange(2)].join(rng.sample(others, rng.randrange(1, 6)))

    def _spoil(self, kind: str, row: list, ent: Enterprise, date_col: int | None, enabled: bool) -> bool:
        """Damage a row the way clerks do (about 0.5%), so a demo shows rejects: a wrong check
        character, a missing code, or an impossible date in a required date column."""
        if not (enabled and self.bad_rows) or self.rng.random() >= BAD_ROW_RATE:
            return False
        how = self.rng.randrange(3 if date_col is not None else 2)
        if how == 0:
            check = USCC_ALPHABET.index(ent.uscc[-1])
            row[0] = ent.uscc[:-1] + USCC_ALPHABET[(check + 1 + self.rng.randrange(30)) % 31]
        elif how == 1:
            row[0] = ""
        else:
            assert date_col is not None  # how is 2 only where there is a date column
            row[date_col] = IMPOSSIBLE_DATE
        self.bad[kind] = self.bad.get(kind, 0) + 1
        return True


def _default_type(ent: Enterprise) -> str:
    return {"company": "有限责任公司（自然人投资或控股）", "shares": "股份有限公司（非上市、自然人投资或控股）",
            "individual": "个体工商户", "coop": "农民专业合作社", "branch": "有限责任公司分公司"}[ent.category]


def _company_type(ent: Enterprise, holders: list) -> str:
    if ent.category != "company":
        return _default_type(ent)
    if len(holders) == 1:
        return "有限责任公司（自然人独资）" if isinstance(holders[0], Person) else "有限责任公司（非自然人投资或控股的法人独资）"
    return _default_type(ent)


def _split_shares(rng: random.Random, n: int) -> list[str]:
    cuts = sorted(rng.sample(range(5, 100, 5), n - 1))
    return [f"{b - a}%" for a, b in zip([0, *cuts], [*cuts, 100])]

"""The Cypher of the Neo4j store's schema and meta node: constraints and indexes, the data version, reset, and
the one-time rewrites of stores written by earlier versions (each marked done on the meta node), as named
constants.
"""
from __future__ import annotations

from graph.stores.neo4j.queries import RECORD_LABELS

# Follow-up supervision: which parties each data version touched (graph/stores/changes.py).
CHANGED_PARTIES_INDEX = "CREATE INDEX changed_parties_version IF NOT EXISTS FOR (c:ChangedParties) ON (c.data_version)"
SCHEMA = [
    "CREATE CONSTRAINT enterprise_eid IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.eid IS UNIQUE",
    "CREATE CONSTRAINT enterprise_key IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.key IS UNIQUE",
    "CREATE CONSTRAINT enterprise_uscc IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.uscc IS UNIQUE",
    "CREATE CONSTRAINT enterprise_reg_no IF NOT EXISTS FOR (e:Enterprise) REQUIRE e.reg_no IS UNIQUE",
    "CREATE CONSTRAINT person_id IF NOT EXISTS FOR (p:Person) REQUIRE p.id_number IS UNIQUE",
    "CREATE CONSTRAINT department_name IF NOT EXISTS FOR (d:Department) REQUIRE d.name IS UNIQUE",
    # A record's uid (kind|enterprise|natural key) is unique among all records: one constraint, on Record.
    "CREATE CONSTRAINT record_uid IF NOT EXISTS FOR (r:Record) REQUIRE r.uid IS UNIQUE",
    "CREATE CONSTRAINT meta_id IF NOT EXISTS FOR (m:CreditnetMeta) REQUIRE m.id IS UNIQUE",
    "CREATE INDEX enterprise_name_norm IF NOT EXISTS FOR (e:Enterprise) ON (e.name_norm)",
    # Enterprises no registry row names (GraphReader.listed_unregistered_named): few, found without a scan.
    "CREATE INDEX enterprise_in_registry IF NOT EXISTS FOR (e:Enterprise) ON (e.in_registry)",
    "CREATE INDEX enterprise_name IF NOT EXISTS FOR (e:Enterprise) ON (e.name)",
    "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "CREATE CONSTRAINT unread_uid IF NOT EXISTS FOR (u:UnreadRow) REQUIRE u.uid IS UNIQUE",
    "CREATE INDEX unread_code IF NOT EXISTS FOR (u:UnreadRow) ON (u.code)",
    "CREATE INDEX unread_source IF NOT EXISTS FOR (u:UnreadRow) ON (u.source)",
    "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)",
    "CREATE INDEX listing_valid_from IF NOT EXISTS FOR (l:Listing) ON (l.valid_from)",
    "CREATE INDEX listing_valid_to IF NOT EXISTS FOR (l:Listing) ON (l.valid_to)",
    "CREATE INDEX listing_type IF NOT EXISTS FOR (l:Listing) ON (l.list_type)",
    "CREATE INDEX license_eid_no IF NOT EXISTS FOR (r:License) ON (r.eid, r.license_no)",
    "CREATE INDEX license_change_eid IF NOT EXISTS FOR (r:LicenseChange) ON (r.eid)",
    "CREATE INDEX penalty_eid_no IF NOT EXISTS FOR (r:Penalty) ON (r.eid, r.decision_no)",
    "CREATE INDEX penalty_change_eid IF NOT EXISTS FOR (r:PenaltyChange) ON (r.eid)",
    # The name index (docs/stores.md): the names' Han characters (`name_han`), in bigrams by Lucene's CJK analyzer,
    # queried by phrases. Updated when a transaction commits, as the nodes are (not eventually consistent).
    *[f"CREATE FULLTEXT INDEX {index} IF NOT EXISTS FOR (n:{label}) ON EACH [n.name_han] OPTIONS {{indexConfig: "
      "{`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}" for label, index in
      (("Enterprise", "enterprise_name_han"), ("Person", "person_name_han"))],
    "MERGE (m:CreditnetMeta {id: 'creditnet'}) ON CREATE SET m.data_version = 0",
    CHANGED_PARTIES_INDEX,
]
AWAIT_NAME_INDEXES = "CALL db.awaitIndexes(600)"
OBSOLETE_SCHEMA_PRESENT = "SHOW INDEXES YIELD name, owningConstraint WHERE name IN $names RETURN name, owningConstraint"
# Schema that stores made by earlier versions have and that no query needs: every record paid for it
# with index entries at each load. A second uniqueness constraint on uid per record label (Record.uid already
# holds every record's uid, kind included), and an index on Record.eid that no query reads. Dropped by
# init_schema (as a constraint where one owns the index); nothing about the nodes changes.
OBSOLETE_SCHEMA_NAMES = [*[f"{label.lower()}_uid" for label in RECORD_LABELS.values()], "record_eid"]

# Parties a listing names, active or ended, carry the label Listed: a check's last level asks it of thousands of parties
# (queries.last_level), where following each party's records to a listing cost about ten look-ups. A superset: set
# by the statement that ties a listing to its party (load_queries; a fold moving an enterprise's records), once by
# init_schema in stores written before it and after a bulk import, and never removed (a party whose listing was
# withdrawn keeps it; the check reads the listings themselves). Readers rely on it only when no party a listing
# names lacks it (queries.STORE_FACTS, once per data version); else they follow the records as before.
LABEL_LISTED = "MATCH (:Listing)-[:CONCERNS|NAMES]->(x) WHERE NOT x:Listed SET x:Listed"
LISTED_LABELS_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.listed_labels, false) AS done"
MARK_LISTED_LABELS_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.listed_labels = true"

DATA_VERSION = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN m.data_version AS v"
BUMP_VERSION = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.data_version = m.data_version + 1"
# The version read under the meta node's write lock (set and removed again: no change is committed). A load
# takes that lock when it raises the version and keeps it until its commit has been applied, and Neo4j applies
# a commit record by record, visible to readers as it goes (read committed): so a version read this way is
# never that of a commit still being applied.
# `resetting` is set while `creditnet reset` empties the store batch by batch (see Neo4jStore.reset).
# `loading_*` mark a file written in several transactions (graph/stores/neo4j/large_files.py), from its first commit
# until its last: no question answers from part of it.
SETTLED_VERSION = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.read_barrier = true REMOVE m.read_barrier "
                   "RETURN m.data_version AS v, coalesce(m.resetting, false) AS resetting, m.loading_id AS loading_id, "
                   "m.loading_file AS loading_file")
# Asked by a load when it begins, and again (as LOCKED_LOADING) just before its commit: after BUMP_VERSION the load holds the meta
# node's lock, which BEGIN_RESET also needs, so a reset either began before that second ask (and the load
# withdraws) or begins after the load's commit has been applied (and empties the load's rows with the rest).
# With the file being loaded in several transactions, if any: another load withdraws, unless it is that same file.
RESETTING = ("OPTIONAL MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.resetting, false) AS resetting, "
             "m.loading_id AS loading_id, m.loading_file AS loading_file, m.loading_fingerprint AS loading_fingerprint")
# The same, under the meta node's write lock (held until the transaction ends): a load asks this just before its
# commit, and before each part's, so a reset or another large file cannot begin between its question and its commit.
LOCKED_LOADING = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.read_barrier = true REMOVE m.read_barrier "
                  "RETURN coalesce(m.resetting, false) AS resetting, m.loading_id AS loading_id, "
                  "m.loading_file AS loading_file, m.loading_fingerprint AS loading_fingerprint")
# A file too large for one transaction: marked in its first part's transaction, so that the mark is visible as soon
# as anything of the file is.
MARK_LOADING = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.loading_id = $id, m.loading_file = $file, "
                "m.loading_fingerprint = $fingerprint, m.loading_since = $since")
END_LOADING = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) "
               "REMOVE m.loading_id, m.loading_file, m.loading_fingerprint, m.loading_since")

# Stores written by earlier versions hold each enterprise's and record's fields twice (a JSON copy `props` and the
# Browser's display properties): init_schema rewrites those nodes once (graph/stores/neo4j/properties.py; no
# data version bump: every answer stays the same), and the flag keeps later opens from scanning again.
FIELDS_AS_PROPERTIES_DONE = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) "
                             "RETURN coalesce(m.fields_as_properties, false) AS done")
MARK_FIELDS_AS_PROPERTIES_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.fields_as_properties = true"
OLD_SHAPE_NODES = {"Enterprise": "MATCH (n:Enterprise) WHERE n.props IS NOT NULL RETURN properties(n) AS node",
                   "Record": "MATCH (n:Record) WHERE n.props IS NOT NULL RETURN properties(n) AS node"}
REWRITE_NODES = {"Enterprise": "UNWIND $rows AS row MATCH (n:Enterprise {eid: row.id}) SET n = row.node",
                 "Record": "UNWIND $rows AS row MATCH (n:Record {uid: row.id}) SET n = row.node"}
# Stores written before the name index: every enterprise rewritten once with `name_han` (and its fingerprint), every
# person given `name_han`, by init_schema in batches (no data version bump: no answer changes).
NAME_HAN_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.name_han, false) AS done"
MARK_NAME_HAN_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.name_han = true"
ENTERPRISES_WITHOUT_NAME_HAN = ("MATCH (n:Enterprise) WHERE n.name_han IS NULL AND n.name IS NOT NULL "
                                "RETURN properties(n) AS node LIMIT 5000")
PERSONS_WITHOUT_NAME_HAN = ("MATCH (p:Person) WHERE p.name_han IS NULL AND p.name IS NOT NULL "
                            "RETURN p.id_number AS id_number, p.name AS name LIMIT 10000")
SET_NAME_HAN = "UNWIND $rows AS row MATCH (p:Person {id_number: row.id_number}) SET p.name_han = row.name_han"
# Stores written before enterprises had `short_name` (Browser's caption): every enterprise rewritten once through the
# same rewrite, in eid order (a name with nothing distinctive in it gets none, and must not be asked for again).
SHORT_NAMES_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.short_names, false) AS done"
MARK_SHORT_NAMES_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.short_names = true"
ENTERPRISES_WITHOUT_SHORT_NAME = ("MATCH (n:Enterprise) WHERE n.eid > $after AND n.short_name IS NULL AND n.name IS NOT NULL "
                                  "RETURN properties(n) AS node ORDER BY n.eid LIMIT 5000")
# Persons written before masked_id existed get it once, from init_schema (display only: no data version
# bump); the flag on the meta node keeps later opens from scanning every person again.
MASKED_IDS_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN coalesce(m.masked_ids, false) AS done"
MARK_MASKED_IDS_DONE = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.masked_ids = true"
PERSONS_WITHOUT_MASKED_ID = "MATCH (p:Person) WHERE p.masked_id IS NULL RETURN p.id_number AS id_number LIMIT 10000"
SET_MASKED_IDS = """
UNWIND $rows AS row
MATCH (p:Person {id_number: row.id_number})
SET p.masked_id = row.masked_id
"""

# Relationships go first, in batches of their own: a DETACH DELETE of a department (a supernode with a
# relationship to each of its hundreds of thousands of records) would otherwise delete all of them in one
# transaction, which a province's store does not fit (RELIABILITY.md). Nodes then have none left to detach.
RESET_RELATIONSHIPS_BATCH = "MATCH ()-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS n"
RESET_BATCH = "MATCH (n) WHERE NOT n:CreditnetMeta WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"
BEGIN_RESET = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.resetting = true, m.data_version = m.data_version + 1"
# Events and objections are numbered afresh in an emptied store, as the embedded store numbers them.
# It also removes the mark of a large file whose load was interrupted: its parts are gone with the rest.
END_RESET = ("MATCH (m:CreditnetMeta {id: 'creditnet'}) REMOVE m.resetting, m.event_seq, m.objection_seq, "
             "m.loading_id, m.loading_file, m.loading_fingerprint, m.loading_since "
             "SET m.data_version = m.data_version + 1")

# A bulk load's target (graph/bulk.py): any node but the meta node is data, which the importer would overwrite.
HOLDS_DATA = "MATCH (n) WHERE NOT n:CreditnetMeta RETURN labels(n) AS labels LIMIT 1"
META = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN properties(m) AS meta"


# Listings re-keyed by their list's identity (graph/stores/listing_keys.py), under the table the meta node names.
LIST_IDENTITIES = "MATCH (m:CreditnetMeta {id: 'creditnet'}) RETURN m.list_identities AS fingerprint"
LISTING_KEYS = "MATCH (r:Listing) RETURN r.uid AS uid, coalesce(r.eid, $none) AS scope, r.natural AS natural, r.list_type AS list_type"
REKEY_LISTINGS = """
UNWIND $rows AS row
MATCH (r:Record {uid: row.uid})
SET r.uid = row.new_uid, r.natural = row.natural
"""
SET_LIST_IDENTITIES = "MATCH (m:CreditnetMeta {id: 'creditnet'}) SET m.list_identities = $fingerprint"

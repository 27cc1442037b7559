// creditnet: saved queries for Neo4j Browser (see browser/README.md).
// Each query starts with a `// name:` line and lists the parameters it needs as `:param` lines: run those
// in Browser first (change the values), then the query. Dates are text, YYYY-MM-DD, as the records hold them.
// Every query is bounded (hops and LIMIT): a supernode must not stall the browser or the server.
// ID numbers are departmental data: these queries are for department officials, never for public output.

// name: 受限人员关联图 · who is connected to this restricted person (3 hops)
// :param id => '640422198001010012'
// The person, the listings that name them (with the listed enterprise and the sending department), and every
// enterprise and person within 3 role hops (法定代表人, 股东, 董事/监事/经理, 分支机构): the restrictions and the
// links a licence check must weigh.
MATCH (p:Person {id_number: $id})
CALL (p) {
  MATCH path = (p)<-[:NAMES]-(:Listing)
  RETURN path
  UNION
  MATCH path = (p)<-[:NAMES]-(:Listing)-[:CONCERNS|SENT_BY]->()
  RETURN path
  UNION
  MATCH path = (p)-[:LEGAL_REPRESENTATIVE_OF|SHAREHOLDER_OF|OFFICER_OF|BRANCH_OF*1..3]-()
  RETURN path
}
RETURN path
LIMIT 300;

// name: 本部门须执行的有效名单 · which active listings must my department enforce
// :param department => '县财政局'
// :param as_of => '2026-06-01'
// Listings sent to the department (信息接收部门) that are active on the date: 限制期限自 <= date and
// (限制期限至 empty or date <= 限制期限至). Shows who is listed, by whom, on which list. The department may be
// given by its node name or by any spelling the senders used (aliases).
MATCH (d:Department)
WHERE d.name = $department OR $department IN coalesce(d.aliases, [])
MATCH (l:Listing)-[received:RECEIVED_BY]->(d)
WHERE l.valid_from <= toString($as_of) AND (l.valid_to IS NULL OR l.valid_to >= toString($as_of))
OPTIONAL MATCH (l)-[concerns:CONCERNS]->(e:Enterprise)
OPTIONAL MATCH (l)-[names:NAMES]->(p:Person)
OPTIONAL MATCH (l)-[sent:SENT_BY]->(sender:Department)
RETURN d, received, l, concerns, e, names, p, sent, sender
ORDER BY l.valid_from, l.uid
LIMIT 500;

// name: 企业全貌 · everything under this enterprise
// :param code => '916404220000001052'
// The enterprise found by its USCC or its 15-digit registration number; all its records (licences and their
// changes, penalties and their changes, inspections, listings) with the departments that issued, sent or
// received them and the persons a listing names; who stands behind it (法定代表人, 股东, 董事, 监事, 经理, 分支)
// and where it is itself a shareholder or branch (a branch points to its head office: (branch)-[:BRANCH_OF]->(head)).
MATCH (e:Enterprise)
WHERE e.uscc = $code OR e.reg_no = $code
CALL (e) {
  MATCH path = (e)
  RETURN path
  UNION
  MATCH path = (e)<-[:CONCERNS]-(:Record)
  RETURN path
  UNION
  MATCH path = (e)<-[:CONCERNS]-(:Record)-[:ISSUED_BY|SENT_BY|RECEIVED_BY|NAMES|CHANGES]->()
  RETURN path
  UNION
  MATCH path = (e)-[:LEGAL_REPRESENTATIVE_OF|SHAREHOLDER_OF|OFFICER_OF|BRANCH_OF]-()
  RETURN path
}
RETURN path
LIMIT 500;

// name: 两方如何关联 · how are A and B connected (at most 6 hops)
// :param a => '91640422000000104Y'
// :param b => '91640422000000101M'
// A and B are each a USCC, a registration number or an ID number. Every shortest chain of registry
// relationships between them (法定代表人, 股东, 董事/监事/经理, 分支), at most 6 hops; nothing when they are
// not connected within 6.
CALL () {
  MATCH (x:Enterprise) WHERE x.uscc = $a OR x.reg_no = $a
  RETURN x
  UNION
  MATCH (x:Person {id_number: $a})
  RETURN x
}
WITH x AS a
CALL () {
  MATCH (y:Enterprise) WHERE y.uscc = $b OR y.reg_no = $b
  RETURN y
  UNION
  MATCH (y:Person {id_number: $b})
  RETURN y
}
WITH a, y AS b
WHERE a <> b
MATCH path = allShortestPaths((a)-[:LEGAL_REPRESENTATIVE_OF|SHAREHOLDER_OF|OFFICER_OF|BRANCH_OF*..6]-(b))
RETURN path
LIMIT 50;

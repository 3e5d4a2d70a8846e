import { partnerId, stableId, userId } from "../../src/db/seed/demo-data";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { globalIdOf } from "../support/ids";

/** `referrals`: filters, orders, keyset pages, and SQL statements that do not grow with the page. */
let app: TestApp;
const contoso = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN);

beforeAll(async () => {
  app = await TestApp.start();
  // 40 more of Contoso's referrals, newest first, both directions, each assigned on both sides, with and without a deal value
  const rows = Array.from({ length: 40 }, (_, i) => {
    const outgoing = i % 2 === 0;
    const [from, to] = outgoing ? ["contoso", "northwind"] : ["northwind", "contoso"];
    return [stableId(`test:list:${i}`), partnerId(from), partnerId(to), userId(from, PartnerRole.REFERRALS_USER), userId(to, PartnerRole.REFERRALS_USER), i % 4 === 3 ? null : `${1000 + i * 37}.5`, i];
  });
  for (const [id, from, to, fromUser, toUser, amount, i] of rows) {
    await app.sql(
      `INSERT INTO referral (id, from_partner_id, to_partner_id, name, customer_name, contact_first_name, contact_last_name, contact_email, deal_value_amount, deal_value_currency,
                             status, from_assigned_to, to_assigned_to, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, 'List Co', 'Lee', 'Oliver', 'lee@list.example', $6::numeric, CASE WHEN $6::numeric IS NULL THEN NULL ELSE 'USD' END,
               'NEW', $5, $7, $5, now() - ($8::int * interval '1 minute'), now() - ($8::int * interval '1 minute') + interval '14 days')`,
      [id, from, to, `List referral ${i}`, fromUser, amount, toUser, i],
    );
  }
});
afterAll(() => app?.close());

const ALL_FIELDS = `id status substatus direction createdAt expiresAt dealValue { amount currency } assignedTo { email }`;
async function everything(): Promise<any[]> {
  return dataOf(await contoso().run(`{ referrals(first: 500) { totalCount nodes { ${ALL_FIELDS} } } }`)).referrals.nodes;
}
async function ids(args: string): Promise<string[]> {
  return dataOf(await contoso().run(`{ referrals(first: 500, ${args}) { nodes { id } } }`)).referrals.nodes.map((n: any) => n.id);
}

describe("filters", () => {
  it("status, substatus and direction as the caller sees them", async () => {
    const all = await everything();
    for (const status of ["NEW", "ACTIVE", "CLOSED"]) {
      const expected = all.filter((r) => r.status === status).map((r) => r.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(await ids(`filter: { status: ${status} }`)).toEqual(expected);
    }
    for (const substatus of ["PENDING", "RECEIVED", "ACCEPTED", "WON", "LOST", "DECLINED", "EXPIRED"]) {
      const expected = all.filter((r) => r.substatus === substatus).map((r) => r.id);
      expect([substatus, expected.length > 0]).toEqual([substatus, true]);
      expect(await ids(`filter: { substatus: ${substatus} }`)).toEqual(expected);
    }
    for (const direction of ["INCOMING", "OUTGOING"]) {
      expect(await ids(`filter: { direction: ${direction} }`)).toEqual(all.filter((r) => r.direction === direction).map((r) => r.id));
    }
    expect(await ids(`filter: { direction: OUTGOING, status: NEW }`)).toEqual(all.filter((r) => r.direction === "OUTGOING" && r.status === "NEW").map((r) => r.id));
    expect(all.filter((r) => r.direction === "OUTGOING" && r.status === "NEW").every((r) => r.substatus === "PENDING")).toBe(true);
    expect(all.filter((r) => r.direction === "INCOMING" && r.status === "NEW").every((r) => r.substatus === "RECEIVED")).toBe(true);
  });

  it("createdAfter and assignedToMe", async () => {
    const all = await everything();
    const cut = all[10].createdAt;
    expect(await ids(`filter: { createdAfter: "${cut}" }`)).toEqual(all.filter((r) => r.createdAt > cut).map((r) => r.id));
    const ru = app.as("contoso", PartnerRole.REFERRALS_USER);
    const mine = dataOf(await ru.run(`{ referrals(first: 500, filter: { assignedToMe: true }) { nodes { id assignedTo { email } } } }`)).referrals.nodes;
    expect(mine.length).toBeGreaterThanOrEqual(40);
    expect(mine.every((r: any) => r.assignedTo.email === "referrals.user@contoso.example")).toBe(true);
    expect(mine.map((r: any) => r.id)).toEqual(all.filter((r) => r.assignedTo?.email === "referrals.user@contoso.example").map((r) => r.id));
    expect(dataOf(await ru.run(`{ referrals(first: 500, filter: { assignedToMe: false }) { nodes { id } } }`)).referrals.nodes).toEqual([]);
  });
});

describe("orders and pages", () => {
  const key = (field: string, r: any) => (field === "CREATED_AT" ? r.createdAt : field === "EXPIRES_AT" ? r.expiresAt : r.dealValue ? Number(r.dealValue.amount) : -1);

  it.each(["CREATED_AT", "EXPIRES_AT", "DEAL_VALUE"].flatMap((f) => ["ASC", "DESC"].map((d) => [f, d])))("orders by %s %s, and pages of 7 walk the same list forward and backward", async (field, direction) => {
    const orderBy = `orderBy: { field: ${field}, direction: ${direction} }`;
    const whole = dataOf(await contoso().run(`{ referrals(first: 500, ${orderBy}) { nodes { ${ALL_FIELDS} } } }`)).referrals.nodes;
    const keys = whole.map((r: any) => key(field, r));
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(keys).toEqual(direction === "ASC" ? sorted : sorted.reverse());
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = dataOf(await contoso().run(`query($after: String) { referrals(first: 7, after: $after, ${orderBy}) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { after })).referrals;
      forward.push(...page.nodes.map((n: any) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(whole.map((r: any) => r.id));
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = dataOf(await contoso().run(`query($before: String) { referrals(last: 7, before: $before, ${orderBy}) { nodes { id } pageInfo { hasPreviousPage startCursor } } }`, { before })).referrals;
      backward.unshift(...page.nodes.map((n: any) => n.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });

  it("defaults to newest first, and refuses a cursor of another order", async () => {
    const all = await everything();
    const created = all.map((r) => r.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const cursor = dataOf(await contoso().run(`{ referrals(first: 1) { pageInfo { endCursor } } }`)).referrals.pageInfo.endCursor;
    const result = await contoso().run(`query($c: String) { referrals(first: 1, after: $c, orderBy: { field: DEAL_VALUE }) { nodes { id } } }`, { c: cursor });
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

const PAGE = `query($first: Int!) {
  referrals(first: $first) {
    totalCount
    nodes {
      id name direction status substatus customerName createdAt expiresAt
      customerContact { firstName lastName email phoneNumber }
      dealValue { amount currency }
      fromPartner { name mpnId }
      toPartner { name mpnId }
      assignedTo { id email displayName }
    }
  }
}`;

describe("referrals(first: N) with fromPartner, toPartner, assignedTo, customerContact and dealValue", () => {
  it("runs the same number of SQL statements for 2, 10 and 50 referrals", async () => {
    await contoso().run(PAGE, { first: 50 }); // partner rows shown for display come from a process cache after this
    const counts: number[] = [];
    for (const first of [2, 10, 50]) {
      const result = await contoso().run(PAGE, { first });
      const { nodes, totalCount } = dataOf(result).referrals;
      expect(totalCount).toBeGreaterThanOrEqual(50);
      expect(nodes).toHaveLength(first);
      expect(nodes[0]).toMatchObject({ assignedTo: { email: "referrals.user@contoso.example" }, customerContact: { email: "lee@list.example" }, dealValue: { currency: "USD" } });
      expect(new Set(nodes.map((n: any) => n.direction)).size).toBe(2);
      counts.push(result.sql);
    }
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    // the page, its count, the assigned users (partners from the process cache; contact and value are columns of the page)
    expect(counts[0]).toBe(3);
  });
});

describe("forged cursors", () => {
  it("refuses a DEAL_VALUE cursor whose value is not a decimal with BAD_USER_INPUT, and pages with real ones", async () => {
    const order = "orderBy: { field: DEAL_VALUE, direction: DESC }";
    const first = dataOf(await contoso().run(`{ referrals(first: 2, ${order}) { pageInfo { endCursor } } }`)).referrals.pageInfo.endCursor;
    const [name, , id] = JSON.parse(Buffer.from(first, "base64url").toString("utf8"));
    expect(dataOf(await contoso().run(`query($after: String) { referrals(first: 2, after: $after, ${order}) { nodes { id } } }`, { after: first })).referrals.nodes).toHaveLength(2);
    for (const value of ["abc", "1e5", "", "12.5.3"]) {
      const forged = Buffer.from(JSON.stringify([name, value, id])).toString("base64url");
      const result = await contoso().run(`query($after: String) { referrals(first: 2, after: $after, ${order}) { nodes { id } } }`, { after: forged });
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    }
  });
});

describe("referral history in the audit log", () => {
  it("is read only by roles that read all referrals: a Helpdesk agent's auditRecords leave referral records out", async () => {
    const sent = await contoso().run(
      `mutation { referralCreate(input: { toPartnerMpnId: "1000002", name: "Audit lead", customerName: "Audit Co", customerContact: { firstName: "Ann", lastName: "Lee", email: "ann@audit.example" } }) { userErrors { code } } }`,
    );
    expect(dataOf(sent).referralCreate.userErrors).toEqual([]);
    const query = `{ auditRecords(first: 500, filter: { resourceType: "referral" }) { totalCount } }`;
    expect(dataOf(await contoso().run(query)).auditRecords.totalCount).toBeGreaterThan(0);
    expect(dataOf(await app.as("contoso", PartnerRole.REFERRALS_ADMIN, PartnerRole.HELPDESK_AGENT).run(query)).auditRecords.totalCount).toBeGreaterThan(0);
    for (const role of [PartnerRole.HELPDESK_AGENT, PartnerRole.BILLING_ADMIN, PartnerRole.SALES_AGENT, PartnerRole.USER_MANAGEMENT_ADMIN, PartnerRole.ADMIN_AGENT]) {
      expect(dataOf(await app.as("contoso", role).run(query)).auditRecords.totalCount).toBe(0);
    }
    const [record] = await app.sql<{ id: string }>(`SELECT id FROM audit_record WHERE resource_type = 'referral' AND partner_id = $1 LIMIT 1`, [partnerId("contoso")]);
    const gid = globalIdOf("AuditRecord", record!.id);
    expect(dataOf(await app.as("contoso", PartnerRole.HELPDESK_AGENT).run(`query($id: ID!) { node(id: $id) { id } }`, { id: gid })).node).toBeNull();
    expect(dataOf(await contoso().run(`query($id: ID!) { node(id: $id) { id } }`, { id: gid })).node).toEqual({ id: gid });
  });
});

import { userId } from "../../src/db/seed/demo-data";
import { codesOf, globalIdOf } from "../support/fixtures";
import { dataOf, GqlResult, PartnerRole, TestApp } from "../support/harness";
import { acceptInput, MPN, REFERRAL_ACCEPT, REFERRAL_ASSIGN, REFERRAL_CLOSE, REFERRAL_CREATE, REFERRAL_DECLINE, REFERRAL_NODE, referralInput } from "./support";

/** Who sees and does what with referrals: every role × every referral query and mutation, assigned-only Referrals users, partner and cloud isolation. */
const { GLOBAL_ADMIN: GA, REFERRALS_ADMIN: RA, REFERRALS_USER: RU } = PartnerRole;
const ALL = Object.values(PartnerRole);
/** DOMAIN.md, written out independently of src/auth/permissions.ts. */
const ALL_REFERRALS = [GA, RA];
const ASSIGNED_ONLY = [RU];

let app: TestApp;
const fabrikamAdmin = () => app.as("fabrikam", GA);
const contosoAdmin = () => app.as("contoso", RA);
const ruId = (partner: string) => globalIdOf("PartnerUser", userId(partner, RU));

/** A referral from Fabrikam to Contoso, optionally assigned to Contoso's Referrals user, optionally accepted already. */
async function incoming(options: { assigned?: boolean; accepted?: boolean } = {}): Promise<string> {
  const { referral } = dataOf(await fabrikamAdmin().run(REFERRAL_CREATE, { input: referralInput({ toPartnerMpnId: MPN.contoso }) })).referralCreate;
  if (options.assigned) expect(dataOf(await contosoAdmin().run(REFERRAL_ASSIGN, { input: { id: referral.id, userId: ruId("contoso") } })).referralAssign.userErrors).toEqual([]);
  if (options.accepted) expect(dataOf(await contosoAdmin().run(REFERRAL_ACCEPT, { input: acceptInput(referral.id) })).referralAccept.userErrors).toEqual([]);
  return referral.id;
}

function forbiddenAt(result: GqlResult, path: (string | number)[]): boolean {
  return (result.errors ?? []).some((e) => e.extensions?.code === "FORBIDDEN" && JSON.stringify(e.path) === JSON.stringify(path));
}
function noForbidden(result: GqlResult) {
  expect((result.errors ?? []).filter((e) => e.extensions?.code === "FORBIDDEN")).toEqual([]);
}

let assigned: string;
let unassigned: string;
beforeAll(async () => {
  app = await TestApp.start();
  assigned = await incoming({ assigned: true });
  unassigned = await incoming();
});
afterAll(() => app?.close());

describe.each(ALL)("role %s", (role) => {
  const caller = () => app.as("contoso", role);
  const all = ALL_REFERRALS.includes(role);
  const assignedOnly = !all && ASSIGNED_ONLY.includes(role);

  it(all ? "lists and opens all of the partner's referrals" : assignedOnly ? "lists and opens only referrals assigned to it" : "may not list or open referrals", async () => {
    const result = await caller().run(`query($a: ID!, $u: ID!) { referrals(first: 500) { nodes { id } } a: node(id: $a) { id } u: node(id: $u) { id } }`, { a: assigned, u: unassigned });
    if (all || assignedOnly) {
      noForbidden(result);
      const ids = result.data!.referrals.nodes.map((n: any) => n.id);
      expect(ids).toContain(assigned);
      expect(result.data!.a).toEqual({ id: assigned });
      if (all) {
        expect(ids).toContain(unassigned);
        expect(result.data!.u).toEqual({ id: unassigned });
      } else {
        expect(ids).not.toContain(unassigned);
        expect(result.data!.u).toBeNull(); // not FORBIDDEN: it does not exist for this user
      }
    } else {
      expect(forbiddenAt(result, ["referrals"])).toBe(true);
      expect(forbiddenAt(result, ["a"])).toBe(true);
      expect(result.data?.referrals ?? null).toBeNull();
    }
  });

  it(all ? "may send referrals" : "may not send referrals", async () => {
    const result = await caller().run(REFERRAL_CREATE, { input: referralInput() });
    if (all) {
      noForbidden(result);
      expect(result.data!.referralCreate.userErrors).toEqual([]);
    } else {
      expect(forbiddenAt(result, ["referralCreate"])).toBe(true);
      expect(result.data?.referralCreate ?? null).toBeNull();
    }
  });

  it(all || assignedOnly ? "may accept, decline and close referrals it reaches" : "may not accept, decline or close referrals", async () => {
    const [toAccept, toDecline, toClose] = [await incoming({ assigned: true }), await incoming({ assigned: true }), await incoming({ assigned: true, accepted: true })];
    const results = {
      referralAccept: await caller().run(REFERRAL_ACCEPT, { input: acceptInput(toAccept) }),
      referralDecline: await caller().run(REFERRAL_DECLINE, { input: { id: toDecline, reason: "No capacity." } }),
      referralClose: await caller().run(REFERRAL_CLOSE, { input: { id: toClose, outcome: "WON" } }),
    };
    for (const [name, result] of Object.entries(results)) {
      if (all || assignedOnly) {
        noForbidden(result);
        expect([name, result.data![name].userErrors]).toEqual([name, []]);
      } else {
        expect([name, forbiddenAt(result, [name])]).toEqual([name, true]);
      }
    }
    if (assignedOnly) {
      // one that is not assigned to it does not exist for it
      const other = await incoming();
      expect(codesOf(dataOf(await caller().run(REFERRAL_ACCEPT, { input: acceptInput(other) })).referralAccept.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
      expect(codesOf(dataOf(await caller().run(REFERRAL_DECLINE, { input: { id: other, reason: "x" } })).referralDecline.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    }
  });

  it(all ? "may assign referrals" : "may not assign referrals", async () => {
    const id = await incoming();
    const result = await caller().run(REFERRAL_ASSIGN, { input: { id, userId: ruId("contoso") } });
    if (all) {
      noForbidden(result);
      expect(result.data!.referralAssign.userErrors).toEqual([]);
    } else {
      expect(forbiddenAt(result, ["referralAssign"])).toBe(true);
    }
  });
});

describe("referralAssign", () => {
  const ru = () => app.as("contoso", RU);
  const assign = async (id: string, user: string | null, caller = contosoAdmin()) => dataOf(await caller.run(REFERRAL_ASSIGN, { input: { id, userId: user, clientMutationId: "a1" } })).referralAssign;

  it("gives the caller's side to a Referrals user, who then sees it (assignedToMe), while the other partner's side stays its own", async () => {
    const id = await incoming();
    expect(dataOf(await ru().run(REFERRAL_NODE, { id })).node).toBeNull();
    const { referral, userErrors, clientMutationId } = await assign(id, ruId("contoso"));
    expect([userErrors, clientMutationId]).toEqual([[], "a1"]);
    expect(referral.assignedTo).toEqual({ id: ruId("contoso"), email: "referrals.user@contoso.example" });
    expect(dataOf(await ru().run(REFERRAL_NODE, { id })).node).toMatchObject({ id, assignedTo: { email: "referrals.user@contoso.example" }, direction: "INCOMING" });
    const mine = dataOf(await ru().run(`{ referrals(first: 500, filter: { assignedToMe: true }) { nodes { id } } }`)).referrals.nodes.map((n: any) => n.id);
    expect(mine).toContain(id);
    const notMine = dataOf(await contosoAdmin().run(`{ referrals(first: 500, filter: { assignedToMe: false }) { nodes { id } } }`)).referrals.nodes.map((n: any) => n.id);
    expect(notMine).toContain(id); // the admin itself is not the assignee
    // the sender's side: not assigned, and Fabrikam assigns its own
    expect(dataOf(await fabrikamAdmin().run(REFERRAL_NODE, { id })).node.assignedTo).toBeNull();
    expect((await assign(id, ruId("fabrikam"), app.as("fabrikam", RA))).referral.assignedTo).toEqual({ id: ruId("fabrikam"), email: "referrals.user@fabrikam.example" });
    expect(dataOf(await contosoAdmin().run(REFERRAL_NODE, { id })).node.assignedTo).toEqual({ id: ruId("contoso"), email: "referrals.user@contoso.example" });
    expect(dataOf(await app.as("fabrikam", RU).run(REFERRAL_NODE, { id })).node).toMatchObject({ direction: "OUTGOING", substatus: "PENDING" });
    // audited in the assigning partner's log only
    const records = await app.sql(
      `SELECT p.mpn_id, a.old_value->>'assignedToId' AS before, a.new_value->>'assignedToId' AS after FROM audit_record a JOIN partner p ON p.id = a.partner_id
        WHERE a.new_value->>'id' = $1 AND a.operation_type = 'update_referral' ORDER BY a.at`,
      [id],
    );
    expect(records).toEqual([
      { mpn_id: MPN.contoso, before: null, after: ruId("contoso") },
      { mpn_id: MPN.fabrikam, before: null, after: ruId("fabrikam") },
    ]);
  });

  it("unassigns with userId: null; the Referrals user then no longer reaches it", async () => {
    const id = await incoming({ assigned: true });
    expect(dataOf(await ru().run(REFERRAL_NODE, { id })).node).not.toBeNull();
    expect((await assign(id, null)).referral.assignedTo).toBeNull();
    expect(dataOf(await ru().run(REFERRAL_NODE, { id })).node).toBeNull();
    expect(codesOf(dataOf(await ru().run(REFERRAL_ACCEPT, { input: acceptInput(id) })).referralAccept.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
  });

  it("refuses a user without REFERRALS_USER (INVALID), a user of another partner or an unknown id (NOT_FOUND), an unknown referral (NOT_FOUND)", async () => {
    const id = await incoming();
    expect(codesOf((await assign(id, globalIdOf("PartnerUser", userId("contoso", GA)))).userErrors)).toEqual([{ code: "INVALID", field: "input.userId" }]);
    expect(codesOf((await assign(id, globalIdOf("PartnerUser", userId("contoso", RA)))).userErrors)).toEqual([{ code: "INVALID", field: "input.userId" }]);
    expect(codesOf((await assign(id, ruId("fabrikam"))).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.userId" }]);
    expect(codesOf((await assign(id, "garbage")).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.userId" }]);
    expect(codesOf((await assign(id, globalIdOf("Referral", userId("contoso", RU)))).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.userId" }]);
    expect(codesOf((await assign(globalIdOf("Referral", "00000000-0000-4000-8000-000000000000"), ruId("contoso"))).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    expect(dataOf(await contosoAdmin().run(REFERRAL_NODE, { id })).node.assignedTo).toBeNull();
  });

  it("may assign a closed referral (assignment is not a state transition)", async () => {
    const id = await incoming();
    await contosoAdmin().run(REFERRAL_DECLINE, { input: { id, reason: "No." } });
    expect((await assign(id, ruId("contoso"))).referral).toMatchObject({ status: "CLOSED", substatus: "DECLINED", assignedTo: { email: "referrals.user@contoso.example" } });
  });
});

describe("isolation", () => {
  it("a third partner sees nothing of a referral between two others, by list, node or nodes", async () => {
    const northwind = app.as("northwind", GA);
    const ids = dataOf(await northwind.run(`{ referrals(first: 500) { nodes { id } } }`)).referrals.nodes.map((n: any) => n.id);
    expect(ids).not.toContain(assigned);
    expect(ids).not.toContain(unassigned);
    expect(dataOf(await northwind.run(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [assigned, unassigned] })).nodes).toEqual([null, null]);
    expect(codesOf(dataOf(await northwind.run(REFERRAL_ASSIGN, { input: { id: assigned, userId: ruId("northwind") } })).referralAssign.userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
  });

  it("the US Government cloud has no referrals: empty list, nodes of commercial referrals unknown, sending refused", async () => {
    for (const role of [GA, RA, RU]) {
      const tailspin = app.as("tailspin", role);
      const result = dataOf(await tailspin.run(`query($id: ID!) { referrals { totalCount nodes { id } } node(id: $id) { id } }`, { id: assigned }));
      expect(result).toEqual({ referrals: { totalCount: 0, nodes: [] }, node: null });
    }
    expect(codesOf(dataOf(await app.as("tailspin", RA).run(REFERRAL_CREATE, { input: referralInput({ toPartnerMpnId: MPN.contoso }) })).referralCreate.userErrors)).toEqual([
      { code: "FEATURE_UNAVAILABLE_IN_CLOUD", field: null },
    ]);
    expect(codesOf(dataOf(await contosoAdmin().run(REFERRAL_CREATE, { input: referralInput({ toPartnerMpnId: MPN.tailspin }) })).referralCreate.userErrors)).toEqual([
      { code: "NOT_FOUND", field: "input.toPartnerMpnId" },
    ]);
  });
});

import { spawn } from "node:child_process";
import path from "node:path";
import { Client } from "pg";
import { ALL_ROLES } from "../../src/auth/roles";
import { CAPABILITIES } from "../../src/auth/permissions";
import { userEmail, userId } from "../../src/db/seed/demo-data";
import { encodeGlobalId } from "../../src/graphql/relay";
import { dataOf, GqlResult, partnerId, PartnerKey, PartnerRole, TEST_JWT_SECRET, TestApp } from "../support/harness";

/**
 * `partnerUsers` and `partnerUserRolesSet`: the caller's partner's users only,
 * the role matrix, the partner's last Global admin (also under concurrent
 * calls), the audit record, and a role taken away stopping on the user's next
 * request whatever its token still says.
 */
let app: TestApp;

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const { GLOBAL_ADMIN: GA, USER_MANAGEMENT_ADMIN: UMA, SALES_AGENT: SA, HELPDESK_AGENT: HA, BILLING_ADMIN: BA, REFERRALS_ADMIN: RA } = PartnerRole;

const USERS = `query Users($first: Int, $after: String, $last: Int, $before: String, $filter: PartnerUserFilter) {
  partnerUsers(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    totalCount
    nodes { id email displayName roles createdAt }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const ROLES_SET = `mutation Set($input: PartnerUserRolesSetInput!) {
  partnerUserRolesSet(input: $input) { user { id email roles } userErrors { field code message } clientMutationId }
}`;

const VIEWER_ROLES = "{ viewer { user { id roles } } }";

const userGid = (partner: PartnerKey, role: PartnerRole) => encodeGlobalId("PartnerUser", userId(partner, role));

function forbiddenAt(result: GqlResult, field: string): boolean {
  return (result.errors ?? []).some((e) => e.extensions?.code === "FORBIDDEN" && e.path?.[0] === field);
}

async function storedRoles(partner: PartnerKey, role: PartnerRole): Promise<string[]> {
  const [row] = await app.sql<{ roles: string[] }>("SELECT roles FROM partner_user WHERE id = $1", [userId(partner, role)]);
  return row!.roles;
}

/** A token whose iat lies after the user's last role change (iat has whole seconds): what `npm run token` prints now. */
async function tokenSignedAfterChange(partner: PartnerKey, role: PartnerRole, roles: PartnerRole[]): Promise<string> {
  const [row] = await app.sql<{ changed: Date | null }>("SELECT roles_changed_at AS changed FROM partner_user WHERE id = $1", [userId(partner, role)]);
  const changed = row!.changed?.getTime() ?? 0;
  while (Math.floor(Date.now() / 1000) * 1000 <= changed) await new Promise((resolve) => setTimeout(resolve, 50));
  return app.tokens.sign({ sub: userId(partner, role), pid: partnerId(partner), roles, email: userEmail(partner, role) });
}

function setRoles(caller: { run(query: string, variables?: Record<string, unknown>): Promise<GqlResult> }, partner: PartnerKey, role: PartnerRole, roles: PartnerRole[]) {
  return caller.run(ROLES_SET, { input: { userId: userGid(partner, role), roles } });
}

describe("partnerUsers", () => {
  it("lists the caller's partner's demo users, one per role holding that role, in email order", async () => {
    const result = dataOf(await app.as("contoso", GA).run(USERS, { first: 50 })).partnerUsers;
    expect(result.totalCount).toBe(ALL_ROLES.length);
    const emails = result.nodes.map((u: any) => u.email);
    expect(emails).toEqual(ALL_ROLES.map((role) => userEmail("contoso", role)).sort());
    for (const user of result.nodes) {
      const role = ALL_ROLES.find((r) => userEmail("contoso", r) === user.email)!;
      expect(user).toEqual({ id: userGid("contoso", role), email: userEmail("contoso", role), displayName: expect.stringMatching(/^Contoso Cloud Direct /), roles: [role], createdAt: expect.any(String) });
    }
    expect(emails).toContain("global.admin@contoso.example");
    expect(result.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it("pages forward and backward with stable cursors", async () => {
    const caller = app.as("contoso", UMA);
    const all = dataOf(await caller.run(USERS, {})).partnerUsers.nodes.map((u: any) => u.email);
    const first = dataOf(await caller.run(USERS, { first: 4 })).partnerUsers;
    expect(first.nodes.map((u: any) => u.email)).toEqual(all.slice(0, 4));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = dataOf(await caller.run(USERS, { first: 4, after: first.pageInfo.endCursor })).partnerUsers;
    expect(second.nodes.map((u: any) => u.email)).toEqual(all.slice(4, 8));
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const third = dataOf(await caller.run(USERS, { first: 4, after: second.pageInfo.endCursor })).partnerUsers;
    expect(third.nodes.map((u: any) => u.email)).toEqual(all.slice(8));
    expect(third.pageInfo.hasNextPage).toBe(false);
    const back = dataOf(await caller.run(USERS, { last: 3, before: third.pageInfo.startCursor })).partnerUsers;
    expect(back.nodes.map((u: any) => u.email)).toEqual(all.slice(5, 8));
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const tooLarge = await caller.run(USERS, { first: 501 });
    expect(tooLarge.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("filters by role and by a case-insensitive substring of the email or the display name", async () => {
    const caller = app.as("fabrikam", GA);
    const emailsOf = async (filter: Record<string, unknown>) => dataOf(await caller.run(USERS, { filter })).partnerUsers.nodes.map((u: any) => u.email);
    expect(await emailsOf({ role: SA })).toEqual(["sales.agent@fabrikam.example"]);
    expect(await emailsOf({ search: "SALES" })).toEqual(["sales.agent@fabrikam.example"]);
    expect(await emailsOf({ search: "distribution HELPDESK" })).toEqual(["helpdesk.agent@fabrikam.example"]); // the display name
    expect(await emailsOf({ search: "referrals" })).toEqual(["referrals.admin@fabrikam.example", "referrals.user@fabrikam.example"]);
    expect(await emailsOf({ search: "referrals", role: RA })).toEqual(["referrals.admin@fabrikam.example"]);
    expect(await emailsOf({ search: "  " })).toHaveLength(ALL_ROLES.length); // blank: no filter
    expect(await emailsOf({ search: "contoso" })).toEqual([]);
  });

  it("matches %, _ and \\ as themselves in search", async () => {
    await app.sql(`INSERT INTO partner_user (id, partner_id, email, display_name, roles) VALUES (gen_random_uuid(), $1, 'odd.user@litware.example', $2, '{HELPDESK_AGENT}')`, [
      partnerId("litware"),
      "Odd 100% under_score back\\slash",
    ]);
    const caller = app.as("litware", GA);
    const emailsOf = async (search: string) => dataOf(await caller.run(USERS, { filter: { search } })).partnerUsers.nodes.map((u: any) => u.email);
    expect(await emailsOf("%")).toEqual(["odd.user@litware.example"]);
    expect(await emailsOf("_")).toEqual(["odd.user@litware.example"]);
    expect(await emailsOf("\\")).toEqual(["odd.user@litware.example"]);
    expect(await emailsOf("0% u")).toEqual(["odd.user@litware.example"]);
    expect(await emailsOf("k_a")).toEqual([]); // `_` is no wildcard: "helpdesk.agent@…" does not match
    expect(dataOf(await caller.run(USERS, { filter: { role: HA } })).partnerUsers.totalCount).toBe(2);
  });

  it("shows each partner only its own users, US Government included", async () => {
    for (const partner of ["contoso", "tailspin", "adatum"] as const) {
      const users = dataOf(await app.as(partner, GA).run(USERS, {})).partnerUsers.nodes;
      expect(users).toHaveLength(ALL_ROLES.length);
      expect(users.every((u: any) => u.email.endsWith(`@${partner}.example`))).toBe(true);
    }
    // another partner's user by id: as if it did not exist
    const node = dataOf(await app.as("contoso", GA).run(`query($id: ID!) { node(id: $id) { id } }`, { id: userGid("tailspin", GA) }));
    expect(node.node).toBeNull();
  });

  it.each(ALL_ROLES)("%s: reads partnerUsers only with a role that may", async (role) => {
    const result = await app.as("northwind", role).run(USERS, { first: 1 });
    if ((CAPABILITIES.readPartnerUsers as readonly PartnerRole[]).includes(role)) {
      expect(dataOf(result).partnerUsers.totalCount).toBe(ALL_ROLES.length);
    } else {
      expect(result.data?.partnerUsers).toBeNull();
      expect(forbiddenAt(result, "partnerUsers")).toBe(true);
    }
  });

  it("is readable by Global admins, User management admins and Referrals admins", () => {
    expect([...CAPABILITIES.readPartnerUsers].sort()).toEqual([GA, RA, UMA].sort());
    expect([...CAPABILITIES.setUserRoles].sort()).toEqual([GA, UMA].sort()); // DOMAIN.md's row for partnerUserRolesSet
  });
});

describe("partnerUserRolesSet", () => {
  it.each(ALL_ROLES)("%s: sets roles only with a role that may (GLOBAL_ADMIN, USER_MANAGEMENT_ADMIN)", async (role) => {
    const caller = app.as("adatum", role);
    const changed = await caller.run(ROLES_SET, { input: { userId: userGid("adatum", BA), roles: [HA, BA], clientMutationId: `by-${role}` } });
    if ((CAPABILITIES.setUserRoles as readonly PartnerRole[]).includes(role)) {
      expect(dataOf(changed).partnerUserRolesSet).toEqual({
        user: { id: userGid("adatum", BA), email: userEmail("adatum", BA), roles: [HA, BA] }, // stored in the enum's order
        userErrors: [],
        clientMutationId: `by-${role}`,
      });
      expect(await storedRoles("adatum", BA)).toEqual([HA, BA]);
      expect(dataOf(await setRoles(caller, "adatum", BA, [BA])).partnerUserRolesSet.userErrors).toEqual([]);
    } else {
      expect(changed.data?.partnerUserRolesSet).toBeNull();
      expect(forbiddenAt(changed, "partnerUserRolesSet")).toBe(true);
    }
    expect(await storedRoles("adatum", BA)).toEqual([BA]);
  });

  it("finds no user of another partner, US Government included: NOT_FOUND on userId, nothing changes", async () => {
    const caller = app.as("contoso", GA);
    for (const id of [userGid("fabrikam", SA), userGid("tailspin", SA), encodeGlobalId("Customer", userId("contoso", SA)), "not-an-id"]) {
      const result = dataOf(await caller.run(ROLES_SET, { input: { userId: id, roles: [BA] } })).partnerUserRolesSet;
      expect(result.user).toBeNull();
      expect(result.userErrors).toEqual([{ field: ["input", "userId"], code: "NOT_FOUND", message: expect.any(String) }]);
    }
    expect(await storedRoles("fabrikam", SA)).toEqual([SA]);
    expect(await storedRoles("tailspin", SA)).toEqual([SA]);
  });

  it("needs at least one role, each once, and reports every problem at once", async () => {
    const caller = app.as("contoso", UMA);
    const empty = dataOf(await caller.run(ROLES_SET, { input: { userId: userGid("contoso", HA), roles: [] } })).partnerUserRolesSet;
    expect(empty.userErrors).toEqual([{ field: ["input", "roles"], code: "REQUIRED", message: expect.any(String) }]);
    const twice = dataOf(await caller.run(ROLES_SET, { input: { userId: userGid("contoso", HA), roles: [HA, SA, HA] } })).partnerUserRolesSet;
    expect(twice.userErrors).toEqual([{ field: ["input", "roles", "2"], code: "INVALID", message: expect.any(String) }]);
    const both = dataOf(await caller.run(ROLES_SET, { input: { userId: userGid("litware", HA), roles: [SA, SA] } })).partnerUserRolesSet;
    expect(both.userErrors.map((e: any) => [e.code, e.field])).toEqual([
      ["INVALID", ["input", "roles", "1"]],
      ["NOT_FOUND", ["input", "userId"]],
    ]);
    expect(await storedRoles("contoso", HA)).toEqual([HA]);
  });

  it("lets only a Global admin grant or take away GLOBAL_ADMIN: GLOBAL_ADMIN_REQUIRED for a User management admin, itself included", async () => {
    const uma = app.as("litware", UMA);
    for (const [target, roles] of [[HA, [HA, GA]], [UMA, [UMA, GA]], [GA, [UMA]]] as const) {
      const result = dataOf(await setRoles(uma, "litware", target, [...roles])).partnerUserRolesSet;
      expect(result.user).toBeNull();
      expect(result.userErrors).toEqual([{ field: ["input", "roles"], code: "GLOBAL_ADMIN_REQUIRED", message: expect.any(String) }]);
    }
    expect(await storedRoles("litware", HA)).toEqual([HA]);
    expect(await storedRoles("litware", UMA)).toEqual([UMA]);
    expect(await storedRoles("litware", GA)).toEqual([GA]);
    // other roles stay the User management admin's to manage
    expect(dataOf(await setRoles(uma, "litware", HA, [HA, SA])).partnerUserRolesSet.userErrors).toEqual([]);
    expect(dataOf(await setRoles(uma, "litware", HA, [HA])).partnerUserRolesSet.userErrors).toEqual([]);
  });

  it("never takes the last GLOBAL_ADMIN away: LAST_GLOBAL_ADMIN on roles", async () => {
    {
      const caller = app.as("litware", GA);
      const result = dataOf(await setRoles(caller, "litware", GA, [UMA])).partnerUserRolesSet;
      expect(result.user).toBeNull();
      expect(result.userErrors).toEqual([{ field: ["input", "roles"], code: "LAST_GLOBAL_ADMIN", message: expect.any(String) }]);
    }
    expect(await storedRoles("litware", GA)).toEqual([GA]);
    // with a second Global admin the first may go
    expect(dataOf(await setRoles(app.as("litware", GA), "litware", UMA, [GA, UMA])).partnerUserRolesSet.userErrors).toEqual([]);
    expect(dataOf(await setRoles(app.as("litware", GA), "litware", GA, [UMA])).partnerUserRolesSet.user.roles).toEqual([UMA]);
    const last = dataOf(await setRoles(app.as("litware", UMA, GA), "litware", UMA, [UMA])).partnerUserRolesSet;
    expect(last.userErrors.map((e: any) => e.code)).toEqual(["LAST_GLOBAL_ADMIN"]);
    const [{ admins }] = await app.sql(`SELECT count(*)::int AS admins FROM partner_user WHERE partner_id = $1 AND 'GLOBAL_ADMIN' = ANY(roles)`, [partnerId("litware")]);
    expect(admins).toBe(1);
  });

  it("keeps a Global admin when two Global admins take the role from each other at once: one call wins", async () => {
    // northwind's User management admin becomes its second Global admin
    expect(dataOf(await setRoles(app.as("northwind", GA), "northwind", UMA, [GA, UMA])).partnerUserRolesSet.userErrors).toEqual([]);
    const first = app.as("northwind", GA);
    const second = app.as("northwind", UMA, GA); // the UMA user's token, signed with both roles
    const [firstToken, secondToken] = await Promise.all([first.token(), second.token()]);
    const lock = new Client({ connectionString: app.config.databaseUrl! });
    await lock.connect();
    let results: GqlResult[];
    try {
      // hold the partner row so both calls are in their transactions, waiting, before either decides
      await lock.query("BEGIN");
      await lock.query("SELECT 1 FROM partner WHERE id = $1 FOR NO KEY UPDATE", [partnerId("northwind")]);
      const racing = Promise.all([
        app.run(ROLES_SET, { input: { userId: userGid("northwind", UMA), roles: [UMA] } }, firstToken),
        app.run(ROLES_SET, { input: { userId: userGid("northwind", GA), roles: [UMA] } }, secondToken),
      ]);
      for (let waiting = 0, polls = 0; waiting < 2; polls++) {
        if (polls > 1_000) throw new Error("the two calls never waited for the partner row");
        await new Promise((resolve) => setTimeout(resolve, 20));
        const [row] = await app.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR NO KEY UPDATE%'`);
        waiting = row.n;
      }
      await lock.query("COMMIT");
      results = await racing;
    } finally {
      await lock.end();
    }
    const payloads = results.map((r) => dataOf(r).partnerUserRolesSet);
    const won = payloads.filter((p) => p.userErrors.length === 0);
    const lost = payloads.filter((p) => p.userErrors.length > 0);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].userErrors).toEqual([{ field: ["input", "roles"], code: "LAST_GLOBAL_ADMIN", message: expect.any(String) }]);
    const admins = await app.sql(`SELECT id FROM partner_user WHERE partner_id = $1 AND 'GLOBAL_ADMIN' = ANY(roles)`, [partnerId("northwind")]);
    expect(admins).toHaveLength(1);
    // one record for the promotion, one for the winner; the loser wrote none
    const [{ records }] = await app.sql(`SELECT count(*)::int AS records FROM audit_record WHERE partner_id = $1 AND operation_type = 'update_partner_user_roles'`, [partnerId("northwind")]);
    expect(records).toBe(2);
  });

  it("writes an audit record with the old and the new roles and the actor", async () => {
    const caller = app.as("fabrikam", UMA);
    expect(dataOf(await setRoles(caller, "fabrikam", HA, [HA, BA])).partnerUserRolesSet.userErrors).toEqual([]);
    const records = dataOf(
      await app.as("fabrikam", GA).run(`{ auditRecords(first: 10, filter: { resourceType: "partner_user" }) {
        totalCount nodes { operationType resourceType customer { id } actor { userId email roles } oldValue newValue at } } }`),
    ).auditRecords;
    expect(records.totalCount).toBe(1);
    expect(records.nodes[0]).toEqual({
      operationType: "update_partner_user_roles",
      resourceType: "partner_user",
      customer: null,
      actor: { userId: userGid("fabrikam", UMA), email: userEmail("fabrikam", UMA), roles: [UMA] },
      oldValue: { id: userGid("fabrikam", HA), email: userEmail("fabrikam", HA), roles: [HA] },
      newValue: { id: userGid("fabrikam", HA), email: userEmail("fabrikam", HA), roles: [HA, BA] },
      at: expect.any(String),
    });
    // a failed call writes nothing
    await setRoles(caller, "fabrikam", HA, []);
    expect(dataOf(await app.as("fabrikam", GA).run(`{ auditRecords(filter: { resourceType: "partner_user" }) { totalCount } }`)).auditRecords.totalCount).toBe(1);
  });
});

describe("a role taken away", () => {
  it("stops working on the user's next request with the same token; a token signed after the change works as signed", async () => {
    const agent = app.as("contoso", SA);
    const oldToken = await agent.token();
    const oldMulti = await app.as("contoso", SA, BA).token(); // the same user, signed with one more role
    const customers = "{ customers(first: 1) { totalCount } }";
    expect(dataOf(await app.run(customers, {}, oldToken)).customers.totalCount).toBeGreaterThan(0); // verified and cached
    expect(dataOf(await app.run(VIEWER_ROLES, {}, oldToken)).viewer.user.roles).toEqual([SA]);

    expect(dataOf(await setRoles(app.as("contoso", GA), "contoso", SA, [BA])).partnerUserRolesSet.user.roles).toEqual([BA]);

    const denied = await app.run(customers, {}, oldToken);
    expect(denied.data?.customers).toBeNull();
    expect(forbiddenAt(denied, "customers")).toBe(true);
    expect(dataOf(await app.run(VIEWER_ROLES, {}, oldToken)).viewer.user.roles).toEqual([]); // nothing of the token's roles is stored any more
    expect(dataOf(await app.run(VIEWER_ROLES, {}, oldMulti)).viewer.user.roles).toEqual([BA]); // only what is still stored

    // over HTTP as well: the same token is still authenticated, the revoked role is not there
    const response = await fetch(`${await app.url()}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${oldToken}` },
      body: JSON.stringify({ query: customers }),
    });
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.errors[0].extensions.code).toBe("FORBIDDEN");

    // `npm run token` after the change: the roles as signed, any of them
    const fresh = await tokenSignedAfterChange("contoso", SA, [SA]);
    expect(dataOf(await app.run(customers, {}, fresh)).customers.totalCount).toBeGreaterThan(0);
    expect(dataOf(await app.run(VIEWER_ROLES, {}, fresh)).viewer.user.roles).toEqual([SA]);

    // given back, the old token works again (it claims SA, and SA is stored)
    expect(dataOf(await setRoles(app.as("contoso", GA), "contoso", SA, [SA])).partnerUserRolesSet.userErrors).toEqual([]);
    expect(dataOf(await app.run(customers, {}, oldToken)).customers.totalCount).toBeGreaterThan(0);
    expect(dataOf(await app.run(VIEWER_ROLES, {}, oldMulti)).viewer.user.roles).toEqual([SA]);
  });

  it("takes a Global admin's own revoked role away from its next request", async () => {
    // tailspin (US Government): a second Global admin, then the first one gives up the role itself
    expect(dataOf(await setRoles(app.as("tailspin", GA), "tailspin", HA, [GA, HA])).partnerUserRolesSet.userErrors).toEqual([]);
    const admin = app.as("tailspin", GA);
    const token = await admin.token();
    expect(dataOf(await app.run(ROLES_SET, { input: { userId: userGid("tailspin", GA), roles: [BA] } }, token)).partnerUserRolesSet.user.roles).toEqual([BA]);
    const again = await app.run(ROLES_SET, { input: { userId: userGid("tailspin", GA), roles: [GA] } }, token);
    expect(forbiddenAt(again, "partnerUserRolesSet")).toBe(true);
    expect(await storedRoles("tailspin", GA)).toEqual([BA]);
  });

  it("viewer.user.roles equals the roles of a fresh token, whatever is stored", async () => {
    for (const roles of [[SA], [GA, BA], [HA, RA, UMA]] as PartnerRole[][]) {
      const token = await tokenSignedAfterChange("contoso", SA, roles);
      const expected = ALL_ROLES.filter((r) => roles.includes(r));
      expect([...dataOf(await app.run(VIEWER_ROLES, {}, token)).viewer.user.roles].sort()).toEqual([...expected].sort());
    }
    // the list shows what is stored
    const listed = dataOf(await app.as("contoso", GA).run(USERS, { filter: { search: "sales.agent" } })).partnerUsers.nodes;
    expect(listed.map((u: any) => u.roles)).toEqual([[SA]]);
  });
});

describe("npm run token", () => {
  function printToken(args: string[]): Promise<{ code: number | null; stdout: string }> {
    const child = spawn(process.execPath, [path.join(__dirname, "..", "..", "dist", "src", "cli", "token.js"), ...args], {
      env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout })));
  }

  it("signs for --user alone with that demo user's role, and after a role change its token works as signed", async () => {
    const own = await printToken(["--partner", "1000006", "--user", "referrals.user@adatum.example"]);
    expect(own.code).toBe(0);
    expect(dataOf(await app.run(VIEWER_ROLES, {}, own.stdout.trim())).viewer.user).toEqual({ id: userGid("adatum", PartnerRole.REFERRALS_USER), roles: ["REFERRALS_USER"] });

    expect(dataOf(await setRoles(app.as("adatum", GA), "adatum", PartnerRole.REFERRALS_USER, [RA])).partnerUserRolesSet.userErrors).toEqual([]);
    await tokenSignedAfterChange("adatum", PartnerRole.REFERRALS_USER, [RA]); // only waits for the next second
    const printed = await printToken(["--partner", "1000006", "--role", "SALES_AGENT", "--user", "referrals.user@adatum.example"]);
    expect(printed.code).toBe(0);
    expect(dataOf(await app.run(VIEWER_ROLES, {}, printed.stdout.trim())).viewer.user.roles).toEqual(["SALES_AGENT"]);
    expect(dataOf(await app.run(VIEWER_ROLES, {}, own.stdout.trim())).viewer.user.roles).toEqual([]); // issued before the change
  });
});

import { PartnerRole } from "../../src/auth/roles";
import { LINK_REMOVE, PROVIDER_AUTHORIZE, REQUEST_CANCEL, REQUEST_CREATE, RESELLER_INVITE } from "../support/fixtures";
import { dataOf, GqlResult, TestApp } from "../support/harness";
import { globalIdOf } from "../support/kit";

const { GLOBAL_ADMIN: GA, USER_MANAGEMENT_ADMIN: UMA, ADMIN_AGENT: AA, SALES_AGENT: SA, HELPDESK_AGENT: HA } = PartnerRole;
const ALL = Object.values(PartnerRole);

/** DOMAIN.md's role matrix for the relationship operations, written out independently of src/auth/permissions.ts. */
const MATRIX = {
  relationshipRequests: [GA, UMA, AA, SA],
  manageResellerLinks: [GA, UMA, AA, SA],
  indirectProviderAuthorize: [GA],
  readIndirectRelationships: [GA, UMA, AA, SA, HA],
};

let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
  // one pending link per role for the reseller to authorize: extra US resellers with a user each, each invited by Fabrikam
  for (const [i, role] of ALL.entries()) {
    await app.sql(
      `WITH p AS (INSERT INTO partner (id, mpn_id, name, type, cloud, country, region, mpa_signed)
                  VALUES (gen_random_uuid(), $1, $2, 'INDIRECT_RESELLER', 'COMMERCIAL', 'US', 'NORTH_AMERICA', true) RETURNING id),
            u AS (INSERT INTO partner_user (partner_id, email, display_name, roles) SELECT id, 'someone@reseller.example', 'Someone', ARRAY[$3] FROM p)
       INSERT INTO indirect_relationship (provider_id, reseller_id, status) SELECT (SELECT id FROM partner WHERE mpn_id = '1000002'), id, 'PENDING' FROM p`,
      [String(2000000 + i), `Role reseller ${role}`, role],
    );
  }
});
afterAll(() => app?.close());

function forbiddenAt(result: GqlResult, path: string): boolean {
  return (result.errors ?? []).some((e) => e.extensions?.code === "FORBIDDEN" && e.path?.join(".") === path);
}

describe.each(ALL)("role %s", (role) => {
  it(MATRIX.relationshipRequests.includes(role) ? "creates, lists and cancels relationship requests" : "may not create, list or cancel relationship requests", async () => {
    const caller = app.as("contoso", role);
    const created = await caller.run(REQUEST_CREATE, { input: {} });
    const listed = await caller.run(`{ relationshipRequests(first: 1) { nodes { id } } }`);
    if (MATRIX.relationshipRequests.includes(role)) {
      const request = dataOf(created).relationshipRequestCreate.relationshipRequest;
      expect(request.status).toBe("PENDING");
      expect(dataOf(listed).relationshipRequests.nodes).toHaveLength(1);
      const cancelled = dataOf(await caller.run(REQUEST_CANCEL, { input: { id: request.id } })).relationshipRequestCancel;
      expect(cancelled.relationshipRequest.status).toBe("CANCELLED");
    } else {
      expect(created.data?.relationshipRequestCreate).toBeNull();
      expect(forbiddenAt(created, "relationshipRequestCreate")).toBe(true);
      expect(forbiddenAt(listed, "relationshipRequests")).toBe(true);
      const [any] = await app.sql(`SELECT r.id FROM relationship_request r JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' WHERE r.status = 'PENDING' AND r.expires_at > now() LIMIT 1`);
      const cancel = await caller.run(REQUEST_CANCEL, { input: { id: globalIdOf("RelationshipRequest", any.id) } });
      expect(forbiddenAt(cancel, "relationshipRequestCancel")).toBe(true);
    }
  });

  it(MATRIX.manageResellerLinks.includes(role) ? "invites and removes reseller links (provider)" : "may not invite or remove reseller links", async () => {
    const caller = app.as("fabrikam", role);
    const invited = await caller.run(RESELLER_INVITE, { input: { resellerMpnId: "1000004" } });
    if (MATRIX.manageResellerLinks.includes(role)) {
      const link = dataOf(invited).indirectResellerInvite.indirectRelationship;
      expect(link.status).toBe("PENDING");
      const removed = dataOf(await caller.run(LINK_REMOVE, { input: { id: link.id } })).indirectRelationshipRemove;
      expect(removed.indirectRelationship.status).toBe("REMOVED");
    } else {
      expect(invited.data?.indirectResellerInvite).toBeNull();
      expect(forbiddenAt(invited, "indirectResellerInvite")).toBe(true);
      const [link] = await app.sql(`SELECT l.id FROM indirect_relationship l JOIN partner p ON p.id = l.reseller_id AND p.mpn_id = '1000003'`);
      const removal = await caller.run(LINK_REMOVE, { input: { id: globalIdOf("IndirectRelationship", link.id) } });
      expect(forbiddenAt(removal, "indirectRelationshipRemove")).toBe(true);
      const [still] = await app.sql(`SELECT status FROM indirect_relationship WHERE id = $1`, [link.id]);
      expect(still.status).toBe("ACTIVE");
    }
  });

  it(MATRIX.indirectProviderAuthorize.includes(role) ? "authorizes a provider (reseller)" : "may not authorize a provider", async () => {
    const [link] = await app.sql(
      `SELECT l.id, l.reseller_id, u.id AS user_id FROM indirect_relationship l JOIN partner p ON p.id = l.reseller_id AND p.name = $1 JOIN partner_user u ON u.partner_id = p.id`,
      [`Role reseller ${role}`],
    );
    const token = await app.tokens.sign({ sub: link.user_id, pid: link.reseller_id, roles: [role], email: "someone@reseller.example" });
    const result = await app.run(PROVIDER_AUTHORIZE, { input: { id: globalIdOf("IndirectRelationship", link.id) } }, token);
    const [after] = await app.sql(`SELECT status FROM indirect_relationship WHERE id = $1`, [link.id]);
    if (MATRIX.indirectProviderAuthorize.includes(role)) {
      expect(dataOf(result).indirectProviderAuthorize.indirectRelationship.status).toBe("ACTIVE");
      expect(after.status).toBe("ACTIVE");
    } else {
      expect(forbiddenAt(result, "indirectProviderAuthorize")).toBe(true);
      expect(after.status).toBe("PENDING");
    }
  });

  it(MATRIX.readIndirectRelationships.includes(role) ? "reads indirect links" : "may not read indirect links", async () => {
    const result = await app.as("northwind", role).run(`{ indirectProviders { nodes { status provider { name } } } indirectResellers { totalCount } }`);
    if (MATRIX.readIndirectRelationships.includes(role)) {
      expect(dataOf(result)).toEqual({ indirectProviders: { nodes: [{ status: "ACTIVE", provider: { name: "Fabrikam Distribution" } }] }, indirectResellers: { totalCount: 0 } });
    } else {
      expect(forbiddenAt(result, "indirectProviders")).toBe(true);
      expect(forbiddenAt(result, "indirectResellers")).toBe(true);
    }
  });
});

describe("clouds", () => {
  it("keeps US Government and commercial apart for every new query", async () => {
    const tailspin = app.as("tailspin", GA);
    expect(dataOf(await tailspin.run(`{ relationshipRequests { totalCount } indirectResellers { totalCount } indirectProviders { totalCount } }`))).toEqual({
      relationshipRequests: { totalCount: 0 },
      indirectResellers: { totalCount: 0 },
      indirectProviders: { totalCount: 0 },
    });
    const [request] = await app.sql(`SELECT r.id FROM relationship_request r JOIN partner p ON p.id = r.partner_id AND p.mpn_id = '1000001' LIMIT 1`);
    const [link] = await app.sql(`SELECT id, provider_id FROM indirect_relationship LIMIT 1`);
    const ids = [
      globalIdOf("RelationshipRequest", request.id),
      globalIdOf("IndirectRelationship", link.id),
      globalIdOf("Partner", link.provider_id),
    ];
    expect(dataOf(await tailspin.run(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids })).nodes).toEqual([null, null, null]);
    const invite = dataOf(await tailspin.run(RESELLER_INVITE, { input: { resellerMpnId: "1000003" } })).indirectResellerInvite;
    expect(invite.userErrors.map((e: any) => e.code)).toEqual(["NOT_FOUND"]);
  });
});

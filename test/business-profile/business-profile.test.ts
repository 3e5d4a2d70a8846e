import crypto from "node:crypto";
import { ALL_ROLES } from "../../src/auth/roles";
import { requestScope } from "../../src/db/sql-stats";
import { CacheBus } from "../../src/server/cache-bus";
import { globalIdOf } from "../support/fixtures";
import { dataOf, GqlResult, partnerId, PartnerRole, TestApp } from "../support/harness";
import { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from "../support/redis";

const PROFILE_FIELDS = "description website industries products services targetCustomerSizes locations { name addressLine1 city state postalCode country } etag updatedAt";
const READ = `{ viewer { partner { name businessProfile { ${PROFILE_FIELDS} } } } }`;
const UPDATE = `
  mutation($input: BusinessProfileUpdateInput!) {
    businessProfileUpdate(input: $input) {
      businessProfile { ${PROFILE_FIELDS} }
      userErrors { field code message }
      clientMutationId
    }
  }`;
const AUDIT = `{ auditRecords(first: 100, filter: { resourceType: "business_profile" }) { nodes { operationType resourceType customer { id } actor { email roles } oldValue newValue } } }`;

const { REFERRALS_ADMIN: RA, BUSINESS_PROFILE_ADMIN: BPA, GLOBAL_ADMIN: GA } = PartnerRole;
const UPDATERS = [RA, BPA];

type Key = Parameters<TestApp["as"]>[0];

let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

async function read(partner: Key, role: PartnerRole = GA) {
  return dataOf(await app.as(partner, role).run(READ)).viewer.partner.businessProfile;
}

function update(partner: Key, input: Record<string, unknown>, ...roles: PartnerRole[]): Promise<GqlResult> {
  return app.as(partner, ...(roles.length ? roles : [BPA])).run(UPDATE, { input });
}

async function payload(partner: Key, input: Record<string, unknown>, ...roles: PartnerRole[]) {
  return dataOf(await update(partner, input, ...roles)).businessProfileUpdate;
}

/** `[code, "input.path"]` of each user error, for exact comparisons. */
function problems(p: { userErrors: { code: string; field: string[] | null }[] }): [string, string][] {
  return p.userErrors.map((e) => [e.code, (e.field ?? []).join(".")]);
}

async function version(partner: Key): Promise<number | null> {
  const rows = await app.sql<{ version: number }>("SELECT version FROM business_profile WHERE partner_id = $1", [partnerId(partner)]);
  return rows[0]?.version ?? null;
}

async function auditCount(partner: Key): Promise<number> {
  const [row] = await app.sql<{ n: number }>("SELECT count(*)::int AS n FROM audit_record WHERE partner_id = $1 AND resource_type = 'business_profile'", [partnerId(partner)]);
  return row!.n;
}

/** A partner without a profile, as every instance's cache sees it. */
async function withoutProfile(partner: Key): Promise<void> {
  await app.sql("DELETE FROM business_profile WHERE partner_id = $1", [partnerId(partner)]);
  const { services } = await app.app.contextFor();
  await services.businessProfiles.invalidateProfile(partnerId(partner));
}

/** A valid location; override any part. */
const location = (overrides: Record<string, unknown> = {}) => ({ name: "Office", addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US", ...overrides });

describe("Partner.businessProfile", () => {
  it("shows the viewer's partner's demo profile", async () => {
    const profile = await read("contoso");
    expect(profile).toMatchObject({
      website: "https://www.contoso.example",
      industries: ["Professional services", "Retail", "Healthcare"],
      targetCustomerSizes: ["SMALL", "MEDIUM"],
      etag: 'W/"1"',
      updatedAt: "2025-01-01T00:00:00.000Z",
    });
    expect(profile.locations[0]).toEqual({ name: "Head office", addressLine1: "1 Microsoft Way", city: "Seattle", state: "WA", postalCode: "98101", country: "US" });
  });

  it("gives every commercial demo partner but Litware a profile", async () => {
    for (const partner of ["contoso", "fabrikam", "northwind", "adatum", "lucerne", "margie", "consolidated", "graphic"] as const) {
      expect(await read(partner)).not.toBeNull();
    }
  });

  it("is null, without an error, for a partner without one (Litware)", async () => {
    const result = await app.as("litware", GA).run(READ);
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer.partner).toEqual({ name: "Litware Partners", businessProfile: null });
  });

  it("is null for a US Government partner, even if a row exists", async () => {
    await app.sql("INSERT INTO business_profile (partner_id, description) VALUES ($1, 'should never show')", [partnerId("tailspin")]);
    try {
      const result = await app.as("tailspin", GA).run(READ);
      expect(result.errors).toBeUndefined();
      expect(result.data.viewer.partner.businessProfile).toBeNull();
      const ctx = await app.app.contextFor();
      expect(await ctx.services.businessProfiles.ofPartner(ctx, partnerId("tailspin"))).toBeNull();
    } finally {
      await app.sql("DELETE FROM business_profile WHERE partner_id = $1", [partnerId("tailspin")]);
    }
  });

  it.each(ALL_ROLES)("may be read by %s (every user of the partner)", async (role) => {
    const result = await app.as("adatum", role).run(READ);
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer.partner.businessProfile.website).toBe("https://www.adatum.example");
  });

  it("shows a linked partner's profile where that partner is visible (public marketing data)", async () => {
    const providers = dataOf(await app.as("northwind", GA).run(`{ indirectProviders { nodes { provider { name businessProfile { website } } } } }`));
    expect(providers.indirectProviders.nodes).toEqual([{ provider: { name: "Fabrikam Distribution", businessProfile: { website: "https://www.fabrikam.example" } } }]);
    const resellers = dataOf(await app.as("fabrikam", GA).run(`{ indirectResellers(filter: { status: ACTIVE }) { nodes { reseller { name businessProfile { website } } } } }`));
    expect(resellers.indirectResellers.nodes).toEqual([{ reseller: { name: "Northwind Solutions", businessProfile: { website: "https://www.northwind.example" } } }]);
  });

  it("is out of reach for a partner that cannot see the other partner", async () => {
    const query = `query($id: ID!) { node(id: $id) { ... on Partner { name businessProfile { website } } } }`;
    const result = await app.as("litware", GA).run(query, { id: globalIdOf("Partner", partnerId("contoso")) });
    expect(result.errors).toBeUndefined();
    expect(result.data.node).toBeNull();
  });

  it("loads the profiles of a page of partners in one statement, then from the process cache", async () => {
    const query = (withProfile: boolean) => `{ indirectResellers { nodes { reseller { name ${withProfile ? "businessProfile { website }" : ""} } } } }`;
    const fabrikam = app.as("fabrikam", GA);
    await fabrikam.run(query(false)); // partner rows cached
    const bare = (await fabrikam.run(query(false))).sql;
    const { services } = await app.app.contextFor();
    for (const key of ["northwind", "consolidated", "graphic"]) await services.businessProfiles.invalidateProfile(partnerId(key));

    const cold = await fabrikam.run(query(true));
    expect(cold.data.indirectResellers.nodes).toHaveLength(3);
    expect(cold.data.indirectResellers.nodes.every((n: { reseller: { businessProfile: unknown } }) => n.reseller.businessProfile !== null)).toBe(true);
    expect(cold.sql).toBe(bare + 1);
    expect((await fabrikam.run(query(true))).sql).toBe(bare);
  });
});

describe("businessProfiles.ofPartner (for other modules)", () => {
  it("reads any partner's profile unscoped, batched per request, null without one", async () => {
    const { services } = await app.app.contextFor();
    const keys = ["fabrikam", "adatum", "litware"] as const;
    for (const key of keys) await services.businessProfiles.invalidateProfile(partnerId(key));
    const scope = { requestId: crypto.randomUUID(), sql: { statements: 0 } };
    const found = await requestScope.run(scope, async () => {
      const ctx = await app.app.contextFor(undefined, scope);
      return Promise.all(keys.map((key) => ctx.services.businessProfiles.ofPartner(ctx, partnerId(key))));
    });
    expect(found.map((p) => p?.website ?? null)).toEqual(["https://www.fabrikam.example", "https://www.adatum.example", null]);
    expect(scope.sql.statements).toBe(1);
  });
});

describe("businessProfileUpdate", () => {
  it("replaces only the fields given, with a new etag, and echoes clientMutationId", async () => {
    const before = await read("northwind");
    const p = await payload("northwind", { description: "  Shops and restaurants, in the cloud.  ", clientMutationId: "m-1" });
    expect(p.userErrors).toEqual([]);
    expect(p.clientMutationId).toBe("m-1");
    expect(p.businessProfile).toEqual({ ...before, description: "Shops and restaurants, in the cloud.", etag: expect.any(String), updatedAt: expect.any(String) });
    expect(p.businessProfile.etag).not.toBe(before.etag);
    expect(new Date(p.businessProfile.updatedAt).getTime()).toBeGreaterThan(new Date(before.updatedAt).getTime());
    expect(await read("northwind")).toEqual(p.businessProfile); // the next read sees it (the cache was dropped)
  });

  it("replaces a list whole: trimmed, duplicates dropped ignoring case (the first spelling kept)", async () => {
    const p = await payload("northwind", { industries: [" Retail ", "retail", "Hospitality", "RETAIL", "Education"], products: [] });
    expect(p.businessProfile.industries).toEqual(["Retail", "Hospitality", "Education"]);
    expect(p.businessProfile.products).toEqual([]);
    expect(p.businessProfile.services).toEqual(["Deployment", "Helpdesk"]);
  });

  it("clears a text given as null and a list given as null", async () => {
    const p = await payload("graphic", { website: null, services: null, description: "   " });
    expect(p.businessProfile).toMatchObject({ website: null, services: [], description: null });
    expect(p.businessProfile.products).toEqual(["Microsoft 365", "Azure"]);
  });

  it("replaces every location when locations are given, upper-casing codes", async () => {
    const locations = [location({ name: "HQ", state: "wa" }), { name: "Remote team", country: "ca" }];
    const p = await payload("consolidated", { locations });
    expect(p.userErrors).toEqual([]);
    expect(p.businessProfile.locations).toEqual([
      { name: "HQ", addressLine1: "1 Main St", city: "Seattle", state: "WA", postalCode: "98101", country: "US" },
      { name: "Remote team", addressLine1: null, city: null, state: null, postalCode: null, country: "CA" },
    ]);
  });

  it("creates the profile on the first update (etag W/\"1\", audit with no old value)", async () => {
    await withoutProfile("margie");
    expect(await read("margie")).toBeNull();
    const p = await payload("margie", { website: "http://margie.example/it" });
    expect(p.userErrors).toEqual([]);
    expect(p.businessProfile).toMatchObject({ website: "http://margie.example/it", description: null, industries: [], locations: [], etag: 'W/"1"' });
    expect(await read("margie")).toEqual(p.businessProfile);
    const [record] = await app.sql("SELECT old_value, new_value FROM audit_record WHERE partner_id = $1 AND operation_type = 'update_business_profile'", [partnerId("margie")]);
    expect(record).toMatchObject({ old_value: null, new_value: expect.objectContaining({ website: "http://margie.example/it", etag: 'W/"1"' }) });
  });

  it("applies an update whose ifMatch is the current etag", async () => {
    const { etag } = await read("fabrikam");
    const p = await payload("fabrikam", { ifMatch: etag, services: ["Reseller enablement"] });
    expect(p.userErrors).toEqual([]);
    expect(p.businessProfile.services).toEqual(["Reseller enablement"]);
  });

  it("refuses a stale ifMatch with STALE_ETAG and changes nothing", async () => {
    const { etag } = await read("fabrikam");
    await payload("fabrikam", { ifMatch: etag, description: "First" });
    const [v, audits] = [await version("fabrikam"), await auditCount("fabrikam")];
    const stale = await payload("fabrikam", { ifMatch: etag, description: "Second" });
    expect(stale.businessProfile).toBeNull();
    expect(problems(stale)).toEqual([["STALE_ETAG", "input.ifMatch"]]);
    expect((await read("fabrikam")).description).toBe("First");
    expect([await version("fabrikam"), await auditCount("fabrikam")]).toEqual([v, audits]);
  });

  it("refuses an ifMatch when there is no profile yet, and creates none", async () => {
    const stale = await payload("litware", { ifMatch: 'W/"1"', description: "x" });
    expect(problems(stale)).toEqual([["STALE_ETAG", "input.ifMatch"]]);
    expect(await version("litware")).toBeNull();
  });

  it("writes one audit record: update_business_profile on business_profile, with the actor and both values", async () => {
    const before = await read("adatum");
    const p = await payload("adatum", { products: ["Azure"] }, RA);
    const audit = dataOf(await app.as("adatum", GA).run(AUDIT)).auditRecords.nodes;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toEqual({
      operationType: "update_business_profile",
      resourceType: "business_profile",
      customer: null,
      actor: { email: "referrals.admin@adatum.example", roles: ["REFERRALS_ADMIN"] },
      oldValue: expect.objectContaining({ products: before.products, etag: before.etag, website: before.website }),
      newValue: expect.objectContaining({ products: ["Azure"], etag: p.businessProfile.etag, website: before.website }),
    });
  });

  it("runs in a fixed number of statements: partner, lock, update, audit inside one transaction", async () => {
    const caller = app.as("contoso", BPA);
    const auth = (await caller.run("{ __typename }")).sql; // whatever checking the token costs
    const result = await caller.run(UPDATE, { input: { description: "Counted." } });
    expect(dataOf(result).businessProfileUpdate.userErrors).toEqual([]);
    // partner row, BEGIN, SELECT … FOR UPDATE, UPDATE … RETURNING, INSERT audit, COMMIT
    expect(result.sql - auth).toBe(6);
    const refused = await caller.run(UPDATE, { input: { description: "x".repeat(2501) } });
    expect(problems(dataOf(refused).businessProfileUpdate)).toEqual([["TOO_LONG", "input.description"]]);
    expect(refused.sql - auth).toBe(1); // the partner row only: invalid input never opens a transaction
  });

  describe("validation (every problem at once, with its path; nothing written)", () => {
    async function refused(input: Record<string, unknown>): Promise<[string, string][]> {
      const [v, audits] = [await version("contoso"), await auditCount("contoso")];
      const p = await payload("contoso", input);
      expect(p.businessProfile).toBeNull();
      expect([await version("contoso"), await auditCount("contoso")]).toEqual([v, audits]);
      return problems(p);
    }

    it("description: at most 2,500 characters (TOO_LONG), counted as characters", async () => {
      expect(await refused({ description: "a".repeat(2501) })).toEqual([["TOO_LONG", "input.description"]]);
      expect((await payload("contoso", { description: "é".repeat(2500) })).userErrors).toEqual([]);
      expect((await payload("contoso", { description: "😀".repeat(2500) })).userErrors).toEqual([]); // 5,000 UTF-16 units
    });

    it.each(["ftp://contoso.example", "contoso.example", "not a url", "https://user:secret@contoso.example", "javascript:alert(1)", "https://contoso .example"])(
      "website: %s is INVALID (an http(s) URL)",
      async (website) => {
        expect(await refused({ website })).toEqual([["INVALID", "input.website"]]);
      },
    );

    it("website: at most 2,048 characters (TOO_LONG)", async () => {
      expect(await refused({ website: `https://contoso.example/${"a".repeat(2048)}` })).toEqual([["TOO_LONG", "input.website"]]);
    });

    it.each(["industries", "products", "services", "targetCustomerSizes"])("%s: at most 20 different entries of at most 100 characters, none blank", async (field) => {
      const many = Array.from({ length: 21 }, (_, i) => `Entry ${i}`);
      expect(await refused({ [field]: many })).toEqual([["TOO_LONG", `input.${field}`]]);
      expect(await refused({ [field]: ["ok", "x".repeat(101), " "] })).toEqual([
        ["TOO_LONG", `input.${field}.1`],
        ["REQUIRED", `input.${field}.2`],
      ]);
      // 21 entries of which two are one entry ignoring case: 20 remain
      const p = await payload("contoso", { [field]: [...many.slice(0, 20), "ENTRY 3"] });
      expect(p.userErrors).toEqual([]);
      expect(p.businessProfile[field]).toEqual(many.slice(0, 20));
    });

    it("locations: at most 5 (TOO_LONG)", async () => {
      expect(await refused({ locations: Array.from({ length: 6 }, (_, i) => location({ name: `Office ${i}` })) })).toEqual([["TOO_LONG", "input.locations"]]);
    });

    it("locations: the country is ISO alpha-2 (INVALID_COUNTRY), UK hinted to GB", async () => {
      const p = await payload("contoso", { locations: [location(), location(), location({ country: "UK", state: null, postalCode: null })] });
      expect(problems(p)).toEqual([["INVALID_COUNTRY", "input.locations.2.country"]]);
      expect(p.userErrors[0].message).toContain('"GB"');
      expect(await refused({ locations: [location({ country: "XX" })] })).toEqual([["INVALID_COUNTRY", "input.locations.0.country"]]);
      expect(await refused({ locations: [location({ country: " " })] })).toEqual([["REQUIRED", "input.locations.0.country"]]);
    });

    it("locations: a name, lengths, and the country's state list and postal code pattern", async () => {
      expect(
        await refused({
          locations: [
            location({ name: "  " }),
            location({ name: "n".repeat(101), addressLine1: "a".repeat(201), city: "c".repeat(101) }),
            location({ state: "ZZ", postalCode: "ABC" }),
            location({ country: "GB", state: "s".repeat(51), postalCode: "p".repeat(21) }),
          ],
        }),
      ).toEqual([
        ["REQUIRED", "input.locations.0.name"],
        ["TOO_LONG", "input.locations.1.name"],
        ["TOO_LONG", "input.locations.1.addressLine1"],
        ["TOO_LONG", "input.locations.1.city"],
        ["INVALID_STATE", "input.locations.2.state"],
        ["INVALID_POSTAL_CODE", "input.locations.2.postalCode"],
        ["TOO_LONG", "input.locations.3.postalCode"],
        ["TOO_LONG", "input.locations.3.state"],
      ]);
    });

    it("reports the problems of every field in one answer", async () => {
      expect(
        await refused({
          description: "d".repeat(2501),
          website: "ftp://x.example",
          industries: [""],
          locations: [location(), location(), location({ country: "UK" })],
        }),
      ).toEqual([
        ["TOO_LONG", "input.description"],
        ["INVALID", "input.website"],
        ["REQUIRED", "input.industries.0"],
        ["INVALID_COUNTRY", "input.locations.2.country"],
      ]);
    });

    it("needs at least one field of the profile (REQUIRED on the input)", async () => {
      expect(await refused({ ifMatch: 'W/"1"', clientMutationId: "nothing" })).toEqual([["REQUIRED", "input"]]);
    });
  });

  describe("roles", () => {
    it.each(UPDATERS)("%s may update", async (role) => {
      const result = await update("contoso", { targetCustomerSizes: ["SMALL", role] }, role);
      expect(result.errors).toBeUndefined();
      expect(result.data.businessProfileUpdate.businessProfile.targetCustomerSizes).toEqual(["SMALL", role]);
    });

    it.each(ALL_ROLES.filter((r) => !UPDATERS.includes(r)))("%s may not update (FORBIDDEN, nothing written)", async (role) => {
      const v = await version("contoso");
      const result = await update("contoso", { description: `by ${role}` }, role);
      expect(result.data?.businessProfileUpdate).toBeNull();
      expect(result.errors).toEqual([expect.objectContaining({ path: ["businessProfileUpdate"], extensions: expect.objectContaining({ code: "FORBIDDEN" }) })]);
      expect(await version("contoso")).toBe(v);
    });

    it("a user holding a denied and an allowed role may update (the union)", async () => {
      const p = await payload("contoso", { services: ["Licensing"] }, PartnerRole.SALES_AGENT, BPA);
      expect(p.userErrors).toEqual([]);
    });
  });

  it("refuses a US Government partner with FEATURE_UNAVAILABLE_IN_CLOUD and creates nothing", async () => {
    const p = await payload("tailspin", { description: "Federal cloud services" }, RA);
    expect(p.businessProfile).toBeNull();
    expect(p.userErrors).toEqual([expect.objectContaining({ code: "FEATURE_UNAVAILABLE_IN_CLOUD", field: null })]);
    expect(await version("tailspin")).toBeNull();
    expect(await auditCount("tailspin")).toBe(0);
  });

  it("changes only the caller's partner's profile and audit log", async () => {
    const [fabrikam, fabrikamAudits] = [await read("fabrikam"), await auditCount("fabrikam")];
    await payload("contoso", { description: "Contoso only" });
    expect(await read("fabrikam")).toEqual(fabrikam);
    expect(await auditCount("fabrikam")).toBe(fabrikamAudits);
    const contosoAudit = dataOf(await app.as("contoso", GA).run(AUDIT)).auditRecords.nodes;
    expect(contosoAudit.at(-1).newValue.description).toBe("Contoso only");
  });

  it.each([
    ["an existing profile", "adatum"],
    ["a partner creating its profile", "lucerne"],
  ] as const)("serialises concurrent updates of %s: all five applied, five audit records", async (_label, partner) => {
    if (partner === "lucerne") await withoutProfile(partner);
    const [v, audits] = [(await version(partner)) ?? 0, await auditCount(partner)];
    const inputs = [
      { description: "Concurrent description" },
      { website: "https://concurrent.example" },
      { industries: ["Concurrency"] },
      { products: ["Locks"] },
      { locations: [location({ name: "Munich", city: "München", state: null, postalCode: "80331", country: "DE" })] },
    ];
    const results = await Promise.all(inputs.map((input) => payload(partner, input)));
    expect(results.map((r) => r.userErrors)).toEqual(inputs.map(() => []));
    expect(new Set(results.map((r) => r.businessProfile.etag)).size).toBe(5);
    const profile = await read(partner);
    expect(profile).toMatchObject({ description: "Concurrent description", website: "https://concurrent.example", industries: ["Concurrency"], products: ["Locks"], etag: `W/"${v + 5}"` });
    expect(profile.locations).toEqual([expect.objectContaining({ name: "Munich", country: "DE" })]);
    expect(await auditCount(partner)).toBe(audits + 5);
  });
});

describe("across instances (Redis cache bus)", () => {
  const REDIS_URL = TEST_REDIS_URL;
  const PREFIX = testRedisPrefix();
  const env = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
  let a: TestApp;
  let b: TestApp;
  const received: string[] = [];
  const waiting: (() => void)[] = [];

  const profileMessages = () => received.filter((m) => JSON.parse(m).cache === "businessProfile").length;

  /** Resolves once the instances have received `count` business profile invalidations in all (no timers). */
  async function delivered(count: number): Promise<void> {
    while (profileMessages() < count) await new Promise<void>((resolve) => waiting.push(resolve));
  }

  beforeAll(async () => {
    const receive = CacheBus.prototype.receive;
    jest.spyOn(CacheBus.prototype, "receive").mockImplementation(function (this: CacheBus, message: string) {
      receive.call(this, message);
      received.push(message);
      for (const resolve of waiting.splice(0)) resolve();
    });
    a = await TestApp.start({ env });
    b = await TestApp.start({ env, seed: false, databaseUrl: a.config.databaseUrl! });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await b?.close();
    await a?.close();
    await deleteRedisKeys(PREFIX);
  });

  it("another instance reads an update on its next request, though it had the profile cached", async () => {
    const readOnB = async () => dataOf(await b.as("contoso", GA).run(READ)).viewer.partner.businessProfile;
    const first = await readOnB();
    // B serves the profile from its process cache: a change behind its back stays unseen
    await a.sql("UPDATE business_profile SET description = 'written behind the API' WHERE partner_id = $1", [partnerId("contoso")]);
    expect((await readOnB()).description).toBe(first.description);

    const before = profileMessages();
    const p = dataOf(await a.as("contoso", BPA).run(UPDATE, { input: { website: "https://moved.contoso.example" } })).businessProfileUpdate;
    expect(p.userErrors).toEqual([]);
    await delivered(before + 2); // the invalidation reached A and B
    expect(await readOnB()).toEqual(p.businessProfile);
    expect(p.businessProfile).toMatchObject({ website: "https://moved.contoso.example", description: "written behind the API" });
  });
});

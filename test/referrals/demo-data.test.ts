import { DEMO_PARTNERS } from "../../src/db/seed/demo-data";
import { dataOf, PartnerRole, TestApp } from "../support/harness";

/** The demo data's referrals: every status and substatus for every commercial partner, some assigned, some about to expire, some expired. */
let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

const COMMERCIAL = DEMO_PARTNERS.filter((p) => p.cloud === "COMMERCIAL").map((p) => p.key);

describe.each(COMMERCIAL)("%s", (key) => {
  it("shows referrals in every status and substatus, incoming and outgoing (Litware, without a business profile, only sends)", async () => {
    const nodes = dataOf(await app.as(key as any, PartnerRole.REFERRALS_ADMIN).run(`{ referrals(first: 500) { nodes { status substatus direction expiresAt assignedTo { email } } } }`)).referrals.nodes;
    const seen = new Set(nodes.map((n: any) => `${n.status}/${n.substatus}`));
    const receives = key !== "litware";
    const expected = ["NEW/PENDING", "ACTIVE/ACCEPTED", "CLOSED/WON", "CLOSED/LOST", "CLOSED/DECLINED", "CLOSED/EXPIRED", ...(receives ? ["NEW/RECEIVED"] : [])];
    expect([...seen].sort()).toEqual(expected.sort());
    expect(new Set(nodes.map((n: any) => n.direction))).toEqual(new Set(receives ? ["INCOMING", "OUTGOING"] : ["OUTGOING"]));
    // some about to expire (within a day), some assigned to the partner's Referrals user
    expect(nodes.some((n: any) => n.status === "NEW" && new Date(n.expiresAt).getTime() - Date.now() < 86_400_000)).toBe(true);
    expect(nodes.some((n: any) => n.assignedTo?.email === `referrals.user@${key}.example`)).toBe(true);
    const ru = dataOf(await app.as(key as any, PartnerRole.REFERRALS_USER).run(`{ referrals(first: 500) { totalCount } }`)).referrals.totalCount;
    expect(ru).toBeGreaterThan(0);
    expect(ru).toBeLessThan(nodes.length);
  });
});

it("has no referrals in the US Government cloud and every row created in the past", async () => {
  const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM referral r JOIN partner p ON p.id IN (r.from_partner_id, r.to_partner_id) WHERE p.cloud = 'US_GOVERNMENT'`);
  expect(n).toBe(0);
  const [{ future }] = await app.sql(`SELECT count(*)::int AS future FROM referral WHERE created_at > now()`);
  expect(future).toBe(0);
});

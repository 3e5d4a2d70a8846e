import { codesOf, dbIdOf, globalIdOf } from "../support/fixtures";
import { dataOf, PartnerRole, TestApp } from "../support/harness";
import { acceptInput, clockOf, DAY, MPN, REFERRAL_ACCEPT, REFERRAL_CLOSE, REFERRAL_CREATE, REFERRAL_DECLINE, REFERRAL_NODE, referralInput } from "./support";

/** Referrals: creation checks, NEW → ACTIVE/ACCEPTED → CLOSED/WON|LOST, NEW → CLOSED/DECLINED, NEW → CLOSED/EXPIRED (14 days, clock injected), and nothing else. */
let app: TestApp;
const contoso = () => app.as("contoso", PartnerRole.GLOBAL_ADMIN);
const fabrikam = () => app.as("fabrikam", PartnerRole.REFERRALS_ADMIN);

beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());
afterEach(async () => (await clockOf(app)).reset());

async function create(overrides: Record<string, unknown> = {}, caller = contoso()) {
  return dataOf(await caller.run(REFERRAL_CREATE, { input: referralInput(overrides) })).referralCreate;
}
async function created(overrides: Record<string, unknown> = {}) {
  const { referral, userErrors } = await create(overrides);
  expect(userErrors).toEqual([]);
  return referral;
}
const accept = async (id: string, overrides: Record<string, unknown> = {}, caller = fabrikam()) => dataOf(await caller.run(REFERRAL_ACCEPT, { input: acceptInput(id, overrides) })).referralAccept;
const decline = async (id: string, input: Record<string, unknown> = { reason: "No capacity this quarter." }, caller = fabrikam()) =>
  dataOf(await caller.run(REFERRAL_DECLINE, { input: { id, ...input } })).referralDecline;
const close = async (id: string, outcome = "WON", caller = fabrikam(), reason: string | null = "Signed.") => dataOf(await caller.run(REFERRAL_CLOSE, { input: { id, outcome, reason } })).referralClose;
const view = async (id: string, caller: ReturnType<typeof contoso>) => dataOf(await caller.run(REFERRAL_NODE, { id })).node;
const audits = (id: string) =>
  app.sql(
    `SELECT p.mpn_id, a.operation_type, a.resource_type, a.actor_email, a.old_value, a.new_value FROM audit_record a JOIN partner p ON p.id = a.partner_id
      WHERE a.new_value->>'id' = $1 ORDER BY a.operation_type, p.mpn_id`,
    [id],
  );

describe("referralCreate", () => {
  it("creates one referral that the sender sees OUTGOING NEW/PENDING and the receiver INCOMING NEW/RECEIVED, expiring 14 days after creation", async () => {
    const { referral: r, userErrors, clientMutationId } = await create({ clientMutationId: "m1", dealValue: { amount: "25000", currency: "usd" } });
    expect(userErrors).toEqual([]);
    expect(clientMutationId).toBe("m1");
    expect(r).toMatchObject({
      direction: "OUTGOING",
      status: "NEW",
      substatus: "PENDING",
      customerName: "Bellows College",
      customerContact: { firstName: "Dana", lastName: "Birkby", email: "dana.birkby@bellows.example", phoneNumber: "+1 425 555 0142" },
      dealValue: { amount: "25000.00", currency: "USD" },
      fromPartner: { mpnId: MPN.contoso },
      toPartner: { mpnId: MPN.fabrikam },
      assignedTo: null,
      respondedAt: null,
      closedAt: null,
    });
    expect(new Date(r.expiresAt).getTime() - new Date(r.createdAt).getTime()).toBe(14 * DAY);
    const incoming = await view(r.id, fabrikam());
    expect(incoming).toEqual({ ...r, direction: "INCOMING", substatus: "RECEIVED" });
    // one row, one id
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM referral WHERE id = $1`, [dbIdOf(r.id)]);
    expect(n).toBe(1);
  });

  it("writes create_referral into both partners' audit logs, each from its own point of view", async () => {
    const r = await created();
    const records = await audits(r.id);
    expect(records.map((a: any) => [a.mpn_id, a.operation_type, a.resource_type, a.actor_email, a.new_value.direction, a.new_value.substatus])).toEqual([
      [MPN.contoso, "create_referral", "referral", "global.admin@contoso.example", "OUTGOING", "PENDING"],
      [MPN.fabrikam, "create_referral", "referral", "", "INCOMING", "RECEIVED"], // the other partner's user stays private
    ]);
    expect(records.every((a: any) => a.old_value === null)).toBe(true);
    const fabrikamLog = dataOf(await app.as("fabrikam", PartnerRole.GLOBAL_ADMIN).run(`{ auditRecords(first: 500, filter: { resourceType: "referral" }) { nodes { operationType newValue actor { userId email roles } } } }`));
    const received = fabrikamLog.auditRecords.nodes.find((a: any) => a.newValue.id === r.id && a.operationType === "create_referral");
    expect(received.actor).toEqual({ userId: null, email: "", roles: [] });
  });

  it("checks the receiving partner: MPN id form, unknown or other-cloud (NOT_FOUND), self (INVALID), region, business profile", async () => {
    const cases: [string, string][] = [
      ["12ab", "INVALID"],
      ["9999999", "NOT_FOUND"],
      [MPN.tailspin, "NOT_FOUND"], // US Government partners do not exist for a commercial caller
      [MPN.contoso, "INVALID"],
      [MPN.adatum, "REGION_MISMATCH"],
      [MPN.litware, "NO_BUSINESS_PROFILE"],
    ];
    for (const [mpn, code] of cases) {
      const { referral, userErrors } = await create({ toPartnerMpnId: mpn });
      expect([mpn, referral, codesOf(userErrors)]).toEqual([mpn, null, [{ code, field: "input.toPartnerMpnId" }]]);
    }
    // Europe refers within Europe
    expect((await create({ toPartnerMpnId: MPN.lucerne, dealValue: { amount: "100", currency: "EUR" } }, app.as("adatum", PartnerRole.REFERRALS_ADMIN))).userErrors).toEqual([]);
  });

  it("refuses referrals in the US Government cloud", async () => {
    const { referral, userErrors } = await create({}, app.as("tailspin", PartnerRole.GLOBAL_ADMIN));
    expect(referral).toBeNull();
    expect(codesOf(userErrors)).toEqual([{ code: "FEATURE_UNAVAILABLE_IN_CLOUD", field: null }]);
  });

  it("returns every validation problem at once with its input path, and creates nothing", async () => {
    const [{ before }] = await app.sql(`SELECT count(*)::int AS before FROM referral`);
    const { referral, userErrors } = await create({
      name: "  ",
      customerName: "x".repeat(201),
      customerContact: { firstName: "y".repeat(51), email: "not-an-email", phoneNumber: "call me" },
      dealValue: { amount: "-5", currency: "XYZ" },
      notes: "n".repeat(2001),
    });
    expect(referral).toBeNull();
    expect(codesOf(userErrors)).toEqual([
      { code: "REQUIRED", field: "input.name" },
      { code: "TOO_LONG", field: "input.customerName" },
      { code: "TOO_LONG", field: "input.customerContact.firstName" },
      { code: "INVALID_EMAIL", field: "input.customerContact.email" },
      { code: "INVALID_PHONE", field: "input.customerContact.phoneNumber" },
      { code: "INVALID", field: "input.dealValue.amount" },
      { code: "INVALID", field: "input.dealValue.currency" },
      { code: "TOO_LONG", field: "input.notes" },
    ]);
    for (const amount of ["1.234", "1e5", "12,50", "1234567890123456", ""]) {
      expect(codesOf((await create({ dealValue: { amount, currency: "USD" } })).userErrors)).toEqual([{ code: amount === "" ? "REQUIRED" : "INVALID", field: "input.dealValue.amount" }]);
    }
    expect(codesOf((await create({ customerContact: { email: "" } })).userErrors)).toEqual([{ code: "REQUIRED", field: "input.customerContact.email" }]);
    const [{ after }] = await app.sql(`SELECT count(*)::int AS after FROM referral`);
    expect(after).toBe(before);
    // the largest amount fits, and a referral needs no deal value
    expect((await create({ dealValue: { amount: "999999999999999.99", currency: "JPY" } })).referral.dealValue).toEqual({ amount: "999999999999999.99", currency: "JPY" });
    expect((await create({ dealValue: null, notes: null, customerContact: { email: "a@b.example" } })).referral).toMatchObject({ dealValue: null, notes: null, customerContact: { firstName: null, email: "a@b.example" } });
  });

  it("is idempotent per key: the same input returns the first referral, a different one is IDEMPOTENCY_KEY_REUSED", async () => {
    const key = `ref-${Date.now()}`;
    const first = await created({ idempotencyKey: key });
    const again = await create({ idempotencyKey: key });
    expect(again.referral.id).toBe(first.id);
    expect(codesOf((await create({ idempotencyKey: key, name: "Something else" })).userErrors)).toEqual([{ code: "IDEMPOTENCY_KEY_REUSED", field: "input.idempotencyKey" }]);
    const [{ n }] = await app.sql(`SELECT count(*)::int AS n FROM referral WHERE name = $1 AND created_at >= $2`, [referralInput().name, new Date(Date.now() - 60_000)]);
    expect(n).toBeGreaterThanOrEqual(1);
    expect((await audits(first.id)).filter((a: any) => a.operation_type === "create_referral")).toHaveLength(2);
  });
});

describe("transitions", () => {
  it("NEW → ACTIVE/ACCEPTED by the receiver (deal name, value, closing date, notes), seen by both, audited in both logs", async () => {
    const r = await created();
    const { referral, userErrors } = await accept(r.id);
    expect(userErrors).toEqual([]);
    expect(referral).toMatchObject({
      direction: "INCOMING",
      status: "ACTIVE",
      substatus: "ACCEPTED",
      dealName: "Bellows College M365",
      dealValue: { amount: "31000.50", currency: "USD" },
      expectedCloseDate: "2099-06-30T00:00:00.000Z",
      responseNotes: "Call booked.",
      closedAt: null,
    });
    expect(referral.respondedAt).not.toBeNull();
    expect(await view(r.id, contoso())).toMatchObject({ direction: "OUTGOING", status: "ACTIVE", substatus: "ACCEPTED", respondedAt: referral.respondedAt });
    const updates = (await audits(r.id)).filter((a: any) => a.operation_type === "update_referral");
    expect(updates.map((a: any) => [a.mpn_id, a.old_value.substatus, a.new_value.substatus, a.new_value.direction, a.actor_email])).toEqual([
      [MPN.contoso, "PENDING", "ACCEPTED", "OUTGOING", ""],
      [MPN.fabrikam, "RECEIVED", "ACCEPTED", "INCOMING", "referrals.admin@fabrikam.example"],
    ]);
  });

  it("ACTIVE → CLOSED/WON and ACTIVE → CLOSED/LOST by the receiver; closed is final", async () => {
    for (const outcome of ["WON", "LOST"]) {
      const r = await created();
      await accept(r.id);
      const { referral, userErrors } = await close(r.id, outcome);
      expect(userErrors).toEqual([]);
      expect(referral).toMatchObject({ status: "CLOSED", substatus: outcome, closeReason: "Signed." });
      expect(referral.closedAt).not.toBeNull();
      expect(await view(r.id, contoso())).toMatchObject({ status: "CLOSED", substatus: outcome, direction: "OUTGOING" });
      expect(codesOf((await close(r.id, "WON")).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
      expect(codesOf((await accept(r.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
      expect(codesOf((await decline(r.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    }
  });

  it("NEW → CLOSED/DECLINED by the receiver, with a required reason; declined is final", async () => {
    const r = await created();
    expect(codesOf((await decline(r.id, { reason: " " })).userErrors)).toEqual([{ code: "REQUIRED", field: "input.reason" }]);
    expect(codesOf((await decline(r.id, { reason: "r".repeat(501), notes: "n".repeat(2001) })).userErrors)).toEqual([
      { code: "TOO_LONG", field: "input.reason" },
      { code: "TOO_LONG", field: "input.notes" },
    ]);
    const { referral, userErrors } = await decline(r.id, { reason: "Outside our practice areas.", notes: "Try Northwind." });
    expect(userErrors).toEqual([]);
    expect(referral).toMatchObject({ status: "CLOSED", substatus: "DECLINED", declineReason: "Outside our practice areas.", responseNotes: "Try Northwind." });
    expect(referral.respondedAt).toBe(referral.closedAt);
    expect(await view(r.id, contoso())).toMatchObject({ status: "CLOSED", substatus: "DECLINED" });
    for (const result of [await accept(r.id), await decline(r.id), await close(r.id)]) {
      expect(codesOf(result.userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    }
  });

  it("refuses closing a NEW referral, and accepting or declining an ACTIVE one (INVALID_STATE_TRANSITION)", async () => {
    const r = await created();
    expect(codesOf((await close(r.id, "LOST")).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    await accept(r.id);
    expect(codesOf((await accept(r.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    expect(codesOf((await decline(r.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    expect((await view(r.id, fabrikam())).substatus).toBe("ACCEPTED");
  });

  it("lets only the receiver answer: the sender's accept, decline and close are INVALID_STATE_TRANSITION", async () => {
    const r = await created();
    expect(codesOf((await accept(r.id, {}, contoso())).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    expect(codesOf((await decline(r.id, { reason: "no" }, contoso())).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    await accept(r.id);
    expect(codesOf((await close(r.id, "WON", contoso())).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    expect((await view(r.id, contoso())).substatus).toBe("ACCEPTED");
  });

  it("validates the acceptance: deal name, money, a closing date not in the past, notes — reported with a refused transition too", async () => {
    const r = await created();
    const { referral, userErrors } = await accept(r.id, { dealName: "", dealValue: { amount: "12.345", currency: "EURO" }, expectedCloseDate: "2001-01-01T00:00:00.000Z", notes: "n".repeat(2001) });
    expect(referral).toBeNull();
    expect(codesOf(userErrors)).toEqual([
      { code: "REQUIRED", field: "input.dealName" },
      { code: "INVALID", field: "input.dealValue.amount" },
      { code: "INVALID", field: "input.dealValue.currency" },
      { code: "INVALID", field: "input.expectedCloseDate" },
      { code: "TOO_LONG", field: "input.notes" },
    ]);
    expect(codesOf((await accept(r.id, { dealName: "", dealValue: { amount: "-1", currency: "USD" } }, contoso())).userErrors)).toEqual([
      { code: "INVALID_STATE_TRANSITION", field: "input.id" },
      { code: "REQUIRED", field: "input.dealName" },
      { code: "INVALID", field: "input.dealValue.amount" },
    ]);
    expect((await view(r.id, fabrikam())).status).toBe("NEW");
  });

  it("answers NOT_FOUND for an unknown, malformed or other type of id, and for another partner's referral", async () => {
    const r = await created();
    const northwind = app.as("northwind", PartnerRole.GLOBAL_ADMIN);
    for (const id of [globalIdOf("Referral", "00000000-0000-4000-8000-000000000000"), "nonsense", globalIdOf("Customer", dbIdOf(r.id))]) {
      expect(codesOf((await accept(id)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    }
    expect(codesOf((await accept(r.id, {}, northwind)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    expect(codesOf((await decline(r.id, { reason: "x" }, northwind)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    expect(codesOf((await close(r.id, "WON", northwind)).userErrors)).toEqual([{ code: "NOT_FOUND", field: "input.id" }]);
    expect(await view(r.id, northwind)).toBeNull();
  });
});

describe("expiry (14 days after creation, computed against the injected clock)", () => {
  it("turns an unanswered referral CLOSED/EXPIRED for both partners at exactly 14 days; it can no longer be answered", async () => {
    const clock = await clockOf(app);
    clock.set(new Date("2030-03-01T12:00:00.000Z"));
    const r = await created();
    expect(r.createdAt).toBe("2030-03-01T12:00:00.000Z");
    expect(r.expiresAt).toBe("2030-03-15T12:00:00.000Z");
    const other = await created();

    clock.advance(14 * DAY - 1);
    expect(await view(r.id, fabrikam())).toMatchObject({ status: "NEW", substatus: "RECEIVED", closedAt: null });
    expect(await view(r.id, contoso())).toMatchObject({ status: "NEW", substatus: "PENDING" });

    clock.advance(1);
    expect(await view(r.id, fabrikam())).toMatchObject({ status: "CLOSED", substatus: "EXPIRED", closedAt: r.expiresAt, respondedAt: null });
    expect(await view(r.id, contoso())).toMatchObject({ status: "CLOSED", substatus: "EXPIRED", direction: "OUTGOING" });
    expect(codesOf((await accept(r.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    expect(codesOf((await decline(other.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    expect(codesOf((await close(r.id)).userErrors)).toEqual([{ code: "INVALID_STATE_TRANSITION", field: "input.id" }]);
    // nothing is written: it is computed
    const [stored] = await app.sql(`SELECT status, substatus FROM referral WHERE id = $1`, [dbIdOf(r.id)]);
    expect(stored).toEqual({ status: "NEW", substatus: null });

    // the list's filters follow the same clock
    const ids = async (filter: string) => dataOf(await fabrikam().run(`{ referrals(first: 500, filter: ${filter}) { nodes { id } } }`)).referrals.nodes.map((n: any) => n.id);
    expect(await ids(`{ substatus: EXPIRED }`)).toEqual(expect.arrayContaining([r.id, other.id]));
    expect(await ids(`{ status: CLOSED }`)).toEqual(expect.arrayContaining([r.id, other.id]));
    expect(await ids(`{ status: NEW }`)).not.toContain(r.id);
    expect(await ids(`{ substatus: RECEIVED }`)).not.toContain(r.id);
  });

  it("an accepted referral does not expire", async () => {
    const clock = await clockOf(app);
    clock.set(new Date("2030-05-01T00:00:00.000Z"));
    const r = await created();
    await accept(r.id);
    clock.advance(30 * DAY);
    expect(await view(r.id, fabrikam())).toMatchObject({ status: "ACTIVE", substatus: "ACCEPTED" });
    expect((await close(r.id, "LOST")).referral).toMatchObject({ status: "CLOSED", substatus: "LOST" });
  });
});

describe("concurrency", () => {
  it("10 concurrent accepts leave exactly one transition; the other nine get INVALID_STATE_TRANSITION", async () => {
    const r = await created();
    const results = await Promise.all(Array.from({ length: 10 }, () => accept(r.id)));
    expect(results.filter((x) => x.userErrors.length === 0)).toHaveLength(1);
    expect(results.filter((x) => codesOf(x.userErrors)[0]?.code === "INVALID_STATE_TRANSITION")).toHaveLength(9);
    expect((await audits(r.id)).filter((a: any) => a.operation_type === "update_referral")).toHaveLength(2); // one transition, in two logs
  });

  it("accepts and declines racing on one referral leave exactly one answer", async () => {
    const r = await created();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? accept(r.id) : decline(r.id))));
    const winners = results.filter((x) => x.userErrors.length === 0);
    expect(winners).toHaveLength(1);
    expect(results.filter((x) => codesOf(x.userErrors)[0]?.code === "INVALID_STATE_TRANSITION")).toHaveLength(9);
    const final = await view(r.id, fabrikam());
    expect(final.substatus).toBe(winners[0]!.referral.substatus);
    expect((await audits(r.id)).filter((a: any) => a.operation_type === "update_referral")).toHaveLength(2);
  });
});

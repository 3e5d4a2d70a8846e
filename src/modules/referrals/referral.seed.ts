import { EntityManager } from "typeorm";
import { PartnerRole } from "../../auth/roles";
import { regionOf } from "../customers/country-rules";
import { DEMO_PARTNERS, partnerId, stableId, userId } from "../../db/seed/demo-data";
import { REFERRAL_LIFETIME_MS } from "./referral.entity";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One referral per state a pair of partners shows (the sender's and the receiver's view of each). */
const STATES = [
  { key: "new", status: "NEW", substatus: null, ageMs: 2 * DAY, assigned: true },
  { key: "new-unassigned", status: "NEW", substatus: null, ageMs: 6 * DAY, assigned: false },
  { key: "about-to-expire", status: "NEW", substatus: null, ageMs: 13 * DAY + 20 * HOUR, assigned: true },
  { key: "expired", status: "NEW", substatus: null, ageMs: 20 * DAY, assigned: false },
  { key: "accepted", status: "ACTIVE", substatus: "ACCEPTED", ageMs: 10 * DAY, assigned: true },
  { key: "won", status: "CLOSED", substatus: "WON", ageMs: 40 * DAY, assigned: false },
  { key: "lost", status: "CLOSED", substatus: "LOST", ageMs: 35 * DAY, assigned: true },
  { key: "declined", status: "CLOSED", substatus: "DECLINED", ageMs: 25 * DAY, assigned: false },
] as const;

const CUSTOMERS = ["Bellows College", "Coho Vineyard", "Fourth Coffee", "Alpine Ski House", "Tailwind Traders", "Wide World Importers", "Humongous Insurance", "Blue Yonder Airlines"];
const PEOPLE = [
  ["Dana", "Birkby"],
  ["Kari", "Hensien"],
  ["Pat", "Coleman"],
  ["Lee", "Oliver"],
];

/**
 * Referrals in every status and substatus for every commercial partner: each
 * partner with a business profile receives from the previous one of its region
 * (a ring), and sends to the next; Litware (no business profile) only sends.
 * Times are relative to `now` (the seed time): some about to expire, some
 * expired. Some are assigned to the partners' Referrals users.
 */
export async function seedReferrals(manager: EntityManager, now: number = Date.now()): Promise<number> {
  const commercial = DEMO_PARTNERS.filter((p) => p.cloud === "COMMERCIAL");
  const profiled = new Set(((await manager.query(`SELECT partner_id FROM business_profile`)) as { partner_id: string }[]).map((r) => r.partner_id));
  const pairs: [string, string][] = [];
  for (const region of new Set(commercial.map((p) => regionOf(p.country)))) {
    const inRegion = commercial.filter((p) => regionOf(p.country) === region);
    const receivers = inRegion.filter((p) => profiled.has(partnerId(p.key)));
    for (const sender of inRegion) {
      const index = receivers.findIndex((r) => r.key === sender.key);
      const to = index >= 0 ? receivers[(index + 1) % receivers.length] : receivers[0];
      if (to && to.key !== sender.key) pairs.push([sender.key, to.key]);
    }
  }
  const rows: Record<string, unknown>[] = [];
  let n = 0;
  for (const [from, to] of pairs) {
    const currency = regionOf(DEMO_PARTNERS.find((p) => p.key === from)!.country) === regionOf("US") ? "USD" : "EUR";
    for (const state of STATES) {
      const i = n++;
      const createdAt = new Date(now - state.ageMs);
      const [first, last] = PEOPLE[i % PEOPLE.length]!;
      const customer = CUSTOMERS[i % CUSTOMERS.length]!;
      const answered = state.status !== "NEW";
      const respondedAt = answered ? new Date(createdAt.getTime() + DAY) : null;
      rows.push({
        id: stableId(`referral:${from}:${to}:${state.key}`),
        from_partner_id: partnerId(from),
        to_partner_id: partnerId(to),
        name: `${customer}: ${["Microsoft 365 rollout", "Azure migration", "Security assessment", "Teams telephony"][i % 4]}`,
        customer_name: customer,
        contact_first_name: first,
        contact_last_name: last,
        contact_email: `${first!.toLowerCase()}.${last!.toLowerCase()}@${customer.toLowerCase().replace(/[^a-z]+/g, "")}.example`,
        contact_phone_number: i % 2 === 0 ? "+1 425 555 0142" : null,
        deal_value_amount: i % 5 === 4 ? null : `${(5 + (i * 7) % 40) * 1000}.00`,
        deal_value_currency: i % 5 === 4 ? null : currency,
        notes: `Referred by ${DEMO_PARTNERS.find((p) => p.key === from)!.name}.`,
        status: state.status,
        substatus: state.substatus,
        deal_name: answered && state.substatus !== "DECLINED" ? `${customer} deal` : null,
        expected_close_date: answered && state.substatus !== "DECLINED" ? new Date(now + 60 * DAY) : null,
        response_notes: answered ? "Discussed with the customer." : null,
        decline_reason: state.substatus === "DECLINED" ? "Outside our practice areas." : null,
        close_reason: state.substatus === "WON" ? "Signed a 3-year agreement." : state.substatus === "LOST" ? "The customer chose another vendor." : null,
        from_assigned_to: state.assigned && i % 2 === 0 ? userId(from, PartnerRole.REFERRALS_USER) : null,
        to_assigned_to: state.assigned ? userId(to, PartnerRole.REFERRALS_USER) : null,
        created_by: userId(from, PartnerRole.REFERRALS_ADMIN),
        created_at: createdAt,
        expires_at: new Date(createdAt.getTime() + REFERRAL_LIFETIME_MS),
        responded_at: state.substatus === "ACCEPTED" || state.substatus === "DECLINED" || state.substatus === "WON" || state.substatus === "LOST" ? respondedAt : null,
        closed_at: state.status === "CLOSED" ? new Date(createdAt.getTime() + 5 * DAY) : null,
      });
    }
  }
  const columns = Object.keys(rows[0]!);
  const params: unknown[] = [];
  const values = rows.map((row) => `(${columns.map((c) => `$${params.push(row[c])}`).join(", ")})`);
  await manager.query(`INSERT INTO referral (${columns.join(", ")}) VALUES ${values.join(", ")}`, params);
  return rows.length;
}

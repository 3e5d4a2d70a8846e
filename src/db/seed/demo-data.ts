import crypto from "node:crypto";
import { DataSource, EntityManager } from "typeorm";
import { ALL_ROLES, PartnerRole } from "../../auth/roles";
import { seedBusinessProfiles } from "../../modules/business-profile/business-profile.seed";
import { regionOf } from "../../modules/customers/country-rules";
import { invitationToken, invitationTokenHash } from "../../modules/relationships/invitation-token";
import { INVITATION_LIFETIME_DAYS } from "../../modules/relationships/relationship-request.entity";
import { seedReferrals } from "../../modules/referrals/referral.seed";

/** A stable UUID from a name (same ids on every machine). */
export function stableId(name: string): string {
  const h = crypto.createHash("sha1").update(`partner-accounts-graphql:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoPartner {
  key: string;
  name: string;
  mpnId: string;
  type: "DIRECT_BILL" | "INDIRECT_PROVIDER" | "INDIRECT_RESELLER";
  cloud: "COMMERCIAL" | "US_GOVERNMENT";
  country: string;
  mpaSigned: boolean;
  customers: number;
  /** Countries its customers are in (all within its region). */
  customerCountries: string[];
}

export const DEMO_PARTNERS: DemoPartner[] = [
  { key: "contoso", name: "Contoso Cloud Direct", mpnId: "1000001", type: "DIRECT_BILL", cloud: "COMMERCIAL", country: "US", mpaSigned: true, customers: 60, customerCountries: ["US", "US", "US", "CA"] },
  { key: "fabrikam", name: "Fabrikam Distribution", mpnId: "1000002", type: "INDIRECT_PROVIDER", cloud: "COMMERCIAL", country: "US", mpaSigned: true, customers: 40, customerCountries: ["US", "CA"] },
  { key: "northwind", name: "Northwind Solutions", mpnId: "1000003", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", mpaSigned: true, customers: 30, customerCountries: ["US"] },
  { key: "litware", name: "Litware Partners", mpnId: "1000004", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "CA", mpaSigned: true, customers: 25, customerCountries: ["CA", "US"] },
  { key: "tailspin", name: "Tailspin Federal", mpnId: "1000005", type: "DIRECT_BILL", cloud: "US_GOVERNMENT", country: "US", mpaSigned: true, customers: 20, customerCountries: ["US"] },
  { key: "adatum", name: "Adatum Europe", mpnId: "1000006", type: "DIRECT_BILL", cloud: "COMMERCIAL", country: "DE", mpaSigned: true, customers: 40, customerCountries: ["DE", "DE", "FR", "GB", "NL", "HU"] },
  // resellers that show every outcome of indirectResellerInvite / indirectProviderAuthorize from Fabrikam
  { key: "lucerne", name: "Lucerne Publishing Resellers", mpnId: "1000007", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "DE", mpaSigned: true, customers: 4, customerCountries: ["DE"] },
  { key: "margie", name: "Margie's Travel IT", mpnId: "1000008", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", mpaSigned: false, customers: 4, customerCountries: ["US"] },
  { key: "consolidated", name: "Consolidated Messenger Resellers", mpnId: "1000009", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", mpaSigned: true, customers: 4, customerCountries: ["US"] },
  { key: "graphic", name: "Graphic Design Institute Resellers", mpnId: "1000010", type: "INDIRECT_RESELLER", cloud: "COMMERCIAL", country: "US", mpaSigned: true, customers: 4, customerCountries: ["US"] },
];

/** Fabrikam's indirect links, one per state (Litware stays unlinked: API.md section 6). */
const DEMO_LINKS = [
  { reseller: "northwind", status: "ACTIVE" },
  { reseller: "consolidated", status: "PENDING" },
  { reseller: "graphic", status: "REMOVED" },
] as const;

export const partnerId = (key: string) => stableId(`partner:${key}`);
export const userId = (partnerKey: string, role: PartnerRole) => stableId(`user:${partnerKey}:${role}`);
export const userEmail = (partnerKey: string, role: PartnerRole) => `${role.toLowerCase().replace(/_/g, ".")}@${partnerKey}.example`;
/** A demo partner's users: one per role, holding that role. */
export const demoUsers = (partnerKey: string) => ALL_ROLES.map((role) => ({ id: userId(partnerKey, role), email: userEmail(partnerKey, role), role }));

const PLACES: Record<string, { city: string; state: string | null; postalCode: string; culture: string; language: string }[]> = {
  US: [
    { city: "Seattle", state: "WA", postalCode: "98101", culture: "en-US", language: "en" },
    { city: "Austin", state: "TX", postalCode: "73301", culture: "en-US", language: "en" },
    { city: "Boston", state: "MA", postalCode: "02108", culture: "en-US", language: "en" },
    { city: "Denver", state: "CO", postalCode: "80202", culture: "en-US", language: "en" },
  ],
  CA: [
    { city: "Toronto", state: "ON", postalCode: "M5H 2N2", culture: "en-CA", language: "en" },
    { city: "Montréal", state: "QC", postalCode: "H2Y 1C6", culture: "fr-CA", language: "fr" },
  ],
  DE: [
    { city: "Berlin", state: null, postalCode: "10115", culture: "de-DE", language: "de" },
    { city: "München", state: null, postalCode: "80331", culture: "de-DE", language: "de" },
  ],
  FR: [{ city: "Lyon", state: null, postalCode: "69001", culture: "fr-FR", language: "fr" }],
  GB: [{ city: "London", state: null, postalCode: "SW1A 1AA", culture: "en-GB", language: "en" }],
  NL: [{ city: "Utrecht", state: null, postalCode: "3511 AB", culture: "nl-NL", language: "nl" }],
  HU: [{ city: "Budapest", state: null, postalCode: "1051", culture: "hu-HU", language: "hu" }],
};

const NAME_A = ["Alpine", "Blue", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen", "Maple", "Nova", "Orchid", "Pioneer", "Quartz", "River", "Summit", "Tidal"];
const NAME_B = ["Analytics", "Bakery", "Clinics", "Dental", "Engineering", "Foods", "Logistics", "Media", "Motors", "Outfitters", "Pharma", "Robotics", "Studios", "Textiles", "Travel", "Ventures"];
const NAME_C = ["Inc.", "LLC", "Ltd", "GmbH", "Group", "Co."];
const OFFERS: Record<string, string[]> = {
  LICENSE: ["Microsoft 365 Business Standard", "Microsoft 365 E3", "Exchange Online (Plan 1)", "Teams Essentials"],
  AZURE_PLAN: ["Azure plan"],
  AZURE_RESERVATION: ["Reserved VM Instance, D2s v5, 1 year", "Azure SQL Database reserved capacity, 3 years"],
  SOFTWARE: ["Windows Server 2022 Standard - 16 Core", "SQL Server 2022 Standard"],
};

interface Row {
  [column: string]: unknown;
}

async function insertRows(manager: EntityManager, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const params: unknown[] = [];
    const values = chunk.map((row) => `(${columns.map((c) => `$${params.push(row[c])}`).join(", ")})`);
    await manager.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}`, params);
  }
}

export interface SeedSummary {
  partners: number;
  users: number;
  customers: number;
  unservedTenants: { tenantId: string; domain: string; cloud: string }[];
}

/** Unserved tenants: customers a partner may invite (they exist, nobody serves them yet). */
export const UNSERVED_TENANTS = [
  { key: "wingtip", name: "Wingtip Toys", country: "US", cloud: "COMMERCIAL" },
  { key: "woodgrove", name: "Woodgrove Bank", country: "US", cloud: "COMMERCIAL" },
  { key: "proseware", name: "Proseware Inc.", country: "CA", cloud: "COMMERCIAL" },
  { key: "relecloud", name: "Relecloud", country: "US", cloud: "COMMERCIAL" },
  { key: "lamna", name: "Lamna Healthcare", country: "DE", cloud: "COMMERCIAL" },
  { key: "fourthcoffee", name: "Fourth Coffee", country: "GB", cloud: "COMMERCIAL" },
  { key: "treyresearch", name: "Trey Research", country: "US", cloud: "US_GOVERNMENT" },
  { key: "coho", name: "Coho Winery", country: "US", cloud: "US_GOVERNMENT" },
] as const;

export const unservedTenantId = (key: string) => stableId(`tenant:unserved:${key}`);

/**
 * Invitations in every state for each commercial partner: pending (one pinned
 * to an unserved tenant, and Fabrikam's joint one with Northwind), expired,
 * cancelled, and accepted by a customer it serves through an invitation.
 * Their tokens derive from the server's invitation key, so the playground's
 * `invitationUrl` of a pending one can be accepted.
 */
function demoRelationshipRequests(secret: string, customers: Row[], relationships: Row[], day: number): Row[] {
  const now = Date.now();
  const rows: Row[] = [];
  const unservedDomain = (key: string) => customers.find((c) => c.tenant_id === unservedTenantId(key))!.default_domain;
  for (const p of DEMO_PARTNERS.filter((d) => d.cloud === "COMMERCIAL" && d.customers >= 20)) {
    const pid = partnerId(p.key);
    const invited = relationships.find((r) => r.partner_id === pid && r.established_via === "INVITATION" && r.status === "ACTIVE");
    const pinned = p.country === "DE" ? "lamna" : p.country === "CA" ? "proseware" : "wingtip";
    const states: { name: string; status: string; createdDaysAgo: number; extra?: Row }[] = [
      { name: "pending", status: "PENDING", createdDaysAgo: 3 },
      { name: "pending-pinned", status: "PENDING", createdDaysAgo: 5, extra: { customer_domain: unservedDomain(pinned), include_delegated_admin: true } },
      { name: "expired", status: "PENDING", createdDaysAgo: 120 },
      { name: "cancelled", status: "CANCELLED", createdDaysAgo: 30, extra: { cancelled_at: new Date(now - 29 * day) } },
    ];
    if (invited) states.push({ name: "accepted", status: "ACCEPTED", createdDaysAgo: 60, extra: { customer_id: invited.customer_id, accepted_at: new Date(now - 58 * day) } });
    if (p.key === "fabrikam") states.push({ name: "joint", status: "PENDING", createdDaysAgo: 2, extra: { indirect_reseller_id: partnerId("northwind"), include_delegated_admin: true } });
    for (const state of states) {
      const id = stableId(`request:${p.key}:${state.name}`);
      const createdAt = new Date(now - state.createdDaysAgo * day);
      rows.push({
        id,
        partner_id: pid,
        token_hash: invitationTokenHash(invitationToken(secret, id)),
        status: state.status,
        include_delegated_admin: false,
        customer_domain: null,
        indirect_reseller_id: null,
        customer_id: null,
        created_by: userId(p.key, PartnerRole.ADMIN_AGENT),
        created_at: createdAt,
        expires_at: new Date(createdAt.getTime() + INVITATION_LIFETIME_DAYS * day),
        accepted_at: null,
        cancelled_at: null,
        ...state.extra,
      });
    }
  }
  return rows;
}

/** A customer row's registration data as a billing profile (the shape of `Customer.billingProfile`). */
function registrationProfile(c: Row): Row {
  return {
    companyName: c.company_name,
    firstName: c.billing_first_name,
    lastName: c.billing_last_name,
    email: c.billing_email,
    phoneNumber: c.billing_phone_number,
    culture: c.culture,
    language: c.language,
    address: { addressLine1: c.address_line1, addressLine2: c.address_line2, city: c.city, state: c.state, postalCode: c.postal_code, country: c.country },
  };
}

/**
 * Each relationship holds its partner's own billing profile, starting from the
 * tenant's registration data. Northwind keeps its own accounts-payable contact
 * for the customers it serves with Fabrikam, so the demo shows two partners'
 * profiles of one tenant apart.
 */
function withBillingProfile(r: Row, customers: Row[]): Row {
  const c = customers.find((x) => x.id === r.customer_id)!;
  const profile = registrationProfile(c);
  const own = r.partner_id === partnerId("northwind") && r.indirect_provider_id !== null;
  if (own) Object.assign(profile, { firstName: "Morgan", lastName: "Reyes", email: `ap.northwind@${String(c.billing_email).split("@")[1]}` });
  return { ...r, billing_profile: JSON.stringify(profile), version: own ? 2 : 1, updated_at: own ? new Date((c.created_at as Date).getTime() + 86_400_000) : c.updated_at };
}

/** Loads the demo data set (API.md section 6) in one transaction. Returns null when data exists already. */
export async function seedDemoData(dataSource: DataSource, invitationSecret: string): Promise<SeedSummary | null> {
  const [{ count }] = await dataSource.query("SELECT count(*)::int AS count FROM partner");
  if (count > 0) return null;
  return dataSource.transaction(async (manager) => {
    await manager.query("SET LOCAL statement_timeout = 0"); // a one-off load: the API's per-statement limit does not apply
    const rand = random(20261123);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    const base = Date.UTC(2025, 0, 1);
    const day = 86_400_000;

    await insertRows(
      manager,
      "partner",
      DEMO_PARTNERS.map((p, i) => ({
        id: partnerId(p.key),
        mpn_id: p.mpnId,
        name: p.name,
        type: p.type,
        cloud: p.cloud,
        country: p.country,
        region: regionOf(p.country),
        mpa_signed: p.mpaSigned,
        created_at: new Date(base - (400 - i) * day),
      })),
    );

    const users: Row[] = [];
    for (const p of DEMO_PARTNERS) {
      for (const { id, email, role } of demoUsers(p.key)) {
        const label = role.toLowerCase().replace(/_/g, " ");
        users.push({ id, partner_id: partnerId(p.key), email, display_name: `${p.name} ${label}`, roles: [role] });
      }
    }
    await insertRows(manager, "partner_user", users);

    await seedBusinessProfiles(manager, DEMO_PARTNERS.map((p) => ({ ...p, id: partnerId(p.key) })), new Date(base));

    await insertRows(
      manager,
      "indirect_relationship",
      DEMO_LINKS.map((link, i) => ({
        id: stableId(`indirect:fabrikam:${link.reseller}`),
        provider_id: partnerId("fabrikam"),
        reseller_id: partnerId(link.reseller),
        status: link.status,
        invited_at: new Date(base - (300 - i * 50) * day),
        activated_at: link.status === "PENDING" ? null : new Date(base - (298 - i * 50) * day),
        removed_at: link.status === "REMOVED" ? new Date(base - (100 - i) * day) : null,
      })),
    );

    const customers: Row[] = [];
    const domains: Row[] = [];
    const relationships: Row[] = [];
    const subscriptions: Row[] = [];
    const audits: Row[] = [];
    let serial = 0;

    const addCustomer = (key: string, name: string, country: string, cloud: string, createdAt: Date): { id: string; domain: string } => {
      const id = stableId(`customer:${key}`);
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "").slice(0, 20);
      const domain = `${slug}${String(++serial).padStart(3, "0")}.onmicrosoft.com`;
      const place = pick(PLACES[country] ?? PLACES.US!);
      customers.push({
        id,
        tenant_id: stableId(`tenant:${key}`),
        cloud,
        company_name: name,
        default_domain: domain,
        organization_registration_number: country === "HU" ? `01-09-${String(100000 + serial).padStart(6, "0")}` : null,
        qualification: rand() < 0.1 ? "EDUCATION" : "NONE",
        culture: place.culture,
        language: place.language,
        billing_first_name: pick(["Avery", "Jordan", "Kim", "Sam", "Robin", "Alex"]),
        billing_last_name: pick(["Garcia", "Nguyen", "Schmidt", "Okafor", "Larsen", "Tanaka"]),
        billing_email: `billing@${slug}.example`,
        billing_phone_number: country === "HU" || rand() < 0.5 ? "+1 425 555 0100" : null,
        address_line1: `${1 + Math.floor(rand() * 900)} ${pick(["Main St", "Market St", "Hauptstraße", "High Street", "Rue de la Paix"])}`,
        address_line2: null,
        city: place.city,
        state: place.state,
        postal_code: place.postalCode,
        country,
        version: 1,
        created_at: createdAt,
        updated_at: createdAt,
      });
      domains.push({ domain, customer_id: id, is_default: true });
      if (rand() < 0.15) domains.push({ domain: `${slug}${serial}.example.com`, customer_id: id, is_default: false });
      return { id, domain };
    };

    for (const p of DEMO_PARTNERS) {
      const pid = partnerId(p.key);
      const actor = { id: userId(p.key, PartnerRole.GLOBAL_ADMIN), email: userEmail(p.key, PartnerRole.GLOBAL_ADMIN) };
      for (let i = 0; i < p.customers; i++) {
        const name = `${pick(NAME_A)} ${pick(NAME_B)} ${pick(NAME_C)}`;
        const country = p.customerCountries[i % p.customerCountries.length]!;
        const createdAt = new Date(base + Math.floor(rand() * 600) * day + i * 60_000);
        const { id: customerId, domain } = addCustomer(`${p.key}:${i}`, name, country, p.cloud, createdAt);
        // every tenth customer's relationship has been removed; a few were invited rather than created
        const removed = i % 10 === 9;
        const invited = i % 7 === 3;
        // Fabrikam serves some of its customers through Northwind: both hold a relationship
        const throughNorthwind = p.key === "fabrikam" && i % 3 === 0;
        relationships.push({
          id: stableId(`relationship:${p.key}:${customerId}`),
          partner_id: pid,
          customer_id: customerId,
          status: removed ? "REMOVED" : "ACTIVE",
          type: "RESELLER",
          established_via: invited ? "INVITATION" : "CREATED",
          delegated_admin: removed ? false : invited ? i % 2 === 0 : true,
          indirect_reseller_id: throughNorthwind ? partnerId("northwind") : null,
          indirect_provider_id: null,
          established_at: createdAt,
          removed_at: removed ? new Date(createdAt.getTime() + 30 * day) : null,
        });
        if (throughNorthwind) {
          relationships.push({
            id: stableId(`relationship:northwind:${customerId}`),
            partner_id: partnerId("northwind"),
            customer_id: customerId,
            status: removed ? "REMOVED" : "ACTIVE",
            type: "RESELLER",
            established_via: "CREATED",
            delegated_admin: !removed,
            indirect_reseller_id: null,
            indirect_provider_id: pid,
            established_at: createdAt,
            removed_at: removed ? new Date(createdAt.getTime() + 30 * day) : null,
          });
        }
        audits.push({
          id: stableId(`audit:add:${customerId}`),
          partner_id: pid,
          customer_id: customerId,
          operation_type: "add_customer",
          resource_type: "customer",
          actor_user_id: actor.id,
          actor_email: actor.email,
          actor_roles: [PartnerRole.GLOBAL_ADMIN],
          old_value: null,
          new_value: JSON.stringify({ defaultDomain: domain, companyName: name }),
          at: createdAt,
        });
        // subscriptions of every kind and status
        const kinds = ["LICENSE", "AZURE_PLAN", "AZURE_RESERVATION", "SOFTWARE"] as const;
        const count = removed ? 1 : i % 5;
        for (let s = 0; s < count; s++) {
          const kind = kinds[(i + s) % kinds.length]!;
          // the first one active; the others cycle through every status so each kind gets each status
          const status = removed ? "SUSPENDED" : s === 0 ? "ACTIVE" : (["ACTIVE", "SUSPENDED", "CANCELLED"] as const)[(Math.floor(i / 4) + s) % 3]!;
          const subCreated = new Date(createdAt.getTime() + (s + 1) * day);
          subscriptions.push({
            id: stableId(`subscription:${customerId}:${s}`),
            customer_id: customerId,
            partner_id: pid,
            offer_name: pick(OFFERS[kind]!),
            kind,
            quantity: kind === "LICENSE" ? 5 + Math.floor(rand() * 200) : 1,
            status,
            created_at: subCreated,
            updated_at: subCreated,
          });
        }
      }
    }

    const unserved = UNSERVED_TENANTS.map((t, i) => {
      const createdAt = new Date(base + i * day);
      const { domain } = addCustomer(`unserved:${t.key}`, t.name, t.country, t.cloud, createdAt);
      const tenantId = stableId(`tenant:unserved:${t.key}`);
      customers[customers.length - 1]!.tenant_id = tenantId;
      return { tenantId, domain, cloud: t.cloud };
    });

    await insertRows(manager, "customer", customers);
    await insertRows(manager, "customer_domain", domains);
    await insertRows(manager, "customer_relationship", relationships.map((r) => withBillingProfile(r, customers)));
    await insertRows(manager, "subscription", subscriptions);
    await insertRows(manager, "audit_record", audits);

    // purchase permissions on active Azure plans of active relationships
    await manager.query(`
      INSERT INTO purchase_permission (id, partner_id, customer_id, subscription_id, resource, granted_by, granted_at)
      SELECT md5('pp:' || s.id::text)::uuid, s.partner_id, s.customer_id, s.id, 'AZURE_RESERVATIONS',
             (SELECT u.id FROM partner_user u WHERE u.partner_id = s.partner_id AND 'ADMIN_AGENT' = ANY(u.roles) LIMIT 1), s.created_at
      FROM subscription s
      JOIN customer_relationship r ON r.customer_id = s.customer_id AND r.partner_id = s.partner_id AND r.status = 'ACTIVE'
      WHERE s.kind = 'AZURE_PLAN' AND s.status = 'ACTIVE' AND get_byte(decode(md5(s.id::text), 'hex'), 0) % 2 = 0`);

    await insertRows(manager, "relationship_request", demoRelationshipRequests(invitationSecret, customers, relationships, day));
    await seedReferrals(manager);

    return { partners: DEMO_PARTNERS.length, users: users.length, customers: customers.length, unservedTenants: unserved };
  });
}

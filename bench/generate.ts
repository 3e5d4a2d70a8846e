import { Client } from "pg";

/**
 * The synthetic data set of `npm run bench`: set-based INSERT … SELECT over
 * generate_series, in chunks (one progress step each), so a million customers
 * load in minutes. Deterministic: ids are md5 of a name.
 *
 * Shape: `partners` commercial partners in North America. Partner 0 ("Bench
 * Distribution") is the benchmark's caller: an indirect provider linked ACTIVE
 * to resellers 1–20, holding 10% of all customers, half of them created
 * through one of those resellers (both partners then hold a relationship, so
 * what it sees is exactly its own relationships). Every 20th partner from 21 on
 * is a provider, every 5th (i % 5 = 2) a reseller linked to one, the rest bill
 * directly. The other 90% of customers spread over partners 21+.
 * Per customer: a default domain (15% a second one), one relationship (5%
 * REMOVED) holding that partner's billing profile, about two subscriptions of mixed kinds, a purchase permission on a
 * third of the active Azure plans, one audit record.
 */
export interface GenerateOptions {
  customers: number;
  partners: number;
  chunk?: number;
  progress?: (done: number, total: number, label: string) => void;
}

/** The caller partner of every workload and the search term of workload (c). */
export const BENCH_CALLER = { index: 0, mpnId: "5000000" };
export const BENCH_SEARCH = "ventures";

const FIRST = ["Alpine", "Blue", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen", "Maple", "Nova", "Orchid", "Pioneer", "Quartz", "River", "Summit", "Tidal"];
const MIDDLE = ["Ventures", "Systems", "Holdings"];
const SUFFIX = ["Inc.", "LLC", "Ltd", "Group", "Co.", "Partners"];

const sqlArray = (values: string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ")}]`;

export async function generate(url: string, options: GenerateOptions): Promise<void> {
  const { customers: total, partners } = options;
  if (partners < 42) throw new Error("--partners must be at least 42 (the caller, its 20 resellers and the rest)");
  const chunk = options.chunk ?? 50_000;
  const progress = options.progress ?? (() => undefined);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET synchronous_commit = off`);
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO partner (id, mpn_id, name, type, cloud, country, region, mpa_signed, created_at)
       SELECT md5('bench-partner:' || i)::uuid, (5000000 + i)::text,
              CASE WHEN i = 0 THEN 'Bench Distribution' ELSE 'Bench Partner ' || lpad(i::text, 5, '0') END,
              CASE WHEN i = 0 OR (i >= 21 AND i % 20 = 1) THEN 'INDIRECT_PROVIDER'
                   WHEN i BETWEEN 1 AND 20 OR i % 5 = 2 THEN 'INDIRECT_RESELLER' ELSE 'DIRECT_BILL' END,
              'COMMERCIAL', 'US', 'NORTH_AMERICA', true, now() - interval '800 days'
         FROM generate_series(0, $1 - 1) i`,
      [partners],
    );
    await client.query(
      `INSERT INTO partner_user (id, partner_id, email, display_name, roles)
       SELECT md5('bench-user:' || i || ':' || r)::uuid, md5('bench-partner:' || i)::uuid,
              lower(r) || '@bench' || i || '.example', 'Bench user ' || i || ' ' || r, ARRAY[r]
         FROM generate_series(0, $1 - 1) i, unnest(ARRAY['GLOBAL_ADMIN', 'ADMIN_AGENT', 'SALES_AGENT']) r`,
      [partners],
    );
    await client.query(
      `INSERT INTO indirect_relationship (id, provider_id, reseller_id, status, invited_at, activated_at)
       SELECT md5('bench-link:' || i)::uuid,
              md5('bench-partner:' || CASE WHEN i <= 20 THEN 0 ELSE (i / 20) * 20 + 1 END)::uuid,
              md5('bench-partner:' || i)::uuid, 'ACTIVE', now() - interval '700 days', now() - interval '699 days'
         FROM generate_series(1, $1 - 1) i
        WHERE (i BETWEEN 1 AND 20 OR i % 5 = 2) AND (i <= 20 OR (i / 20) * 20 + 1 < $1)`,
      [partners],
    );
    await client.query("COMMIT");
    progress(0, total, "customers");

    for (let from = 0; from < total; from += chunk) {
      const to = Math.min(total, from + chunk) - 1;
      await client.query("BEGIN");
      // owner: partner 0 for every tenth customer, else a partner from 21 on (never the caller's resellers)
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS bench_chunk (n bigint PRIMARY KEY, id uuid, owner int, created timestamptz) ON COMMIT DELETE ROWS`,
      );
      await client.query(
        `INSERT INTO bench_chunk
         SELECT n, md5('bench-customer:' || n)::uuid,
                CASE WHEN n % 10 = 0 THEN 0 ELSE 21 + ((n * 2654435761) % ($3 - 21))::int END,
                now() - ((n % 700) || ' days')::interval - ((n % 86400) || ' seconds')::interval
           FROM generate_series($1::bigint, $2::bigint) n`,
        [from, to, partners],
      );
      await client.query(
        `INSERT INTO customer (id, tenant_id, cloud, company_name, default_domain, qualification, culture, language,
                               billing_first_name, billing_last_name, billing_email, billing_phone_number,
                               address_line1, city, state, postal_code, country, version, created_at, updated_at)
         SELECT b.id, md5('bench-tenant:' || b.n)::uuid, 'COMMERCIAL',
                (${sqlArray(FIRST)})[1 + b.n % 20] || ' ' || (${sqlArray(MIDDLE)})[1 + (b.n / 20) % 3] || ' ' || lpad(b.n::text, 7, '0') || ' ' || (${sqlArray(SUFFIX)})[1 + (b.n / 60) % 6],
                'bench' || b.n || '.onmicrosoft.com', CASE WHEN b.n % 10 = 3 THEN 'EDUCATION' ELSE 'NONE' END, 'en-US', 'en',
                'Avery', 'Garcia', 'billing@bench' || b.n || '.example', CASE WHEN b.n % 2 = 0 THEN '+1 425 555 0100' END,
                (1 + b.n % 900) || ' Main St', 'Seattle', 'WA', '98101', 'US', 1, b.created, b.created
           FROM bench_chunk b`,
      );
      await client.query(
        `INSERT INTO customer_domain (domain, customer_id, is_default)
         SELECT 'bench' || b.n || '.onmicrosoft.com', b.id, true FROM bench_chunk b
         UNION ALL
         SELECT 'bench' || b.n || '.example.com', b.id, false FROM bench_chunk b WHERE b.n % 7 = 1`,
      );
      // the caller's customers: every other one was created through one of its resellers, which then holds one too;
      // each relationship holds its partner's own billing profile, a copy of the tenant's registration data (as the server makes it)
      await client.query(
        `INSERT INTO customer_relationship (id, partner_id, customer_id, status, type, established_via, delegated_admin,
                                           indirect_reseller_id, indirect_provider_id, established_at, removed_at,
                                           billing_profile, version, updated_at)
         SELECT md5('bench-rel:' || b.n)::uuid, md5('bench-partner:' || b.owner)::uuid, b.id,
                CASE WHEN b.n % 20 = 19 THEN 'REMOVED' ELSE 'ACTIVE' END, 'RESELLER',
                CASE WHEN b.n % 7 = 3 THEN 'INVITATION' ELSE 'CREATED' END, b.n % 20 <> 19 AND b.n % 7 <> 3,
                CASE WHEN b.owner = 0 AND b.n % 20 = 0 THEN md5('bench-partner:' || (1 + (b.n / 20) % 20))::uuid END,
                NULL, b.created, CASE WHEN b.n % 20 = 19 THEN b.created + interval '30 days' END,
                customer_registration_billing_profile(c), 1, b.created
           FROM bench_chunk b JOIN customer c ON c.id = b.id
         UNION ALL
         SELECT md5('bench-rel-reseller:' || b.n)::uuid, md5('bench-partner:' || (1 + (b.n / 20) % 20))::uuid, b.id,
                'ACTIVE', 'RESELLER', 'CREATED', true, NULL, md5('bench-partner:0')::uuid, b.created, NULL,
                customer_registration_billing_profile(c), 1, b.created
           FROM bench_chunk b JOIN customer c ON c.id = b.id WHERE b.owner = 0 AND b.n % 20 = 0`,
      );
      await client.query(
        `INSERT INTO subscription (id, customer_id, partner_id, offer_name, kind, quantity, status, created_at, updated_at)
         SELECT md5('bench-sub:' || b.n || ':' || s)::uuid, b.id, md5('bench-partner:' || b.owner)::uuid,
                (ARRAY['Microsoft 365 E3', 'Azure plan', 'Reserved VM Instance, D2s v5', 'Windows Server 2022 Standard'])[1 + (b.n + s) % 4],
                (ARRAY['LICENSE', 'AZURE_PLAN', 'AZURE_RESERVATION', 'SOFTWARE'])[1 + (b.n + s) % 4],
                CASE WHEN (b.n + s) % 4 = 0 THEN 5 + b.n % 200 ELSE 1 END,
                (ARRAY['ACTIVE', 'ACTIVE', 'SUSPENDED', 'CANCELLED'])[1 + (b.n / 3 + s) % 4],
                b.created + (s || ' days')::interval, b.created + (s || ' days')::interval
           FROM bench_chunk b, generate_series(0, (b.n % 4)::int) s`,
      );
      await client.query(
        `INSERT INTO purchase_permission (id, partner_id, customer_id, subscription_id, resource, granted_by, granted_at)
         SELECT md5('bench-pp:' || s.id)::uuid, s.partner_id, s.customer_id, s.id, 'AZURE_RESERVATIONS',
                md5('bench-user:' || b.owner || ':ADMIN_AGENT')::uuid, s.created_at
           FROM bench_chunk b JOIN subscription s ON s.customer_id = b.id AND s.kind = 'AZURE_PLAN' AND s.status = 'ACTIVE'
          WHERE b.n % 3 = 0 AND b.n % 20 <> 19
         ON CONFLICT DO NOTHING`,
      );
      await client.query(
        `INSERT INTO audit_record (id, partner_id, customer_id, operation_type, resource_type, actor_user_id, actor_email, actor_roles, new_value, at)
         SELECT md5('bench-audit:' || b.n)::uuid, md5('bench-partner:' || b.owner)::uuid, b.id, 'add_customer', 'customer',
                md5('bench-user:' || b.owner || ':GLOBAL_ADMIN')::uuid, 'global_admin@bench' || b.owner || '.example', ARRAY['GLOBAL_ADMIN'],
                jsonb_build_object('defaultDomain', 'bench' || b.n || '.onmicrosoft.com'), b.created
           FROM bench_chunk b`,
      );
      await client.query("COMMIT");
      progress(to + 1, total, "customers");
    }
    progress(total, total, "vacuum analyze");
    await client.query("VACUUM ANALYZE");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

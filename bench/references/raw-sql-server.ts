import http from "node:http";
import { Pool } from "pg";

/**
 * The floor: a plain HTTP handler answering workloads (a) and (b) with one
 * hand-written SQL statement each over `pg`, returning the same data as the
 * GraphQL API (no parsing, validation, permissions or per-field resolution).
 * POST /a {"partnerId","first"} and POST /b {"partnerId","customerId"}.
 */
// the billing profile is the viewer's relationship's (one per partner), as the GraphQL server reads it; the tenant's name is shared
const BILLING = `c.company_name, r.billing_profile`;

const PAGE_SQL = `
  SELECT c.id, c.default_domain, ${BILLING},
         r.status, r.type, r.established_via, r.delegated_admin, r.established_at,
         rp.id AS reseller_id, rp.name AS reseller_name,
         coalesce((SELECT json_agg(json_build_object('id', pp.id, 'resource', pp.resource, 'action', pp.action, 'grantedAt', pp.granted_at) ORDER BY pp.granted_at, pp.id)
                     FROM purchase_permission pp WHERE pp.customer_id = c.id AND pp.partner_id = $1), '[]') AS purchase_permissions
    FROM customer_relationship r
    JOIN customer c ON c.id = r.customer_id
    LEFT JOIN partner rp ON rp.id = r.indirect_reseller_id
   WHERE r.partner_id = $1 AND r.status = 'ACTIVE'
   ORDER BY c.company_name, c.id
   LIMIT $2`;

const ONE_SQL = `
  SELECT c.id, c.tenant_id, c.default_domain, c.qualification, c.organization_registration_number, c.created_at, r.version, r.updated_at, ${BILLING},
         r.status, r.type, r.established_via, r.delegated_admin, r.established_at, r.removed_at,
         (SELECT json_build_object('id', p.id, 'name', p.name, 'mpnId', p.mpn_id) FROM partner p WHERE p.id = r.indirect_reseller_id) AS indirect_reseller,
         (SELECT json_build_object('id', p.id, 'name', p.name, 'mpnId', p.mpn_id) FROM partner p WHERE p.id = r.indirect_provider_id) AS indirect_provider,
         (SELECT json_agg(d.domain ORDER BY d.is_default DESC, d.domain) FROM customer_domain d WHERE d.customer_id = c.id) AS domains,
         (SELECT coalesce(json_agg(x), '[]') FROM (SELECT s.id, s.offer_name, s.kind, s.quantity, s.status, s.created_at FROM subscription s
            WHERE s.customer_id = c.id AND s.partner_id = $1 ORDER BY s.created_at, s.id LIMIT 10) x) AS subscriptions,
         (SELECT coalesce(json_agg(json_build_object('id', pp.id, 'resource', pp.resource, 'action', pp.action, 'grantedAt', pp.granted_at,
                   'subscription', json_build_object('id', s.id, 'offerName', s.offer_name)) ORDER BY pp.granted_at, pp.id), '[]')
            FROM purchase_permission pp JOIN subscription s ON s.id = pp.subscription_id WHERE pp.customer_id = c.id AND pp.partner_id = $1) AS purchase_permissions,
         (SELECT coalesce(json_agg(x), '[]') FROM (SELECT a.id, a.operation_type, a.resource_type, a.at FROM audit_record a
            WHERE a.partner_id = $1 AND a.customer_id = c.id ORDER BY a.at, a.id LIMIT 5) x) AS audit_records
    FROM customer_relationship r
    JOIN customer c ON c.id = r.customer_id
   WHERE r.partner_id = $1 AND r.customer_id = $2 AND r.status = 'ACTIVE'`;

interface BillingProfileJson {
  culture: string;
  language: string;
  address: { country: string };
}

function billingOf(row: Record<string, unknown>): BillingProfileJson {
  return row.billing_profile as BillingProfileJson;
}

function relationshipOf(row: Record<string, unknown>) {
  return { status: row.status, type: row.type, establishedVia: row.established_via, delegatedAdmin: row.delegated_admin, establishedAt: row.established_at, removedAt: row.removed_at ?? null };
}

export function startRawSqlServer(databaseUrl: string, port: number, poolSize: number): Promise<http.Server> {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", async () => {
      try {
        const input = JSON.parse(body || "{}");
        let data: unknown;
        if (req.url === "/a") {
          const { rows } = await pool.query(PAGE_SQL, [input.partnerId, Number(input.first ?? 50) + 1]);
          const page = rows.slice(0, Number(input.first ?? 50));
          data = {
            customers: {
              nodes: page.map((row) => ({
                id: row.id,
                companyName: row.company_name,
                defaultDomain: row.default_domain,
                billingProfile: billingOf(row),
                relationship: relationshipOf(row),
                indirectReseller: row.reseller_id ? { id: row.reseller_id, name: row.reseller_name } : null,
                purchasePermissions: row.purchase_permissions,
              })),
              pageInfo: { hasNextPage: rows.length > page.length, endCursor: page.at(-1)?.id ?? null },
            },
          };
        } else if (req.url === "/b") {
          const { rows } = await pool.query(ONE_SQL, [input.partnerId, input.customerId]);
          const row = rows[0];
          data = {
            customer: row
              ? {
                  id: row.id,
                  tenantId: row.tenant_id,
                  companyName: row.company_name,
                  defaultDomain: row.default_domain,
                  domains: row.domains,
                  country: billingOf(row).address.country,
                  culture: billingOf(row).culture,
                  language: billingOf(row).language,
                  qualification: row.qualification,
                  etag: `W/"${row.version}"`,
                  createdAt: row.created_at,
                  updatedAt: row.updated_at,
                  companyProfile: { companyName: row.company_name, domain: row.default_domain, organizationRegistrationNumber: row.organization_registration_number },
                  billingProfile: billingOf(row),
                  relationship: relationshipOf(row),
                  delegatedAdmin: row.delegated_admin,
                  indirectReseller: row.indirect_reseller,
                  indirectProvider: row.indirect_provider,
                  subscriptions: { nodes: row.subscriptions },
                  purchasePermissions: row.purchase_permissions,
                  auditRecords: { nodes: row.audit_records },
                }
              : null,
          };
        } else {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      } catch (error) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
      }
    });
  });
  server.on("close", () => void pool.end());
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

// run as a child process of the bench: node raw-sql-server.js <databaseUrl> <port> <poolSize>
if (require.main === module) {
  const [url, port, poolSize] = process.argv.slice(2);
  void startRawSqlServer(url!, Number(port), Number(poolSize ?? 10)).then(() => process.stdout.write("ready\n"));
  process.on("SIGTERM", () => process.exit(0));
}

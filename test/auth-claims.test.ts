import { spawn } from "node:child_process";
import path from "node:path";
import * as jose from "jose";
import { userEmail, userId } from "../src/db/seed/demo-data";
import { partnerId, PartnerRole, TestApp, TEST_JWT_SECRET } from "./support/harness";

/** What a validly signed token must also satisfy: its user belongs to its partner, and sane times. */
let app: TestApp;
let base: string;

beforeAll(async () => {
  app = await TestApp.start();
  base = await app.url();
});
afterAll(() => app?.close());

const CONTOSO_ADMIN = userId("contoso", PartnerRole.GLOBAL_ADMIN);
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the server's key: claims and times as given (iat/exp in epoch seconds). */
function sign(claims: { sub?: string; pid?: string; roles?: string[] } = {}, times: { iat?: number; exp?: number; nbf?: number } = {}): Promise<string> {
  const iat = times.iat ?? now();
  const jwt = new jose.SignJWT({ pid: claims.pid ?? partnerId("contoso"), roles: claims.roles ?? [PartnerRole.GLOBAL_ADMIN] })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.sub ?? CONTOSO_ADMIN)
    .setIssuer("partner-accounts-graphql")
    .setAudience("partner-accounts-graphql")
    .setIssuedAt(iat)
    .setExpirationTime(times.exp ?? iat + HOUR);
  if (times.nbf !== undefined) jwt.setNotBefore(times.nbf);
  return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

async function call(token: string, query = "{ viewer { user { id email roles } partner { mpnId } } }") {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, json: (await response.json()) as any };
}

function expectUnauthenticated(result: { status: number; json: any }, reason: RegExp): void {
  expect(result.status).toBe(401);
  expect(result.json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
  expect(result.json.errors[0].message).toMatch(reason);
  expect(result.json.data).toBeUndefined();
}

describe("the token's user and partner", () => {
  it("accepts a user of the token's partner, with the token's roles and the stored email", async () => {
    const result = await call(await sign({ roles: [PartnerRole.SALES_AGENT, PartnerRole.BILLING_ADMIN] }));
    expect(result.status).toBe(200);
    expect(result.json.data.viewer).toEqual({
      user: { id: expect.any(String), email: userEmail("contoso", PartnerRole.GLOBAL_ADMIN), roles: [PartnerRole.SALES_AGENT, PartnerRole.BILLING_ADMIN] },
      partner: { mpnId: "1000001" },
    });
  });

  it("answers 401 for a pid that is no partner (not 500)", async () => {
    expectUnauthenticated(await call(await sign({ pid: "8d3a2c1e-0000-4000-8000-000000000001" })), /is not a user of partner 8d3a2c1e/);
    expectUnauthenticated(await call(await sign({ sub: "8d3a2c1e-0000-4000-8000-000000000002", pid: "8d3a2c1e-0000-4000-8000-000000000001" })), /does not exist/);
  });

  it("answers 401 for a sub that is no user", async () => {
    expectUnauthenticated(await call(await sign({ sub: "8d3a2c1e-0000-4000-8000-000000000002" })), /user 8d3a2c1e-0000-4000-8000-000000000002 \(claim sub\) does not exist/);
  });

  it("answers 401 for a user of another partner, and that user never acts for it", async () => {
    const [{ before }] = await app.sql(`SELECT count(*)::int AS before FROM audit_record WHERE actor_user_id = $1 AND partner_id = $2`, [CONTOSO_ADMIN, partnerId("fabrikam")]);
    const token = await sign({ pid: partnerId("fabrikam") });
    expectUnauthenticated(await call(token), /is not a user of partner/);
    const mutation = `mutation { indirectResellerInvite(input: { resellerMpnId: "1000004" }) { indirectRelationship { id } } }`;
    expectUnauthenticated(await call(token, mutation), /is not a user of partner/);
    const [{ after }] = await app.sql(`SELECT count(*)::int AS after FROM audit_record WHERE actor_user_id = $1 AND partner_id = $2`, [CONTOSO_ADMIN, partnerId("fabrikam")]);
    expect(after).toBe(before);
  });
});

describe("token times", () => {
  it("answers 401 for an iat in the future beyond the clock skew", async () => {
    expectUnauthenticated(await call(await sign({}, { iat: now() + HOUR })), /iat is in the future/);
  });

  it("answers 401 for a 100-year token", async () => {
    expectUnauthenticated(await call(await sign({}, { exp: now() + 100 * 365 * 24 * HOUR })), /lifetime .* exceeds 86400 s/);
  });

  it("answers 401 for a lifetime just over the 24 h maximum, and accepts exactly 24 h", async () => {
    const iat = now();
    expectUnauthenticated(await call(await sign({}, { iat, exp: iat + 24 * HOUR + 1 })), /lifetime/);
    expect((await call(await sign({}, { iat, exp: iat + 24 * HOUR }))).status).toBe(200);
  });

  it("accepts an iat and nbf within the clock skew (60 s)", async () => {
    const ahead = now() + 30;
    const result = await call(await sign({}, { iat: ahead, nbf: ahead, exp: ahead + HOUR }));
    expect(result.status).toBe(200);
    expect(result.json.data.viewer.partner.mpnId).toBe("1000001");
  });

  it("answers 401 for an nbf beyond the clock skew", async () => {
    // jose raises this one; under ts-jest its error classes lose their message (a transform artefact), so only the code is checked
    expectUnauthenticated(await call(await sign({}, { nbf: now() + HOUR })), /^The bearer token is not valid/);
  });

  it("signs no token longer than the maximum", async () => {
    await expect(app.tokens.sign({ sub: CONTOSO_ADMIN, pid: partnerId("contoso"), roles: [PartnerRole.GLOBAL_ADMIN] }, "25h")).rejects.toThrow(/at most 86400 s/);
  });
});

describe("the database down during the user lookup", () => {
  it("answers 503 SERVICE_UNAVAILABLE for a token not seen before (never 401 or 500), and accepts it once the database is back", async () => {
    const token = await sign({ roles: [PartnerRole.HELPDESK_AGENT] }, { iat: now() - 5 }); // a token no earlier request used
    await app.cutOffDatabase();
    try {
      const down = await call(token, "{ viewer { partner { mpnId } } }");
      expect(down.status).toBe(503);
      expect(down.json.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await app.restoreDatabase();
    }
    const up = await call(token, "{ viewer { partner { mpnId } } }");
    expect(up.status).toBe(200);
    expect(up.json.data.viewer.partner.mpnId).toBe("1000001");
  });
});

describe("npm run token", () => {
  const root = path.join(__dirname, "..");
  function token(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [path.join(root, "dist", "src", "cli", "token.js"), ...args], {
      env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  }

  it("prints a token the server accepts for --user, with the given roles", async () => {
    const printed = await token(["--partner", "1000002", "--role", "ADMIN_AGENT", "--role", "SALES_AGENT", "--user", "Sales.Agent@fabrikam.example"]);
    expect(printed.code).toBe(0);
    const result = await call(printed.stdout.trim(), "{ viewer { user { email roles } partner { mpnId } } }");
    expect(result.status).toBe(200);
    expect(result.json.data.viewer).toEqual({ user: { email: "sales.agent@fabrikam.example", roles: ["ADMIN_AGENT", "SALES_AGENT"] }, partner: { mpnId: "1000002" } });
  });

  it("prints a token the server accepts without --user", async () => {
    const printed = await token(["--partner", "1000006", "--role", "BILLING_ADMIN"]);
    expect(printed.code).toBe(0);
    expect((await call(printed.stdout.trim())).status).toBe(200);
  });

  it("refuses a --user that is not a demo user of the partner, listing its users", async () => {
    const refused = await token(["--partner", "1000002", "--role", "GLOBAL_ADMIN", "--user", "global.admin@contoso.example"]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/global\.admin@contoso\.example is not a demo user of 1000002 \(Fabrikam Distribution\); its users: global\.admin@fabrikam\.example, /);
  });

  it("refuses --expires beyond the maximum lifetime", async () => {
    const refused = await token(["--partner", "1000001", "--role", "GLOBAL_ADMIN", "--expires", "100y"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/at most 86400 s/);
  });
});

import * as jose from "jose";
import { createTokenService } from "../src/auth/tokens";
import { loadConfig } from "../src/config";
import { userId } from "../src/db/seed/demo-data";
import { partnerId, PartnerRole, TestApp } from "./support/harness";

describe("token configuration", () => {
  it("refuses to start in production without a configured key", async () => {
    await expect(createTokenService(loadConfig({ NODE_ENV: "production", DATA_DIR: "/nonexistent" }))).rejects.toThrow(/refusing to start/);
  });

  it("verifies RS256 tokens against JWT_PUBLIC_KEY and rejects HS256 ones", async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
    const pem = await jose.exportSPKI(publicKey);
    const app = await TestApp.start({ env: { JWT_PUBLIC_KEY: pem, JWT_SECRET: "" } }); // seeded: the token's user must exist
    try {
      const base = await app.url();
      const rs256 = await new jose.SignJWT({ pid: partnerId("contoso"), roles: [PartnerRole.GLOBAL_ADMIN] })
        .setProtectedHeader({ alg: "RS256" })
        .setSubject(userId("contoso", PartnerRole.GLOBAL_ADMIN))
        .setIssuer("partner-accounts-graphql")
        .setAudience("partner-accounts-graphql")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey);
      const call = (token: string) =>
        fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: "{ countryValidationRules(country: \"US\") { region } }" }) });
      const ok = await call(rs256);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as any).data.countryValidationRules.region).toBe("NORTH_AMERICA");
      const hs256 = await new jose.SignJWT({ pid: partnerId("contoso"), roles: ["GLOBAL_ADMIN"] })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(userId("contoso", PartnerRole.GLOBAL_ADMIN))
        .setIssuer("partner-accounts-graphql")
        .setAudience("partner-accounts-graphql")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode(pem));
      expect((await call(hs256)).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});

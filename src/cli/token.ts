import { parseArgs } from "node:util";
import { DemoCallerError, demoCaller, signDemoToken } from "../auth/demo-tokens";
import { isPartnerRole, PartnerRole } from "../auth/roles";
import { createTokenService } from "../auth/tokens";
import { loadConfig } from "../config";
import { DEMO_PARTNERS, demoUsers } from "../db/seed/demo-data";

/**
 * Prints one signed bearer token for a demo user: npm run --silent token -- --partner 1000001 --role GLOBAL_ADMIN
 * (`--user <email>` without `--role`: that demo user's own role). The token carries the roles as signed: it is
 * issued after any earlier role change of its user, so the server takes its roles as they are (src/auth/tokens.ts).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { partner: { type: "string" }, role: { type: "string", multiple: true }, user: { type: "string" }, expires: { type: "string" } },
  });
  const partner = DEMO_PARTNERS.find((p) => p.mpnId === values.partner);
  const demoUser = partner && values.user ? demoUsers(partner.key).find((u) => u.email === values.user!.toLowerCase()) : undefined;
  const roles = (values.role ?? (demoUser ? [demoUser.role] : [])).map((r) => r.toUpperCase());
  if (!partner || (roles.length === 0 && !values.user) || !roles.every(isPartnerRole)) {
    process.stderr.write(
      "usage: npm run --silent token -- --partner <MPN id> --role <ROLE> [--role <ROLE> …] [--user <email>]\n" +
        "       npm run --silent token -- --partner <MPN id> --user <email>   (that demo user's own role)\n" +
        `  partners: ${DEMO_PARTNERS.map((p) => `${p.mpnId} (${p.name})`).join(", ")}\n` +
        `  roles: ${Object.values(PartnerRole).join(", ")}\n`,
    );
    process.exit(2);
  }
  let caller;
  try {
    caller = demoCaller(partner.key, roles, values.user);
  } catch (error) {
    if (!(error instanceof DemoCallerError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const tokens = await createTokenService(loadConfig());
  process.stdout.write((await signDemoToken(tokens, caller, values.expires)) + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import dns from "node:dns";
import net from "node:net";
import type { LookupFunction } from "node:net";

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Every address a host name resolves to (injected in tests). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Where webhooks may point: anywhere in development and tests (a local receiver), only public https hosts in production. */
export interface UrlPolicy {
  production: boolean;
  resolve?: Resolve;
}

export type UrlRefusal = { code: "INVALID" | "URL_NOT_ALLOWED"; message: string };

/** Loopback, private, link-local, shared (CGNAT), documentation, benchmark, multicast, reserved; IPv4-mapped and NAT64 IPv6. */
// two lists: a BlockList checks IPv4 addresses against its IPv6 rules too (as ::ffff:a.b.c.d), and ::ffff:0:0/96 is one of them
const NON_PUBLIC_V4 = new net.BlockList();
const NON_PUBLIC_V6 = new net.BlockList();
{
  for (const [prefix, bits] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ] as const)
    NON_PUBLIC_V4.addSubnet(prefix, bits, "ipv4");
  for (const [prefix, bits] of [
    ["::", 128],
    ["::1", 128],
    ["::ffff:0:0", 96],
    ["64:ff9b::", 96],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
  ] as const)
    NON_PUBLIC_V6.addSubnet(prefix, bits, "ipv6");
}

/** Whether an address may receive webhooks in production. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return family === 4 ? !NON_PUBLIC_V4.check(address, "ipv4") : !NON_PUBLIC_V6.check(address, "ipv6");
}

function refused(message: string): UrlRefusal {
  return { code: "URL_NOT_ALLOWED", message };
}

/**
 * Why a webhook URL is refused, or null when it is fine. In production: https
 * only, and the host (a literal address, or every address its name resolves
 * to) must be public. Checked when the webhook is saved and again before each
 * delivery (DNS may have changed); the delivery's own connection re-checks
 * the address it connects to (`guardedLookup`).
 */
export async function urlRefusal(raw: string, policy: UrlPolicy): Promise<UrlRefusal | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: "INVALID", message: "Give an absolute URL, e.g. https://hooks.example.com/partner-events." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { code: "INVALID", message: "A webhook URL is http(s)." };
  if (url.username || url.password) return { code: "INVALID", message: "A webhook URL carries no user name or password; verify the signature instead." };
  if (raw.length > 2000) return { code: "INVALID", message: "A webhook URL is at most 2000 characters." };
  if (!policy.production) return null;
  if (url.protocol !== "https:") return refused("Webhook URLs must use https.");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return isPublicAddress(host) ? null : refused(`${host} is not a public address (loopback, private, link-local and reserved ranges are refused).`);
  let addresses: ResolvedAddress[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(host);
  } catch {
    return refused(`${host} does not resolve.`);
  }
  if (addresses.length === 0) return refused(`${host} does not resolve.`);
  const inner = addresses.find((a) => !isPublicAddress(a.address));
  // the address itself is not named: a caller could otherwise map internal names to private addresses
  return inner ? refused(`${host} resolves to an address that is not public (loopback, private, link-local or reserved).`) : null;
}

/**
 * A `lookup` for the delivery's socket that resolves the name and refuses it
 * when any address is not public: the address connected to is the one checked
 * (no DNS rebinding between the check and the connection).
 */
export function guardedLookup(resolve: Resolve = systemResolve): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (addresses) => {
        const inner = addresses.find((a) => !isPublicAddress(a.address));
        if (addresses.length === 0 || inner) {
          const error = Object.assign(new Error(`${hostname} resolves to ${inner ? "an address that is not public" : "nothing"}`), { code: "URL_NOT_ALLOWED" });
          callback(error);
          return;
        }
        if (options?.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error),
    );
  }) as unknown as LookupFunction;
}

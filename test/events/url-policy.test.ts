import { guardedLookup, isPublicAddress, Resolve, urlRefusal } from "../../src/modules/webhooks/webhook-url";

/** Where webhooks may point: SSRF checks of production, with DNS answers injected. */
const resolvesTo =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
const production = (resolve: Resolve = resolvesTo("93.184.216.34")) => ({ production: true, resolve });

describe("webhook URLs in production", () => {
  it("accepts https to a name whose every address is public", async () => {
    expect(await urlRefusal("https://hooks.example.com/partner-events", production(resolvesTo("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")))).toBeNull();
  });

  it("refuses plain http", async () => {
    expect(await urlRefusal("http://hooks.example.com/", production())).toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it.each([
    ["loopback", "https://127.0.0.1/"],
    ["loopback (elsewhere in 127/8)", "https://127.10.0.1/"],
    ["private 10/8", "https://10.1.2.3/"],
    ["private 172.16/12", "https://172.20.0.1/"],
    ["private 192.168/16", "https://192.168.1.10:8443/"],
    ["link-local (cloud metadata)", "https://169.254.169.254/latest/meta-data"],
    ["shared address space", "https://100.64.0.1/"],
    ["unspecified", "https://0.0.0.0/"],
    ["IPv6 loopback", "https://[::1]/"],
    ["IPv6 link-local", "https://[fe80::1]/"],
    ["IPv6 unique local", "https://[fd00::1]/"],
    ["IPv4-mapped loopback", "https://[::ffff:127.0.0.1]/"],
  ])("refuses a literal %s address", async (_label, url) => {
    expect(await urlRefusal(url, production())).toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it.each([
    ["loopback", ["127.0.0.1"]],
    ["private", ["10.0.0.7"]],
    ["link-local", ["169.254.169.254"]],
    ["IPv6 loopback", ["::1"]],
    ["one public and one private address", ["93.184.216.34", "192.168.0.5"]],
  ])("refuses a name that resolves to a %s address", async (_label, addresses) => {
    expect(await urlRefusal("https://hooks.example.com/", production(resolvesTo(...addresses)))).toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it("refuses a name that does not resolve", async () => {
    const failing: Resolve = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await urlRefusal("https://nowhere.example/", production(failing))).toMatchObject({ code: "URL_NOT_ALLOWED" });
    expect(await urlRefusal("https://nowhere.example/", production(resolvesTo()))).toMatchObject({ code: "URL_NOT_ALLOWED" });
  });

  it("the delivery's socket lookup refuses private answers and passes public ones on", async () => {
    const lookup = (resolve: Resolve, all: boolean) =>
      new Promise<{ error: Error | null; result: unknown }>((done) => (guardedLookup(resolve) as any)("hooks.example.com", { all }, (error: Error | null, result: unknown) => done({ error, result })));
    expect((await lookup(resolvesTo("10.0.0.1"), false)).error?.message).toMatch(/resolves to an address that is not public$/);
    expect((await lookup(resolvesTo("10.0.0.1"), false)).error?.message).not.toContain("10.0.0.1");
    expect((await lookup(resolvesTo("93.184.216.34"), false)).result).toBe("93.184.216.34");
    expect((await lookup(resolvesTo("93.184.216.34", "192.168.0.1"), true)).error).not.toBeNull();
    expect((await lookup(resolvesTo("93.184.216.34"), true)).result).toEqual([{ address: "93.184.216.34", family: 4 }]);
  });
});

describe("webhook URLs in development and tests", () => {
  it("allow the local receiver, over http", async () => {
    expect(await urlRefusal("http://127.0.0.1:4400/", { production: false })).toBeNull();
    expect(await urlRefusal("http://localhost:4400/hooks", { production: false })).toBeNull();
  });

  it("still refuse what is not an http(s) URL, and credentials in it", async () => {
    for (const url of ["not a url", "ftp://example.com/", "file:///etc/passwd", "https://user:pw@example.com/"]) {
      expect([url, (await urlRefusal(url, { production: false }))?.code]).toEqual([url, "INVALID"]);
    }
  });
});

describe("isPublicAddress", () => {
  it("tells public addresses from the rest", () => {
    expect(["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888"].map(isPublicAddress)).toEqual([true, true, true]);
    expect(["127.0.0.1", "10.0.0.1", "169.254.1.1", "::1", "fe80::1", "::ffff:10.0.0.1", "not-an-ip"].map(isPublicAddress)).toEqual([false, false, false, false, false, false, false]);
  });
});

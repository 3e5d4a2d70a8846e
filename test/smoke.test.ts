import { dataOf, PartnerRole, TestApp } from "./support/harness";

let app: TestApp;
beforeAll(async () => {
  app = await TestApp.start();
});
afterAll(() => app?.close());

it("serves the viewer", async () => {
  const result = await app.as("contoso", PartnerRole.GLOBAL_ADMIN).run("{ viewer { partner { name } } }");
  expect(dataOf(result).viewer.partner.name).toBe("Contoso Cloud Direct");
});

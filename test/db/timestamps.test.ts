import { Client, types } from "pg";
import { createDataSource } from "../../ormconfig";
import { parseTimestamptz, pgTypes } from "../../src/db/timestamps";

/**
 * timestamptz as the pool reads it (`pgTypes`) gives the instants pg's own parser (postgres-date) gives, for every
 * form PostgreSQL writes: fractions of 0 to 6 digits, offsets of hours, minutes and seconds, BC, infinity.
 */
const pgParse = types.getTypeParser(1184, "text") as (text: string) => Date | number;
const instant = (value: Date | number) => (value instanceof Date ? value.getTime() : value);

let client: Client;
beforeAll(async () => {
  client = new Client({ connectionString: process.env.TEST_ADMIN_URL });
  await client.connect();
});
afterAll(async () => client?.end());

const INPUTS = [
  "2026-12-04 21:00:58.94+00",
  "2026-12-04 21:00:58+00",
  "2026-12-04 21:00:58.123456+00",
  "2026-01-01 10:00:00.5+05:30",
  "1999-12-31 23:59:59.999999-03:30",
  "1969-12-31 23:59:59.5+00",
  "1900-01-01 00:00:00+00",
  "0001-01-01 00:00:00+00",
  "0044-03-15 12:00:00 BC",
  "12026-06-01 00:00:00+00",
  "infinity",
  "-infinity",
];

it.each(["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam"])("reads what PostgreSQL writes in the time zone %s as pg's own parser does", async (zone) => {
  await client.query(`SET TIME ZONE '${zone}'`);
  // the text PostgreSQL sends, unparsed
  const { rows } = await client.query({ text: "SELECT unnest($1::timestamptz[])::text AS t", values: [INPUTS], types: { getTypeParser: () => (value: string) => value } });
  const texts = rows.map((r: { t: string }) => r.t);
  expect(texts.some((t) => /\+05:21:10|-03:30|\+05:30|\+01|BC|infinity/.test(t))).toBe(true);
  for (const text of texts) expect([text, instant(parseTimestamptz(text))]).toEqual([text, instant(pgParse(text))]);
});

it("is what the pool's connections parse timestamptz with, and only timestamptz", async () => {
  expect(pgTypes.getTypeParser(1184, "text")).toBe(parseTimestamptz);
  for (const oid of [1082, 1114, 114, 3802]) expect(pgTypes.getTypeParser(oid, "text")).toBe(types.getTypeParser(oid, "text"));
  const dataSource = createDataSource({ url: process.env.TEST_ADMIN_URL! });
  expect((dataSource.options.extra as { types?: unknown }).types).toBe(pgTypes);
  const typed = new Client({ connectionString: process.env.TEST_ADMIN_URL, types: pgTypes });
  await typed.connect();
  try {
    const { rows } = await typed.query("SELECT '2026-12-04 21:00:58.94+00'::timestamptz AS at, '{\"a\": 1}'::jsonb AS j");
    expect(rows[0].at).toEqual(new Date("2026-12-04T21:00:58.940Z"));
    expect(rows[0].j).toEqual({ a: 1 });
  } finally {
    await typed.end();
  }
});

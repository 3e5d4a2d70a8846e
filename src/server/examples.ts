import fs from "node:fs";
import path from "node:path";
import { isPartnerRole, PartnerRole } from "../auth/roles";
import { projectRoot } from "../config";

/**
 * The example operations of the docs (`docs/examples/*.graphql`), one operation per file, described by
 * comment lines at its top:
 *
 *   # title: List customers, 10 at a time
 *   # partner: contoso
 *   # roles: SALES_AGENT
 *   # variables: {"first": 10}
 *   query ListCustomers($first: Int!) { … }
 *
 * `partner` is a demo partner's key; `roles` one or more partner roles, comma-separated; `variables`
 * one line of JSON (optional). The docs test runs every one against the demo data with that caller,
 * and the playground offers them as tabs, by role.
 */
export interface ExampleOperation {
  /** The file's name without `.graphql`. */
  name: string;
  title: string;
  partner: string;
  roles: PartnerRole[];
  variables: Record<string, unknown>;
  /** The file's text without its header lines. */
  query: string;
}

export const EXAMPLES_DIR = path.join(projectRoot(), "docs", "examples");

export class ExampleFormatError extends Error {}

export function parseExample(name: string, text: string): ExampleOperation {
  const header: Record<string, string> = {};
  const lines = text.split("\n");
  let body = 0;
  for (; body < lines.length; body++) {
    const match = /^#\s*([a-z]+):\s*(.*)$/.exec(lines[body]!.trim());
    if (!match) break;
    header[match[1]!] = match[2]!.trim();
  }
  const fail = (why: string) => {
    throw new ExampleFormatError(`docs/examples/${name}.graphql: ${why}`);
  };
  if (!header.title) fail("no `# title:` line");
  if (!header.partner) fail("no `# partner:` line");
  const roles = (header.roles ?? "").split(",").map((role) => role.trim()).filter(Boolean);
  if (roles.length === 0) fail("no `# roles:` line");
  for (const role of roles) if (!isPartnerRole(role)) fail(`unknown role ${role}`);
  let variables: Record<string, unknown> = {};
  if (header.variables) {
    try {
      variables = JSON.parse(header.variables) as Record<string, unknown>;
    } catch {
      fail("`# variables:` is not one line of JSON");
    }
  }
  const query = lines.slice(body).join("\n").trim();
  if (!query) fail("no operation after the header");
  return { name, title: header.title!, partner: header.partner!, roles: roles as PartnerRole[], variables, query };
}

/** Every example, ordered by file name (a numeric prefix orders them in the docs and the playground). */
export function loadExamples(dir: string = EXAMPLES_DIR): ExampleOperation[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".graphql"))
    .sort()
    .map((file) => parseExample(file.slice(0, -".graphql".length), fs.readFileSync(path.join(dir, file), "utf8")));
}

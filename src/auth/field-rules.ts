import { MODULES } from "../modules";
import type { NodeType } from "../modules/module";
import { AUTHENTICATED, FieldRule } from "./permissions";

/** Coordinates the server itself adds beside the modules: node lookups and the shape of user errors. */
const CORE_FIELD_RULES: Record<string, Record<string, FieldRule>> = {
  Query: {
    node: AUTHENTICATED, // the node resolver checks the read capability of the type it finds
    nodes: AUTHENTICATED,
  },
};
const CORE_ANONYMOUS_FIELDS = ["UserError.field", "UserError.code", "UserError.message"];

function mergeFieldRules(): Record<string, Record<string, FieldRule>> {
  const merged: Record<string, Record<string, FieldRule>> = {};
  for (const [owner, rules] of [["core", CORE_FIELD_RULES] as const, ...MODULES.map((m) => [m.name, m.fieldRules ?? {}] as const)]) {
    for (const [typeName, fields] of Object.entries(rules)) {
      const target = (merged[typeName] ??= {});
      for (const [fieldName, rule] of Object.entries(fields)) {
        if (Object.hasOwn(target, fieldName)) throw new Error(`${typeName}.${fieldName} has a field rule in two places (the second in ${owner})`);
        target[fieldName] = rule;
      }
    }
  }
  return merged;
}

/**
 * Which schema coordinate needs which capability, from every module's
 * manifest. Root fields not listed are denied (shield's fallback); object
 * fields not listed are open to whoever reached their parent.
 */
export const FIELD_RULES: Readonly<Record<string, Record<string, FieldRule>>> = mergeFieldRules();

/**
 * What a caller without a bearer token may select (today the invitation
 * acceptance and a little of its payload). Checked on the document before anything runs.
 */
export const ANONYMOUS_FIELDS: ReadonlySet<string> = new Set([...CORE_ANONYMOUS_FIELDS, ...MODULES.flatMap((m) => m.anonymousFields ?? [])]);

/** The types `node(id:)` opens, by type name (a Map: the type name comes from the caller's id). */
export const NODE_TYPES: ReadonlyMap<string, NodeType> = new Map(MODULES.flatMap((m) => Object.entries(m.nodes ?? {})));

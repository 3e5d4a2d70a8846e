import {
  BreakingChangeType,
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  GraphQLNamedType,
  GraphQLSchema,
  GraphQLType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from "graphql";

/**
 * The schema change gate (docs/schema-changes.md): compares the schema the code builds (schema.graphql) with the
 * last release's (schema.release.graphql) using graphql-js's findBreakingChanges. A breaking change fails the gate,
 * except the removal of something the release had already marked @deprecated: a field, an input field, an argument
 * or an enum value, and a type whose every use in the release was such a deprecated thing (or another type removed
 * the same way). Dangerous changes (an enum value, an optional argument added, a default changed...) are reported,
 * never failing.
 */

export const RELEASE_SNAPSHOT = "schema.release.graphql";
export const CURRENT_SCHEMA = "schema.graphql";

export interface SchemaChange {
  type: string;
  description: string;
}

export interface GateResult {
  /** breaking changes that fail the gate */
  breaking: SchemaChange[];
  /** breaking in graphql-js's terms, but removals of what the release had deprecated: allowed */
  retired: SchemaChange[];
  /** dangerous changes: information only */
  dangerous: SchemaChange[];
}

const NAME = "[_A-Za-z][_0-9A-Za-z]*";
const FIELD_REMOVED = new RegExp(`^(${NAME})\\.(${NAME}) was removed\\.$`);
const ARG_REMOVED = new RegExp(`^(${NAME})\\.(${NAME}) arg (${NAME}) was removed\\.$`);
const VALUE_REMOVED = new RegExp(`^(${NAME}) was removed from enum type (${NAME})\\.$`);
const TYPE_REMOVED = new RegExp(`^(${NAME}) was removed\\.$`);
const STANDARD_SCALAR_REMOVED = /^Standard scalar \S+ was removed because it is not referenced anymore\.$/;

function isDeprecated(thing: { deprecationReason?: string | null } | undefined): boolean {
  return thing?.deprecationReason !== undefined && thing?.deprecationReason !== null;
}

const namedTypeOf = (type: GraphQLType): string => getNamedType(type).name;

function fieldsOf(type: GraphQLNamedType | undefined) {
  return type && (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) ? type.getFields() : undefined;
}

/**
 * The removed types whose removal is allowed: every use of the type in the release is by a deprecated field, input
 * field or argument, or by a field of a type itself removed this way (found as a greatest fixed point, so types that
 * only use each other go together). A root type, a union member or an implemented interface of a type that stays
 * keeps it required.
 */
function retiredTypes(release: GraphQLSchema, removed: Set<string>): Set<string> {
  const retired = new Set(removed);
  const roots = [release.getQueryType(), release.getMutationType(), release.getSubscriptionType()].map((t) => t?.name);
  const types = Object.values(release.getTypeMap()).filter((t) => !t.name.startsWith("__"));
  const usesAreRetired = (name: string): boolean => {
    if (roots.includes(name)) return false;
    for (const type of types) {
      if (type.name === name) continue;
      const owner = retired.has(type.name);
      if (isUnionType(type) && type.getTypes().some((member) => member.name === name) && !owner) return false;
      if ((isObjectType(type) || isInterfaceType(type)) && type.getInterfaces().some((i) => i.name === name) && !owner) return false;
      for (const field of Object.values(fieldsOf(type) ?? {})) {
        if (owner || isDeprecated(field)) continue;
        if (namedTypeOf(field.type) === name) return false;
        for (const arg of "args" in field ? field.args : []) {
          if (namedTypeOf(arg.type) === name && !isDeprecated(arg)) return false;
        }
      }
    }
    for (const directive of release.getDirectives()) {
      if (directive.args.some((arg) => namedTypeOf(arg.type) === name)) return false;
    }
    return true;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of retired) {
      if (!usesAreRetired(name)) {
        retired.delete(name);
        changed = true;
      }
    }
  }
  return retired;
}

/** Whether a breaking change only removes something the release had deprecated. */
function isRetirement(change: SchemaChange, release: GraphQLSchema, types: Set<string>): boolean {
  let match: RegExpExecArray | null;
  switch (change.type) {
    case BreakingChangeType.FIELD_REMOVED:
      match = FIELD_REMOVED.exec(change.description);
      return match !== null && isDeprecated(fieldsOf(release.getType(match[1]))?.[match[2]]);
    case BreakingChangeType.ARG_REMOVED: {
      match = ARG_REMOVED.exec(change.description);
      const field = match ? fieldsOf(release.getType(match[1]))?.[match[2]] : undefined;
      return match !== null && field !== undefined && "args" in field && isDeprecated(field.args.find((arg) => arg.name === match![3]));
    }
    case BreakingChangeType.VALUE_REMOVED_FROM_ENUM: {
      match = VALUE_REMOVED.exec(change.description);
      const type = match ? release.getType(match[2]) : undefined;
      return match !== null && isEnumType(type) && isDeprecated(type.getValue(match[1]) ?? undefined);
    }
    case BreakingChangeType.TYPE_REMOVED:
      if (STANDARD_SCALAR_REMOVED.test(change.description)) return true; // unused by anything: graphql-js says so
      match = TYPE_REMOVED.exec(change.description);
      return match !== null && types.has(match[1]);
    default:
      return false; // retyped, required argument or input field added, union member or interface removed...
  }
}

/** Compares two schemas: the last release's and the current one. */
export function compareSchemas(release: GraphQLSchema, current: GraphQLSchema): GateResult {
  const changes: SchemaChange[] = findBreakingChanges(release, current);
  const removedTypes = new Set(
    changes.filter((c) => c.type === BreakingChangeType.TYPE_REMOVED).flatMap((c) => TYPE_REMOVED.exec(c.description)?.[1] ?? []),
  );
  const types = retiredTypes(release, removedTypes);
  const result: GateResult = { breaking: [], retired: [], dangerous: findDangerousChanges(release, current) };
  for (const change of changes) (isRetirement(change, release, types) ? result.retired : result.breaking).push(change);
  return result;
}

/** compareSchemas on SDL text (schema.release.graphql, schema.graphql). */
export function compareSdl(releaseSdl: string, currentSdl: string): GateResult {
  return compareSchemas(buildSchema(releaseSdl), buildSchema(currentSdl));
}

const line = (change: SchemaChange) => `  - ${change.type}: ${change.description}`;

/** The test's failure message: each breaking change, then how to proceed. */
export function gateFailureMessage(result: GateResult): string {
  return [
    `${CURRENT_SCHEMA} has ${result.breaking.length} breaking change(s) against the last release (${RELEASE_SNAPSHOT}):`,
    ...result.breaking.map(line),
    "How to proceed (docs/schema-changes.md):",
    `  - keep the field, argument or enum value, mark it @deprecated(reason: "Use … instead.") (type-graphql: deprecationReason) and remove it`,
    `    in a later release, once ${RELEASE_SNAPSHOT} has it deprecated; to retype one, add a new one beside the deprecated old one;`,
    `  - or, to break clients on purpose (agreed and announced), run \`npm run schema:release\` and commit ${RELEASE_SNAPSHOT} with the change.`,
  ].join("\n");
}

/** Information lines (allowed removals, dangerous changes) for a passing gate or for schema:release. */
export function gateNotes(result: GateResult): string[] {
  return [
    ...(result.retired.length > 0 ? ["removed after deprecation (allowed):", ...result.retired.map(line)] : []),
    ...(result.dangerous.length > 0 ? ["dangerous changes (allowed; clients may need to handle them):", ...result.dangerous.map(line)] : []),
  ];
}

import { getMetadataStorage } from "type-graphql";
import type { DataSource } from "typeorm";

/**
 * What a getter or a field resolver reads from the object it is on, so that the read planner fetches only
 * the columns a document needs. Declared next to the code that does the reading:
 *
 *   @Reads("scopeRelationship.billingProfile")          // a property of an attached row
 *   get billingProfile() { return this.seen.billingProfile; }
 *
 *   @Reads("scopeRelationship.partnerId", { selection: "scopeRelationship" })
 *   relationship(@Root() customer) { … }               // returns the attached row: its selection reads it
 *
 * A field whose reads are not declared (and that is not a plain column) makes the planner fetch every
 * column of its object, as before: an undeclared getter can never see a missing column.
 */
export interface FieldReads {
  /** Properties of the object (`tenantId`) or of a row attached to it (`scopeRelationship.version`); an attachment's name alone means all of it. */
  paths: readonly string[];
  /** The field returns this attached row: the fields selected under it read that row. */
  selection?: string;
}

const declared = new Map<Function, Map<string, FieldReads>>();

export function Reads(...args: (string | { selection: string })[]): MethodDecorator {
  const paths = args.filter((a): a is string => typeof a === "string");
  const selection = args.find((a): a is { selection: string } => typeof a !== "string")?.selection;
  return (prototype, member) => {
    const owner = (prototype as { constructor: Function }).constructor;
    let members = declared.get(owner);
    if (!members) declared.set(owner, (members = new Map()));
    members.set(String(member), { paths, selection });
  };
}

/** How one GraphQL field of an entity's object type gets its value. */
export type FieldSource =
  /** Needs nothing of the object (`__typename`). */
  | { kind: "none" }
  /** The property of a selectable column. */
  | { kind: "column"; property: string }
  | { kind: "reads"; reads: FieldReads }
  /** A getter or resolver that declares nothing: it may read anything. */
  | { kind: "opaque" };

function classChain(entity: Function): Function[] {
  const chain: Function[] = [];
  for (let c: Function | null = entity; c && c !== Function.prototype && c !== Object; c = Object.getPrototypeOf(c) as Function | null) chain.push(c);
  return chain;
}

function hasGetter(chain: Function[], property: string): boolean {
  return chain.some((c) => typeof Object.getOwnPropertyDescriptor(c.prototype, property)?.get === "function");
}

const sources = new WeakMap<Function, Map<string, FieldSource>>();

/** From type-graphql's metadata (field → property, field resolvers) and TypeORM's (columns); cached per entity and field. */
export function fieldSource(dataSource: DataSource, entity: Function, fieldName: string): FieldSource {
  let perEntity = sources.get(entity);
  if (!perEntity) sources.set(entity, (perEntity = new Map()));
  let source = perEntity.get(fieldName);
  if (!source) perEntity.set(fieldName, (source = findSource(dataSource, entity, fieldName)));
  return source;
}

function findSource(dataSource: DataSource, entity: Function, fieldName: string): FieldSource {
  if (fieldName === "__typename") return { kind: "none" };
  const storage = getMetadataStorage();
  const chain = classChain(entity);
  const resolver = storage.fieldResolvers.find((r) => r.kind === "external" && r.schemaName === fieldName && chain.includes(r.getObjectType?.() as Function));
  if (resolver) {
    const reads = declared.get(resolver.target)?.get(resolver.methodName);
    return reads ? { kind: "reads", reads } : { kind: "opaque" };
  }
  const field = storage.fields.find((f) => f.schemaName === fieldName && chain.includes(f.target));
  if (!field) return { kind: "opaque" };
  for (const c of chain) {
    const reads = declared.get(c)?.get(field.name);
    if (reads) return { kind: "reads", reads };
  }
  if (hasGetter(chain, field.name)) return { kind: "opaque" };
  const column = dataSource.getMetadata(entity).columns.find((c) => c.propertyName === field.name && c.isSelect && !c.embeddedMetadata && !c.relationMetadata);
  return column ? { kind: "column", property: column.propertyName } : { kind: "opaque" };
}

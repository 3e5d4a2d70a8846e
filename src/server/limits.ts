import crypto from "node:crypto";
import {
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  isListType,
  Kind,
  Lexer,
  OperationDefinitionNode,
  parse,
  SelectionSetNode,
  Source,
  TokenKind,
} from "graphql";
import { ComplexityEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import type { QueryLimits } from "../config";
import { apiError } from "../graphql/errors";
import { DEFAULT_PAGE_SIZE } from "../graphql/relay";
import { ByteLru } from "./caches";

export type LimitKind = "DEPTH" | "ALIASES" | "TOKENS" | "DIRECTIVES" | "FIELDS" | "COST";

/** What a refused document measured: enough to rebuild the error (cached without the error's stack). */
export interface TooComplex {
  kind: LimitKind;
  limit: number;
  actual: number;
}

function tooComplex(kind: LimitKind, limit: number, actual: number) {
  // expanded fragments can count past 2^53 (or to Infinity, which JSON cannot carry)
  const measured = Math.min(actual, Number.MAX_SAFE_INTEGER);
  return apiError("QUERY_TOO_COMPLEX", `The operation exceeds the ${kind.toLowerCase()} limit: ${measured} > ${limit}.`, { kind, limit, actual: measured });
}

/** Tokens up to the first lexical error (Apollo's parser then reports that error as GRAPHQL_PARSE_FAILED). */
export function countTokens(source: string, stopAfter: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count > stopAfter) break;
    }
  } catch {
    // a syntax error: what was read so far is all there is to count
  }
  return count;
}

/**
 * Depth, aliases, directives and selections (fields, fragment spreads and
 * inline fragments, counted once per place they end up in once fragments are
 * expanded) of one selection set; depth counts levels below it.
 */
interface Shape {
  depth: number;
  aliases: number;
  directives: number;
  fields: number;
}

const emptyShape = (): Shape => ({ depth: 0, aliases: 0, directives: 0, fields: 0 });

function addShape(into: Shape, part: Shape, depth: number): void {
  into.depth = Math.max(into.depth, depth);
  into.aliases += part.aliases;
  into.directives += part.directives;
  into.fields += part.fields;
}

/**
 * Measures a document's operations visiting each selection once: a fragment
 * is measured the first time it is spread and its shape reused at every other
 * spread, so a fan-out of fragments costs time linear in the document while
 * the counts still describe the expanded operation.
 */
class ShapeWalk {
  /** Selections visited; stays proportional to the document's size. */
  visited = 0;
  private readonly measured = new Map<string, Shape | "measuring">();

  constructor(private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>) {}

  operation(operation: OperationDefinitionNode): Shape {
    const shape = this.selectionSet(operation.selectionSet);
    shape.directives += operation.directives?.length ?? 0;
    return shape;
  }

  private selectionSet(set: SelectionSetNode): Shape {
    const shape = emptyShape();
    for (const selection of set.selections) {
      this.visited++;
      shape.fields++;
      shape.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) shape.aliases++;
        const below = selection.selectionSet ? this.selectionSet(selection.selectionSet) : emptyShape();
        // introspection's nesting (ofType { ofType … }) follows the schema, not the caller: no depth
        addShape(shape, below, selection.name.value.startsWith("__") ? 0 : 1 + below.depth);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const below = this.selectionSet(selection.selectionSet);
        addShape(shape, below, below.depth);
      } else {
        const below = this.fragment(selection.name.value);
        if (below) addShape(shape, below, below.depth);
      }
    }
    return shape;
  }

  /** A fragment's shape, measured once; unknown fragments and cycles count as nothing (validation refuses them). */
  private fragment(name: string): Shape | null {
    const known = this.measured.get(name);
    if (known === "measuring") return null;
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return null;
    this.measured.set(name, "measuring");
    const shape = this.selectionSet(fragment.selectionSet);
    shape.directives += fragment.directives?.length ?? 0;
    this.measured.set(name, shape);
    return shape;
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/** The shape of a parsed document: each measure the maximum over its operations, plus the selections visited to get it. */
export function documentShape(document: DocumentNode): Shape & { visited: number } {
  const walk = new ShapeWalk(fragmentsOf(document));
  const shape = emptyShape();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const operation = walk.operation(definition);
      shape.depth = Math.max(shape.depth, operation.depth);
      shape.aliases = Math.max(shape.aliases, operation.aliases);
      shape.directives = Math.max(shape.directives, operation.directives);
      shape.fields = Math.max(shape.fields, operation.fields);
    }
  }
  return { ...shape, visited: walk.visited };
}

/** Bytes a shape-cache entry holds besides its key: the small result object and the Map's slot. */
const SHAPE_ENTRY_BYTES = 96;

/**
 * Checks tokens, depth, aliases, directives and expanded size before Apollo
 * parses and validates the document (validation itself is costly on hostile
 * documents). Returns the QUERY_TOO_COMPLEX error to send (HTTP 400), or null.
 * With a cache, results are kept by a hash of the limits and the source.
 */
export function documentShapeError(source: string, limits: QueryLimits, cache: ByteLru<TooComplex | null> | null): GraphQLError | null {
  const key = cache ? crypto.createHash("sha256").update(`${limits.tokens}/${limits.depth}/${limits.aliases}/${limits.directives}/${limits.fields}\n`).update(source).digest("base64") : "";
  let refused = cache?.get(key);
  if (refused === undefined) {
    refused = measureDocument(source, limits);
    cache?.set(key, refused, key.length + SHAPE_ENTRY_BYTES);
  }
  return refused && tooComplex(refused.kind, refused.limit, refused.actual);
}

function measureDocument(source: string, limits: QueryLimits): TooComplex | null {
  const tokens = countTokens(source, limits.tokens);
  if (tokens > limits.tokens) return { kind: "TOKENS", limit: limits.tokens, actual: countTokens(source, Number.MAX_SAFE_INTEGER) };
  let document: DocumentNode;
  try {
    document = parse(source, { noLocation: true });
  } catch {
    return null; // Apollo reports the syntax error itself
  }
  const shape = documentShape(document);
  if (shape.depth > limits.depth) return { kind: "DEPTH", limit: limits.depth, actual: shape.depth };
  if (shape.aliases > limits.aliases) return { kind: "ALIASES", limit: limits.aliases, actual: shape.aliases };
  if (shape.directives > limits.directives) return { kind: "DIRECTIVES", limit: limits.directives, actual: shape.directives };
  if (shape.fields > limits.fields) return { kind: "FIELDS", limit: limits.fields, actual: shape.fields };
  return null;
}

/** The depth of a document's deepest operation (a field's nesting level, the root fields being 1). */
export function documentDepth(source: string): number {
  return documentShape(parse(source, { noLocation: true })).depth;
}

/**
 * Points for work a connection does once, whatever its page size (at 100,000
 * customers a filtered count or a search takes hundreds of milliseconds).
 */
const CONNECTION_WEIGHTS = {
  // COUNT(*) over every row the filter matches, not only the page
  totalCount: 100,
  filter: {
    // a substring of the company name or of any domain: a trigram index scan over the partner's customers
    search: 500,
    // a prefix reads an index range that grows with the partner's customers
    companyNamePrefix: 100,
    domainPrefix: 100,
  } as Record<string, number>,
};

interface CostContext {
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

/** Distinct `totalCount` response names selected directly on a connection (through fragments too). */
function totalCountsSelected(set: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, names = new Set<string>(), seen = new Set<string>()): Set<string> {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === "totalCount") names.add(selection.alias?.value ?? "totalCount");
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      totalCountsSelected(selection.selectionSet, fragments, names, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      totalCountsSelected(fragments.get(selection.name.value)?.selectionSet, fragments, names, seen);
    }
  }
  return names;
}

const isConnection = (type: GraphQLNamedType) => type.name.endsWith("Connection");

/** `totalCount` is charged once on its connection (below), not once per node of the page. */
const totalCountEstimator: ComplexityEstimator = ({ field, type }) => (field.name === "totalCount" && isConnection(type) ? 0 : undefined);

/**
 * A connection costs its page size times the cost of one node, plus the
 * once-per-request weights of its filters and counts.
 */
const connectionEstimator: ComplexityEstimator = ({ field, args, node, childComplexity, context }) => {
  if (!isConnection(getNamedType(field.type))) return undefined;
  const size = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
  const filter = (args.filter ?? {}) as Record<string, unknown>;
  let weight = 0;
  for (const [name, points] of Object.entries(CONNECTION_WEIGHTS.filter)) if (filter[name] != null && filter[name] !== "") weight += points;
  weight += CONNECTION_WEIGHTS.totalCount * totalCountsSelected(node.selectionSet, (context as CostContext).fragments).size;
  return 1 + weight + Math.max(size, 1) * Math.max(childComplexity, 1);
};

/** `nodes(ids:)` opens every id it is given: the list's length times the cost of one node. */
const idListEstimator: ComplexityEstimator = ({ args, childComplexity }) => (Array.isArray(args.ids) ? 1 + args.ids.length * Math.max(childComplexity, 1) : undefined);

/**
 * Plain lists (bounded lists that are not connections, API.md section 9): the
 * most items each can return, by schema coordinate (`*.field` for a field of
 * that name on any type). A module may declare its own on the field instead:
 * `@Extensions({ maxItems: 5 })`. An undeclared list counts as a default page.
 */
export const LIST_BOUNDS: Readonly<Record<string, number>> = {
  // one grant per PurchaseResource (a second one is ALREADY_GRANTED)
  "Customer.purchasePermissions": 2,
  // the default domain plus the tenant's verified ones
  "Customer.domains": 10,
  // one per active license or Azure plan subscription of the customer
  "RelationshipRemovePayload.suspendedSubscriptions": 100,
  // one per PartnerRole
  "AuditActor.roles": 9,
  "PartnerUser.roles": 9,
  // one per problem of the input (validation reports every one at once), each a path of a few steps
  "*.userErrors": 20,
  "UserError.field": 5,
  "CountryValidationRules.states": 70,
  "CountryValidationRules.supportedCultures": 20,
  // businessProfileUpdate takes at most 5 locations
  "BusinessProfile.locations": 5,
};
const DEFAULT_LIST_BOUND = DEFAULT_PAGE_SIZE;

/** The most items a plain list field can return (see LIST_BOUNDS). */
export function listBound(typeName: string, field: GraphQLField<unknown, unknown>): number {
  const declared = field.extensions?.maxItems;
  if (typeof declared === "number") return declared;
  return LIST_BOUNDS[`${typeName}.${field.name}`] ?? LIST_BOUNDS[`*.${field.name}`] ?? DEFAULT_LIST_BOUND;
}

/**
 * A plain list costs its bound times the cost of one item, like a connection
 * its page size: a document nesting lists through links back to their parent
 * (`purchasePermissions { customer { purchasePermissions … } }`) multiplies.
 * A connection's own `edges` and `nodes` are its page (counted above);
 * introspection's lists follow the schema, not the caller.
 */
const listEstimator: ComplexityEstimator = ({ type, field, childComplexity }) => {
  if (!isListType(getNullableType(field.type)) || isConnection(type) || type.name.startsWith("__") || field.name.startsWith("__")) return undefined;
  return 1 + listBound(type.name, field) * Math.max(childComplexity, 1);
};

/** QUERY_TOO_COMPLEX (HTTP 400) when `cost` is over the caller's limit; else the cost. */
export function withinCostLimit(cost: number, limits: QueryLimits): number {
  if (cost > limits.cost) throw tooComplex("COST", limits.cost, cost);
  return cost;
}

/** The requested cost of a validated operation, limit not applied. */
export function requestedCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  return getComplexity({
    schema,
    query: document,
    operationName: operation.name?.value,
    variables,
    context: { fragments: fragmentsOf(document) } satisfies CostContext,
    // documentShapeError has bounded the expanded size (FIELDS) before this walk
    maxQueryNodes: Number.MAX_SAFE_INTEGER,
    estimators: [totalCountEstimator, connectionEstimator, idListEstimator, listEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

const COST_KEY_MAX_LENGTH = 256;

/**
 * The variables as far as they can change an operation's cost, for a cache key: the estimators above read page sizes
 * (numbers, kept as they are), list lengths (`ids`), whether a filter is given and not empty, and `@include`/`@skip`
 * conditions (booleans); a string's content never counts. Null when the key would be long (the cost is computed).
 */
export function costKey(variables: Record<string, unknown>): string | null {
  const parts: string[] = [];
  let length = 0;
  // each level adds a part before descending, so the length bound also bounds the depth
  const add = (value: unknown): boolean => {
    let part: string;
    if (typeof value === "string") part = value === "" ? "e" : "s";
    else if (typeof value === "number" || typeof value === "boolean") part = String(value);
    else if (value === null || value === undefined) part = "n";
    else if (typeof value === "object") part = Array.isArray(value) ? "[" : "{";
    else part = "?";
    parts.push(part, ",");
    length += part.length + 1;
    if (length > COST_KEY_MAX_LENGTH) return false;
    if (Array.isArray(value)) {
      for (const item of value) if (!add(item)) return false;
    } else if (value !== null && typeof value === "object") {
      for (const [name, item] of Object.entries(value)) {
        parts.push(JSON.stringify(name), ":");
        length += name.length + 3;
        if (!add(item)) return false;
      }
    } else return true;
    parts.push(Array.isArray(value) ? "]" : "}");
    length += 1;
    return length <= COST_KEY_MAX_LENGTH;
  };
  return add(variables) ? parts.join("") : null;
}

/** What a response actually cost: one point per field delivered. */
export function actualCost(data: unknown): number {
  if (data === null || typeof data !== "object") return 0;
  let cost = 0;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) cost += actualCost(data[i]);
    return cost;
  }
  const record = data as Record<string, unknown>;
  // graphql-jit leaves a field skipped by @skip/@include as a key holding undefined (never serialised): not delivered
  for (const key in record) if (record[key] !== undefined) cost += 1 + actualCost(record[key]);
  return cost;
}

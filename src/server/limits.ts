import {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLSchema,
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

export type LimitKind = "DEPTH" | "ALIASES" | "TOKENS" | "DIRECTIVES" | "COST";

function tooComplex(kind: LimitKind, limit: number, actual: number) {
  return apiError("QUERY_TOO_COMPLEX", `The operation exceeds the ${kind.toLowerCase()} limit: ${actual} > ${limit}.`, { kind, limit, actual });
}

export function countTokens(source: string, stopAfter: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) {
    if (++count > stopAfter) break;
  }
  return count;
}

interface Shape {
  depth: number;
  aliases: number;
  directives: number;
}

/** Depth, aliases and directives of one operation, following fragment spreads. */
function measure(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): Shape {
  const shape: Shape = { depth: 0, aliases: 0, directives: operation.directives?.length ?? 0 };
  const visit = (set: SelectionSetNode, depth: number, seen: Set<string>) => {
    for (const selection of set.selections) {
      shape.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) shape.aliases++;
        if (selection.name.value.startsWith("__")) continue;
        shape.depth = Math.max(shape.depth, depth);
        if (selection.selectionSet) visit(selection.selectionSet, depth + 1, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        shape.directives += fragment.directives?.length ?? 0;
        visit(fragment.selectionSet, depth, new Set([...seen, name]));
      }
    }
  };
  visit(operation.selectionSet, 1, new Set());
  return shape;
}

/** A connection costs its page size times the cost of one node; any other field costs 1 plus its children. */
const connectionEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if ("first" in args || "last" in args || "after" in args || "before" in args) {
    const size = Number(args.first ?? args.last ?? DEFAULT_PAGE_SIZE);
    return 1 + Math.max(size, 1) * Math.max(childComplexity, 1);
  }
  return undefined;
};

const shapeCache = new Map<string, GraphQLError | null>();
const SHAPE_CACHE_SIZE = 1000;

/**
 * Checks tokens, depth, aliases and directives before Apollo parses and
 * validates the document (validation itself is costly on hostile documents).
 * Returns the QUERY_TOO_COMPLEX error to send (HTTP 400), or null.
 */
export function documentShapeError(source: string, limits: QueryLimits): GraphQLError | null {
  const key = `${limits.tokens}/${limits.depth}/${limits.aliases}/${limits.directives}\n${source}`;
  const cached = shapeCache.get(key);
  if (cached !== undefined) return cached;
  const error = measureDocument(source, limits);
  if (shapeCache.size >= SHAPE_CACHE_SIZE) shapeCache.delete(shapeCache.keys().next().value!);
  shapeCache.set(key, error);
  return error;
}

function measureDocument(source: string, limits: QueryLimits): GraphQLError | null {
  const tokens = countTokens(source, limits.tokens);
  if (tokens > limits.tokens) return tooComplex("TOKENS", limits.tokens, countTokens(source, Number.MAX_SAFE_INTEGER));
  let document: DocumentNode;
  try {
    document = parse(source, { noLocation: true });
  } catch {
    return null; // Apollo reports the syntax error itself
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const shape = measure(definition, fragments);
    if (shape.depth > limits.depth) return tooComplex("DEPTH", limits.depth, shape.depth);
    if (shape.aliases > limits.aliases) return tooComplex("ALIASES", limits.aliases, shape.aliases);
    if (shape.directives > limits.directives) return tooComplex("DIRECTIVES", limits.directives, shape.directives);
  }
  return null;
}

/** The depth of a document's deepest operation (a field's nesting level, the root fields being 1). */
export function documentDepth(source: string): number {
  const document = parse(source, { noLocation: true });
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let depth = 0;
  for (const definition of document.definitions) if (definition.kind === Kind.OPERATION_DEFINITION) depth = Math.max(depth, measure(definition, fragments).depth);
  return depth;
}

/** The requested cost of a validated operation; throws QUERY_TOO_COMPLEX (HTTP 400) over the limit. */
export function enforceCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, limits: QueryLimits): number {
  const cost = getComplexity({
    schema,
    query: document,
    operationName: operation.name?.value,
    variables,
    estimators: [connectionEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
  if (cost > limits.cost) throw tooComplex("COST", limits.cost, cost);
  return cost;
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
  for (const key in record) cost += 1 + actualCost(record[key]);
  return cost;
}

import { Reads } from "./planner/reads";
import { GraphQLSchema, isInterfaceType, isObjectType } from "graphql";
import { ArgsType, ClassType, Field, ID, InterfaceType, Int, ObjectType } from "type-graphql";
import { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { badUserInput } from "./errors";

// ---------------------------------------------------------------- global ids

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function encodeGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

/** Returns null for anything that is not a well-formed global id (never throws). */
export function decodeGlobalId(globalId: string): { type: string; id: string } | null {
  if (typeof globalId !== "string" || globalId.length > 200) return null;
  const decoded = Buffer.from(globalId, "base64url").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  const type = decoded.slice(0, colon);
  const id = decoded.slice(colon + 1);
  if (!UUID.test(id) || !/^[A-Za-z]+$/.test(type)) return null;
  return { type, id: id.toLowerCase() };
}

/** The database id behind a global id of the given type, or null. */
export function idOfType(globalId: string, type: string): string | null {
  const decoded = decodeGlobalId(globalId);
  return decoded && decoded.type === type ? decoded.id : null;
}

/** How many ids `nodes(ids:)` takes. */
export const MAX_NODES = 100;

@InterfaceType({
  description: "An object with an opaque global id, fetchable through `node`.",
  resolveType: (value: Node) => value.nodeType,
})
export abstract class Node {
  /** The database id; the API shows the global id. */
  id: string;

  abstract get nodeType(): string;

  // not simple: the schema name `id` differs from this getter's name
  @Field(() => ID, { name: "id", simple: false, description: "Opaque global id." })
  @Reads("id")
  get globalId(): string {
    return encodeGlobalId(this.nodeType, this.id);
  }
}

// ---------------------------------------------------------------- connections

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => Boolean)
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Page size going forward (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Page size going backward (at most ${MAX_PAGE_SIZE}).` })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  /** Called by GraphQL only when `totalCount` is selected. */
  totalCount: () => Promise<number>;
}

/** Names of the connection types ConnectionType built. */
const CONNECTION_TYPES = new Set<string>();

/** Builds the `<Name>Connection` and `<Name>Edge` types for one node type. */
export function ConnectionType<T extends object>(nodeClass: ClassType<T>, name: string) {
  CONNECTION_TYPES.add(`${name}Connection`);
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType {
    @Field(() => String)
    cursor: string;

    @Field(() => nodeClass)
    node: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionClass {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => [nodeClass], { description: "The nodes of `edges`, for callers that need no cursors." })
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: "Rows matching the filter across all pages; counted only when selected." })
    totalCount: number;
  }
  return ConnectionClass;
}

// ---------------------------------------------------------------- keyset pagination

/** One sort order a connection offers: a column and how to read it off a row. */
export interface SortOrder<T> {
  /** Stable name embedded in cursors, so a cursor of another order is refused. */
  name: string;
  /** Qualified SQL column, e.g. `c.company_name`. */
  column: string;
  /** Qualified id column used as the tie-breaker, e.g. `c.id`. */
  idColumn: string;
  direction: "ASC" | "DESC";
  value: (row: T) => string | number | Date;
  id: (row: T) => string;
  /** The column is numeric (a cursor's value must then be a decimal, or PostgreSQL would refuse the comparison). */
  numeric?: boolean;
}

export interface PageWindow {
  limit: number;
  backward: boolean;
  after: [unknown, string] | null;
  before: [unknown, string] | null;
}

function checkSize(value: number | null | undefined, argument: string): void {
  if (value === null || value === undefined) return;
  if (value < 0) throw badUserInput(`\`${argument}\` must not be negative.`, argument);
  if (value > MAX_PAGE_SIZE) throw badUserInput(`\`${argument}\` must be at most ${MAX_PAGE_SIZE}; got ${value}.`, argument);
}

export function encodeCursor(order: SortOrder<never>, value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([order.name, v, id]), "utf8").toString("base64url");
}

/** The schema's convention: a column named `…_at` (or `at`) holds a timestamptz. */
const TIMESTAMP_COLUMN = /(^|[._])at$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Whether a decoded cursor value is one encodeCursor could have written for this order (a forged one must not reach SQL). */
const DECIMAL = /^-?\d{1,20}(\.\d{1,10})?$/;

function cursorValueFits(value: unknown, order: SortOrder<never>): boolean {
  if (typeof value === "number") return Number.isFinite(value) && !TIMESTAMP_COLUMN.test(order.column);
  if (typeof value !== "string" || value.length > 1000 || value.includes("\u0000")) return false;
  if (order.numeric) return DECIMAL.test(value);
  return !TIMESTAMP_COLUMN.test(order.column) || (ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)));
}

function decodeCursor(cursor: string, order: SortOrder<never>, argument: string): [unknown, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === order.name && typeof parsed[2] === "string" && UUID.test(parsed[2]) && cursorValueFits(parsed[1], order)) {
      return [parsed[1], parsed[2]];
    }
  } catch {
    // fall through to the error below
  }
  throw badUserInput(`\`${argument}\` is not a cursor of this list in this order.`, argument);
}

export function pageWindow(args: ConnectionArgs, order: SortOrder<never>): PageWindow {
  checkSize(args.first, "first");
  checkSize(args.last, "last");
  if (args.first != null && args.last != null) throw badUserInput("Pass either `first` or `last`, not both.", "last");
  const backward = args.last != null;
  return {
    limit: (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE,
    backward,
    after: args.after ? decodeCursor(args.after, order, "after") : null,
    before: args.before ? decodeCursor(args.before, order, "before") : null,
  };
}

/** Placeholder for a value in the SQL being built (a TypeORM named parameter, or `$n` of a planned statement). */
export type BindValue = (value: unknown) => string;

/**
 * The keyset conditions of a page window, `(column, id) >|< (value, id)` per
 * cursor: the one place a cursor becomes SQL (query builders and the read planner).
 */
export function windowConditions(order: SortOrder<never>, window: PageWindow, bind: BindValue): string[] {
  const asc = order.direction === "ASC";
  const beyond = (cursor: [unknown, string], greater: boolean) => `(${order.column}, ${order.idColumn}) ${greater ? ">" : "<"} (${bind(cursor[0])}, ${bind(cursor[1])})`;
  const conditions: string[] = [];
  if (window.after) conditions.push(beyond(window.after, asc));
  if (window.before) conditions.push(beyond(window.before, !asc));
  return conditions;
}

let parameterSeq = 0;

/** A query builder's named parameters as a BindValue. */
export function namedParameters<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, prefix = "p"): BindValue {
  return (value) => {
    const name = `${prefix}${++parameterSeq}`;
    qb.setParameter(name, value);
    return `:${name}`;
  };
}

function applyWindow<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, order: SortOrder<never>, window: PageWindow): void {
  for (const condition of windowConditions(order, window, namedParameters(qb, "cur"))) qb.andWhere(condition);
}

export function orderDirection(order: SortOrder<never>, backward: boolean): "ASC" | "DESC" {
  const asc = order.direction === "ASC" ? !backward : backward;
  return asc ? "ASC" : "DESC";
}

export function toConnection<T>(rows: T[], order: SortOrder<T>, window: PageWindow, totalCount: () => Promise<number>): Connection<T> {
  const hasMore = rows.length > window.limit;
  const page = rows.slice(0, window.limit);
  if (window.backward) page.reverse();
  const cursorOf = (node: T) => encodeCursor(order as SortOrder<never>, order.value(node), order.id(node));
  let edges: Edge<T>[] | undefined;
  return {
    // cursors are encoded only when edges are selected (most list views select `nodes`)
    get edges() {
      return (edges ??= page.map((node) => ({ cursor: cursorOf(node), node })));
    },
    nodes: page,
    pageInfo: {
      hasNextPage: window.backward ? window.before !== null : hasMore,
      hasPreviousPage: window.backward ? hasMore : window.after !== null,
      startCursor: page.length > 0 ? cursorOf(page[0]!) : null,
      endCursor: page.length > 0 ? cursorOf(page[page.length - 1]!) : null,
    },
    totalCount,
  };
}

/**
 * The one pagination helper: keyset pagination over a scoped, filtered query.
 * One SQL statement for the page, one more only when `totalCount` is selected.
 */
export async function paginate<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  args: ConnectionArgs,
  order: SortOrder<T>,
): Promise<Connection<T>> {
  const window = pageWindow(args, order as SortOrder<never>);
  // `query` itself stays unwindowed for the count, which runs only when selected
  let count: Promise<number> | undefined;
  const totalCount = () => (count ??= query.getCount());
  if (window.limit === 0) return toConnection([], order, window, totalCount);
  const direction = orderDirection(order as SortOrder<never>, window.backward);
  const page = query.clone();
  applyWindow(page, order as SortOrder<never>, window);
  const rows = await page
    .orderBy(order.column, direction)
    .addOrderBy(order.idColumn, direction)
    .limit(window.limit + 1)
    .getMany();
  return toConnection(rows, order, window, totalCount);
}

/**
 * The same pagination for one connection per parent (e.g. each customer's
 * subscriptions), in one statement for all parents: a window function ranks
 * each parent's rows and keeps `limit + 1` of them.
 */
export async function paginateByParent<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  parentColumn: string,
  parentOf: (row: T) => string,
  parentIds: readonly string[],
  args: ConnectionArgs,
  order: SortOrder<T>,
  countByParent: (parentId: string) => Promise<number>,
): Promise<Map<string, Connection<T>>> {
  const window = pageWindow(args, order as SortOrder<never>);
  const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
  if (window.limit > 0 && parentIds.length > 0) {
    const direction = orderDirection(order as SortOrder<never>, window.backward);
    const ranked = query.clone();
    ranked.andWhere(`${parentColumn} IN (:...parentIds)`, { parentIds: [...parentIds] });
    applyWindow(ranked, order as SortOrder<never>, window);
    ranked
      .select(order.idColumn, "ranked_id")
      .addSelect(`row_number() OVER (PARTITION BY ${parentColumn} ORDER BY ${order.column} ${direction}, ${order.idColumn} ${direction})`, "rank");
    const alias = query.alias;
    const rows = await query
      .clone()
      .where(`${order.idColumn} IN (SELECT ranked_id FROM (${ranked.getQuery()}) ranked WHERE rank <= :rankLimit)`)
      .setParameters({ ...ranked.getParameters(), rankLimit: window.limit + 1 })
      .orderBy(order.column, direction)
      .addOrderBy(`${alias}.id`, direction)
      .getMany();
    for (const row of rows) byParent.get(parentOf(row))?.push(row);
  }
  return new Map(parentIds.map((id) => [id, toConnection(byParent.get(id) ?? [], order, window, () => countByParent(id))]));
}

/** Row counts per parent for `totalCount` of per-parent connections, in one statement. */
export async function countByParent<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, parentColumn: string, parentIds: readonly string[]): Promise<number[]> {
  const rows: { parent_id: string; count: string }[] = await query
    .clone()
    .select(parentColumn, "parent_id")
    .addSelect("count(*)", "count")
    .andWhere(`${parentColumn} IN (:...countParentIds)`, { countParentIds: [...parentIds] })
    .groupBy(parentColumn)
    .getRawMany();
  const counts = new Map(rows.map((row) => [row.parent_id, Number(row.count)]));
  return parentIds.map((id) => counts.get(id) ?? 0);
}

/**
 * What graphql-jit needs of the built schema, unchanged for graphql-js: a field without resolver is read as a plain
 * property (graphql-js's default resolver also calls a function-valued one, as `totalCount` is), and a resolveType
 * must answer synchronously (type-graphql wraps every resolveType in an async function).
 */
export function prepareForJit(schema: GraphQLSchema): void {
  for (const name of CONNECTION_TYPES) {
    const type = schema.getType(name);
    const totalCount = isObjectType(type) ? type.getFields().totalCount : undefined;
    if (totalCount && !totalCount.resolve) totalCount.resolve = (connection: Connection<unknown>) => connection.totalCount();
  }
  const node = schema.getType("Node");
  if (isInterfaceType(node)) node.resolveType = (value: Node) => value.nodeType;
}

import type { RequestContext } from "../../auth/context";
import { isUuid, type BindValue, type SortOrder } from "../relay";

/**
 * What a module tells the read planner about its fields. The planner reads
 * columns from TypeORM's metadata of `entity` (all selectable columns, so a
 * field the planner does not cover can still run its resolver on the row);
 * a spec adds only what metadata cannot say: which rows (FROM/WHERE, through
 * the module's one visibility function) and in which order.
 *
 * SQL is written over fixed aliases: `self` is the spec's own alias, `parent`
 * the aliases of the object the field is on (e.g. `{ c: "c", rel: "rel" }`
 * for a customer). `$1` is always the caller's partner id (`sql.viewer`).
 */
export interface PlanSql {
  /** `$1`: the caller's partner id. */
  readonly viewer: string;
  /** A parameter read per execution (nested specs: their values come from the field's arguments or the caller). */
  param(source: ParamSource): string;
}

/** One execution of a plan: the request and the variables of the operation. */
export interface PlanRun {
  ctx: RequestContext;
  variables: Record<string, unknown>;
  /** The field's argument values (coerced, with variables), per field node. */
  args(node: unknown): Record<string, unknown>;
}

export type ParamSource = (run: PlanRun) => unknown;

export type Aliases = Readonly<Record<string, string>>;

/** A row that rides along on each object (e.g. the viewer's relationship on a customer), from the same FROM clause. */
export interface Attachment {
  property: string;
  entity: Function;
  alias: string;
}

/**
 * A partner id written into a statement's text (checked to be a UUID first, so nothing else can be): a
 * page whose tenant scope is literal gets a generic plan made for that partner (see `RootQuery.named`).
 */
export function uuidLiteral(id: string): string {
  if (!isUuid(id)) throw new Error("not a uuid");
  return `'${id}'::uuid`;
}

export function uuidArrayLiteral(ids: readonly string[]): string {
  for (const id of ids) if (!isUuid(id)) throw new Error("not a uuid");
  return `'{${ids.join(",")}}'::uuid[]`;
}

/** The rows of a root field, per execution. */
export interface RootQuery {
  from: string;
  where: string[];
  /**
   * For connections: the FROM clause names the caller's partners as literals (`uuidLiteral`), so one
   * generic plan fits every run of this text: the page runs as a named prepared statement (no planning per
   * call). Without it a page is planned for its values each time: with the partner a parameter, no generic
   * plan fits both a partner with 10% of the customers and one with 0.1%.
   */
  named?: boolean;
  /** For connections: the keyset order (columns qualified by the root aliases). */
  order?: SortOrder<never>;
  /** For `many`: the database ids asked for, in order (the answer lists each one's object, or null). */
  ids?: string[];
}

export interface RootSpec {
  kind: "connection" | "one" | "many";
  /** The GraphQL object type of the rows (the runtime type for `node`). */
  type: string;
  entity: Function;
  alias: string;
  attach?: readonly Attachment[];
  /**
   * The rows for these arguments, with values bound through `bind` (after `$1`
   * and the nested parameters). `"none"`: the answer is null (or an empty
   * page) without SQL; `null`: not planned, the field's resolver answers.
   * Throws what the resolver would throw for bad input.
   */
  query(ctx: RequestContext, args: Record<string, unknown>, bind: BindValue, viewer: string): Promise<RootQuery | "none" | null>;
  /** Told the objects a planned statement returned (e.g. to prime the module's per-request loaders, as its own reads do). */
  loaded?(ctx: RequestContext, objects: object[]): void;
}

/** The rows of a nested field, under its parent's aliases. */
export interface NestedRows {
  from: string;
  where: string;
}

/** `rows` and `sql` return null for a parent they cannot plan under (its aliases lack what they need): the resolver answers. */
export type NestedSpec =
  /** At most one object (e.g. a customer's indirect reseller). */
  | { kind: "one"; type: string; entity: Function; alias: string; rows(parent: Aliases, sql: PlanSql): NestedRows | null }
  /** A bounded list of objects in a fixed order (e.g. purchase permissions). */
  | { kind: "list"; type: string; entity: Function; alias: string; orderBy: string; rows(parent: Aliases, sql: PlanSql): NestedRows | null }
  /** A keyset page per parent (first/after/last/before), `totalCount` counted in the statement when selected. */
  | { kind: "connection"; type: string; entity: Function; alias: string; order: SortOrder<never>; rows(parent: Aliases, sql: PlanSql): NestedRows | null }
  /** A JSON value computed in SQL (e.g. a customer's domains). */
  | { kind: "value"; sql(parent: Aliases, sql: PlanSql): string | null };

/** A module's planned fields, by schema coordinate (`Query.customers`, `Customer.subscriptions`). */
export interface PlanSpecs {
  roots?: Record<string, RootSpec>;
  fields?: Record<string, NestedSpec>;
}

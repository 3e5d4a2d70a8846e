import crypto from "node:crypto";
import {
  FieldNode,
  getArgumentValues,
  getNamedType,
  GraphQLField,
  GraphQLObjectType,
  GraphQLResolveInfo,
  isObjectType,
  OperationDefinitionNode,
} from "graphql";
import { collectSubfields } from "graphql/execution/collectFields";
import type { PoolClient } from "pg";
import { DataSource } from "typeorm";
import type { PostgresDriver } from "typeorm/driver/postgres/PostgresDriver";
import { RequestContext, requireViewer } from "../../auth/context";
import { requestScope, traceStatement } from "../../db/sql-stats";
import { ByteLru } from "../../server/caches";
import { BindValue, ConnectionArgs, orderDirection, pageWindow, PageWindow, SortOrder, toConnection, windowConditions } from "../relay";
import { fieldSource } from "./reads";
import type { Aliases, Attachment, NestedSpec, ParamSource, PlanRun, PlanSpecs, PlanSql, RootSpec } from "./spec";

/**
 * The read planner. For a root field it has a spec for (`customers`,
 * `customer`, …), it plans the field's whole selection once per document
 * shape: one SQL statement that fetches the rows and every planned nested
 * field (1:1 rows as subqueries, lists and pages aggregated to JSON in
 * PostgreSQL), with only the columns the selection reads (`reads.ts`). Lookups,
 * and pages that name their partners, run as named prepared statements
 * (`execute`). The rows become instances of the entity classes without TypeORM
 * hydration, and each planned nested value rides on its object under the field
 * node that asked for it, where the field's resolver wrapper
 * (`withReadPlanner`) reads it. Everything not planned resolves as before on
 * those objects; graphql-shield still wraps every field, so a denied field
 * stays null with FORBIDDEN.
 */

/** Where a planned object keeps its planned field values: field node → value. */
export const PLANNED = Symbol("planned");

export interface PlannedValues {
  [PLANNED]?: Map<FieldNode, unknown>;
}

/** Raised at execution when this run's arguments do not fit the cached plan's shape: the resolver answers instead. */
class NotPlannable extends Error {}

/** How planned JSON becomes an entity instance. */
interface Shape {
  proto: object;
  dates: string[];
  attach: { property: string; shape: Shape }[];
  /** Planned fields: each reads its entries of the row's `$p` object. */
  children: { node: FieldNode; build(planned: Record<string, unknown>, run: PlanRun): unknown }[];
}

/** A key of a planned object and the SQL expression of its value. */
type Pair = readonly [key: string, expression: string];

/**
 * A planned object in SQL: its own columns, its attached rows' and its planned fields' values. Nested objects
 * are rendered as JSON; a root row as plain columns (`columnsOf`): json_build_object costs PostgreSQL more than
 * the rest of the statement (measured on workload (a): 0.97 ms a page with a JSON root row, 0.71 ms flat).
 */
interface PlannedSql {
  own: Pair[];
  attached: { property: string; pairs: Pair[] }[];
  planned: Pair[];
}

/** Where a root row's column goes: the object itself, an attached row, or the planned values (`$p`). */
interface RootColumn {
  name: string;
  into: string | null;
  key: string;
}

interface Plan {
  /** The select list of one root row over the root aliases (plain columns, `RootColumn`s). */
  select: string;
  columns: RootColumn[];
  shape: Shape;
  /** Nested parameters, `$2` onwards. */
  sources: ParamSource[];
  /** Its objects hold only the columns this document reads (so they are not handed to other fields' loaders). */
  pruned: boolean;
}

/** The columns one object and its attached rows must carry: property names, or null for every column. */
class Wants {
  own: Set<string> | null = new Set();
  readonly attached = new Map<string, Set<string> | null>();

  constructor(attach: readonly Attachment[]) {
    for (const a of attach) this.attached.set(a.property, new Set());
  }

  everything(): void {
    this.own = null;
    for (const property of this.attached.keys()) this.attached.set(property, null);
  }

  /** `tenantId`, `scopeRelationship.version`, or `scopeRelationship` (all of that row). */
  path(path: string): void {
    const [head, next] = path.split(".") as [string, string | undefined];
    if (!this.attached.has(head)) this.own?.add(head);
    else if (next === undefined) this.attached.set(head, null);
    else this.attached.get(head)?.add(next);
  }
}

const MAX_JSON_PAIRS = 50; // json_build_object takes at most 100 arguments

/**
 * Named statements one connection keeps, by kind (config: PREPARED_LOOKUPS_PER_CONNECTION, PREPARED_PAGES_PER_CONNECTION);
 * past the bound the least recently used one is deallocated; 0: that kind runs unnamed.
 */
export interface PreparedBounds {
  lookup: number;
  page: number;
}

/** One connection's named statements of one kind, least recently used first (a Set keeps insertion order). */
type PreparedNames = Record<keyof PreparedBounds, Set<string>>;

const DATE_TYPES = new Set(["timestamptz", "timestamp", "timestamp with time zone", "timestamp without time zone"]);
const TEXT_TYPES = new Set(["numeric", "decimal", "bigint", "int8"]);

function quoteKey(key: string): string {
  if (!/^[A-Za-z0-9_$]+$/.test(key)) throw new Error(`unexpected JSON key ${key}`);
  return `'${key}'`;
}

/** pg's record of the statements a connection has parsed (it sends no Parse for a name in it). */
function parsedStatementsOf(client: PoolClient): Record<string, string> | undefined {
  return (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
}

/** Bytes of statement texts whose names are remembered (a page naming a provider's resellers is about 3 KB). */
const STATEMENT_NAME_BYTES = 2 * 1024 * 1024;

function statementName(text: string): string {
  return `rp_${crypto.createHash("sha1").update(text).digest("base64url").slice(0, 24)}`;
}

/** A coerced variable's contribution to the plan key: what can change the SQL text or the fields collected. */
function variableMark(value: unknown): string {
  if (value === undefined || value === null) return "n"; // an argument left out and one given null read alike
  if (value === true) return "t";
  if (value === false) return "f";
  if (value === "") return "e";
  if (value === 0) return "0";
  return "v";
}

/** Markers for the cursors of a nested page (windowConditions writes them; the plan binds each to this run's value). */
const AFTER_VALUE = Symbol("afterValue");
const AFTER_ID = Symbol("afterId");
const BEFORE_VALUE = Symbol("beforeValue");
const BEFORE_ID = Symbol("beforeId");

export interface PlannerStats {
  hits: number;
  misses: number;
  size: number;
  maxEntries: number;
  statements: number;
  /** Named statements deallocated to make room on their connection (`PreparedBounds`). */
  deallocated: number;
}

export class ReadPlanner {
  private readonly plans = new Map<string, Plan | null>();
  private readonly operationIds = new WeakMap<OperationDefinitionNode, number>();
  private operationSeq = 0;
  /** Per connection: the statements it holds prepared. */
  private readonly prepared = new WeakMap<PoolClient, PreparedNames>();
  /** Statement texts' names: a page's text is built per request, and hashing it each time was 1% of (a)'s CPU. */
  private readonly statementNames = new ByteLru<string>(STATEMENT_NAME_BYTES);
  readonly stats: PlannerStats;

  constructor(
    private readonly dataSource: DataSource,
    private readonly specs: Required<PlanSpecs>,
    maxEntries: number,
    private readonly preparedBounds: PreparedBounds,
  ) {
    this.stats = { hits: 0, misses: 0, size: 0, maxEntries, statements: 0, deallocated: 0 };
  }

  /** Answers a root field from its plan; `fallback` (the field's resolver) when it cannot be planned. */
  async resolveRoot(spec: RootSpec, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo, fallback: () => unknown): Promise<unknown> {
    const viewer = requireViewer(ctx);
    const plan = this.planFor(spec, info);
    if (!plan) return fallback();
    const argsCache = new Map<unknown, Record<string, unknown>>();
    const run: PlanRun = {
      ctx,
      variables: info.variableValues,
      args: (node) => {
        let values = argsCache.get(node);
        if (!values) {
          const { field, fieldNode } = node as { field: GraphQLField<unknown, unknown>; fieldNode: FieldNode };
          values = getArgumentValues(field, fieldNode, info.variableValues);
          argsCache.set(node, values);
        }
        return values;
      },
    };
    let values: unknown[];
    try {
      values = [viewer.partnerId, ...plan.sources.map((source) => source(run))];
    } catch (error) {
      // a nested argument this plan cannot take (e.g. a bad cursor): the resolvers report it where the loader path does
      if (error instanceof NotPlannable || (error as { extensions?: { code?: string } }).extensions?.code === "BAD_USER_INPUT") return fallback();
      throw error;
    }
    const bind: BindValue = (value) => {
      values.push(value);
      return `$${values.length}`;
    };
    const query = await spec.query(ctx, args, bind, "$1");
    if (query === null) return fallback();
    if (spec.kind === "many") {
      if (query === "none") return [];
      const rows = await this.execute(`SELECT ${plan.select} FROM ${query.from} WHERE ${query.where.join(" AND ") || "true"}`, values, "lookup");
      const objects = rows.map((r) => materialize(plan.shape, nest(plan.columns, r), run) as { id: string });
      if (!plan.pruned) spec.loaded?.(ctx, objects);
      const byId = new Map(objects.map((o) => [o.id, o]));
      return query.ids!.map((id) => byId.get(id) ?? null);
    }
    if (spec.kind === "one") {
      if (query === "none") return null;
      const rows = await this.execute(`SELECT ${plan.select} FROM ${query.from} WHERE ${query.where.join(" AND ") || "true"}`, values, "lookup");
      if (rows.length === 0) return null;
      const object = materialize(plan.shape, nest(plan.columns, rows[0]), run) as object;
      if (!plan.pruned) spec.loaded?.(ctx, [object]);
      return object;
    }
    const order = query === "none" ? null : query.order!;
    const window = pageWindow(args as ConnectionArgs, (order ?? ({ name: "", column: "", idColumn: "", direction: "ASC" } as unknown as SortOrder<never>)) as SortOrder<never>);
    let counted: Promise<number> | undefined;
    // once per connection however many aliases select it (as the loader path's)
    const totalCount = () => (counted ??= this.count(spec, ctx, args));
    if (query === "none" || window.limit === 0) return toConnection([], order ?? ({} as SortOrder<never>), window, totalCount);
    const where = withViewerTyped(`${plan.select} ${query.from}`, [...query.where, ...windowConditions(order!, window, bind)]);
    const direction = orderDirection(order!, window.backward);
    // the order's value rides as its own column: the objects may not carry the property it reads
    // a named page carries its limit as a literal: with LIMIT a parameter, the generic plan is costed for a tenth
    // of the rows and PostgreSQL re-plans every execution (measured on (a): bind 0.7 ms of 1.8 ms); page sizes are few
    const limit = query.named && Number.isSafeInteger(window.limit) ? String(window.limit + 1) : bind(window.limit + 1);
    const text = `SELECT ${plan.select}, ${order!.column} AS "${ORDER_KEY}" FROM ${query.from} WHERE ${where.join(" AND ") || "true"} ORDER BY ${order!.column} ${direction}, ${order!.idColumn} ${direction} LIMIT ${limit}`;
    const rows = await this.execute(text, values, query.named ? "page" : false);
    const keys = new Map<object, string | number | Date>();
    const objects = rows.map((r) => {
      const object = materialize(plan.shape, nest(plan.columns, r), run) as object;
      keys.set(object, r[ORDER_KEY] as string | number | Date);
      return object;
    });
    if (!plan.pruned) spec.loaded?.(ctx, objects);
    const keyed: SortOrder<object> = { ...(order as SortOrder<object>), value: (object) => keys.get(object)! };
    return toConnection<unknown>(objects, keyed as SortOrder<unknown>, window, totalCount);
  }

  /** `totalCount` of a planned root connection: its own statement, run only when selected. */
  private async count(spec: RootSpec, ctx: RequestContext, args: Record<string, unknown>): Promise<number> {
    const values: unknown[] = [requireViewer(ctx).partnerId];
    const query = await spec.query(ctx, args, (value) => `$${values.push(value)}`, "$1");
    if (query === "none" || query === null) return 0;
    const where = withViewerTyped(query.from, query.where);
    const rows = await this.execute(`SELECT count(*)::int AS n FROM ${query.from} WHERE ${where.join(" AND ") || "true"}`, values, false);
    return rows[0]!.n as number;
  }

  /**
   * One statement, on a replica when the request may read from one. Lookups by key run named (prepared once per
   * connection; the generic plan of a primary-key lookup is the right one), and so do pages whose text names the
   * caller's partners (`RootQuery.named`: their generic plan is made for that partner). Other pages run unnamed,
   * planned for their values each time: one partner holds 10% of the customers and another 0.1%, and with the
   * partner a parameter no generic plan fits both (measured on the bench's provider page: 70-100 ms generic
   * against 1 ms custom).
   */
  private async execute(text: string, values: unknown[], prepare: "lookup" | "page" | false): Promise<any[]> {
    const driver = this.dataSource.driver as PostgresDriver;
    const [client, release] = (await driver.obtainSlaveConnection()) as [PoolClient, (error?: unknown) => void];
    const scope = requestScope.getStore();
    if (scope) scope.sql.statements++;
    this.stats.statements++;
    const traced = traceStatement(text, scope);
    const bound = prepare ? this.preparedBounds[prepare] : 0;
    let held: Set<string> | undefined;
    let name = "";
    if (prepare && bound > 0) {
      name = this.statementNames.get(text) ?? "";
      if (!name) this.statementNames.set(text, (name = statementName(text)), text.length + name.length);
      let names = this.prepared.get(client);
      if (!names) this.prepared.set(client, (names = { lookup: new Set(), page: new Set() }));
      held = names[prepare];
    }
    try {
      held?.delete(name); // added again below: most recently used last
      const result = await client.query(held ? { name, text, values } : { text, values });
      if (held) {
        held.add(name);
        // room is made once the answer is in: the request waits one DEALLOCATE, counted apart from its reads
        while (held.size > bound) {
          const oldest = held.values().next().value!;
          await this.deallocate(client, oldest);
          held.delete(oldest);
        }
      }
      release();
      traced();
      return result.rows;
    } catch (error) {
      traced(error);
      // parsed before its execution failed (a timeout): the connection holds it all the same
      if (held && parsedStatementsOf(client)?.[name] !== undefined) held.add(name);
      // an error PostgreSQL answered (SQLSTATE) leaves the connection usable; anything else drops it
      const code = (error as { code?: unknown }).code;
      release(typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? undefined : error);
      throw error;
    }
  }

  /** Drops a named statement on its connection, there and in pg's record of what the connection has parsed. */
  private async deallocate(client: PoolClient, name: string): Promise<void> {
    await client.query(`DEALLOCATE "${name}"`); // statementName: rp_ and base64url, nothing to escape
    const parsed = parsedStatementsOf(client);
    if (parsed) delete parsed[name];
    this.stats.deallocated++;
  }

  private planFor(spec: RootSpec, info: GraphQLResolveInfo): Plan | null {
    let operationId = this.operationIds.get(info.operation);
    if (operationId === undefined) this.operationIds.set(info.operation, (operationId = ++this.operationSeq));
    const marks = (info.operation.variableDefinitions ?? []).map((d) => variableMark(info.variableValues[d.variable.name.value])).join("");
    const key = `${operationId}|${info.path.key}|${spec.type}|${marks}`;
    const cached = this.plans.get(key);
    if (cached !== undefined) {
      this.stats.hits++;
      // least recently used first: re-insert on use
      this.plans.delete(key);
      this.plans.set(key, cached);
      return cached;
    }
    this.stats.misses++;
    let plan: Plan | null;
    try {
      plan = this.plan(spec, info);
    } catch (error) {
      // a nested argument of this run is bad input (e.g. a forged cursor): the resolvers report it at its path; nothing is cached
      if ((error as { extensions?: { code?: string } }).extensions?.code === "BAD_USER_INPUT") return null;
      throw error;
    }
    this.plans.set(key, plan);
    if (this.plans.size > this.stats.maxEntries) this.plans.delete(this.plans.keys().next().value!);
    this.stats.size = this.plans.size;
    return plan;
  }

  private plan(spec: RootSpec, info: GraphQLResolveInfo): Plan | null {
    const type = info.schema.getType(spec.type);
    if (!isObjectType(type)) return null;
    const sources: ParamSource[] = [];
    const sql: PlanSql = {
      viewer: "$1",
      param: (source) => {
        sources.push(source);
        return `$${sources.length + 1}`;
      },
    };
    const planning = new Planning(this.dataSource, this.specs.fields, info, sql);
    const aliases: Record<string, string> = { [spec.alias]: spec.alias };
    for (const a of spec.attach ?? []) aliases[a.alias] = a.alias;
    let groups: readonly (readonly FieldNode[])[];
    if (spec.kind !== "connection") {
      groups = [info.fieldNodes];
    } else {
      const connectionType = getNamedType(info.returnType);
      if (!isObjectType(connectionType)) return null;
      const page = planning.pageGroups(connectionType, info.fieldNodes);
      groups = page.nodeGroups;
    }
    try {
      const object = planning.object(type, groups, spec.entity, spec.alias, aliases, spec.attach ?? [], new Set(Object.values(aliases)));
      const { select, columns } = columnsOf(object.sql);
      return { select, columns, shape: object.shape, sources, pruned: planning.pruned };
    } catch (error) {
      if (error instanceof NotPlannable) return null;
      throw error;
    }
  }
}

/** One planning pass over a root field's selection. */
class Planning {
  /** Whether some object of the plan leaves columns out (its objects are then not complete entities). */
  pruned = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly fields: Record<string, NestedSpec>,
    private readonly info: GraphQLResolveInfo,
    private readonly sql: PlanSql,
  ) {}

  private subfields(type: GraphQLObjectType, nodes: readonly FieldNode[]): Map<string, readonly FieldNode[]> {
    return collectSubfields(this.info.schema, this.info.fragments, this.info.variableValues, type, nodes);
  }

  /** A connection's node selections (`nodes`, `edges { node }`, under any alias) and whether `totalCount` is asked. */
  pageGroups(connectionType: GraphQLObjectType, nodes: readonly FieldNode[]): { nodeGroups: (readonly FieldNode[])[]; totalCount: boolean } {
    const nodeGroups: (readonly FieldNode[])[] = [];
    let totalCount = false;
    for (const group of this.subfields(connectionType, nodes).values()) {
      const name = group[0]!.name.value;
      if (name === "totalCount") totalCount = true;
      else if (name === "nodes") nodeGroups.push(group);
      else if (name === "edges") {
        const edgeType = getNamedType(connectionType.getFields().edges!.type);
        if (!isObjectType(edgeType)) continue;
        for (const edgeGroup of this.subfields(edgeType, group).values()) if (edgeGroup[0]!.name.value === "node") nodeGroups.push(edgeGroup);
      }
    }
    return { nodeGroups, totalCount };
  }

  /** JSON of an entity's selectable columns by property name: those `wanted` (and the primary key), or all of them (`null`). */
  private columns(entity: Function, alias: string, wanted: ReadonlySet<string> | null): { pairs: Pair[]; dates: string[] } {
    const metadata = this.dataSource.getMetadata(entity);
    const pairs: Pair[] = [];
    const dates: string[] = [];
    for (const column of metadata.columns) {
      if (!column.isSelect || column.embeddedMetadata || column.relationMetadata) continue;
      if (wanted && !column.isPrimary && !wanted.has(column.propertyName)) {
        this.pruned = true;
        continue;
      }
      const type = typeof column.type === "string" ? column.type : "";
      let expression = `${alias}."${column.databaseName}"`;
      if (DATE_TYPES.has(type)) dates.push(column.propertyName);
      else if (TEXT_TYPES.has(type)) expression += "::text";
      else if (type === "date") expression = `to_char(${expression}, 'YYYY-MM-DD')`;
      else if (!type) throw new NotPlannable(); // a column typed by a class: no rule for its JSON here
      if (column.transformer) throw new NotPlannable();
      pairs.push([column.propertyName, expression]);
    }
    return { pairs, dates };
  }

  /**
   * An object's JSON: the columns its selected fields read (`reads.ts`; every column when one of them may read
   * anything), its attached rows likewise, and its planned fields under `$p`. `required`: properties read
   * outside the selection (a nested page's cursor), or null for every column.
   */
  object(
    type: GraphQLObjectType,
    groups: readonly (readonly FieldNode[])[],
    entity: Function,
    alias: string,
    aliases: Aliases,
    attach: readonly Attachment[],
    ancestors: ReadonlySet<string>,
    required: readonly string[] | null = [],
  ): { json: string; sql: PlannedSql; shape: Shape } {
    const wants = new Wants(attach);
    if (required === null) wants.everything();
    else for (const property of required) wants.path(property);
    const children: Pair[] = [];
    const planned: Shape["children"] = [];
    const seen = new Set<FieldNode>();
    for (const group of groups) {
      for (const nodes of this.subfields(type, group).values()) {
        const node = nodes[0]!;
        if (seen.has(node)) continue;
        seen.add(node);
        const spec = this.fields[`${type.name}.${node.name.value}`];
        const field = type.getFields()[node.name.value];
        const child = spec && field ? this.child(spec, field, nodes, aliases, ancestors, String(planned.length)) : null;
        if (!child) {
          // its resolver runs on this object
          this.addReads(wants, type, entity, attach, nodes);
          continue;
        }
        children.push(...child.pairs);
        planned.push({ node, build: child.build });
      }
    }
    const own = this.columns(entity, alias, wants.own);
    const shape: Shape = { proto: entity.prototype as object, dates: own.dates, attach: [], children: planned };
    const sql: PlannedSql = { own: own.pairs, attached: [], planned: children };
    for (const a of attach) {
      const columns = this.columns(a.entity, a.alias, wants.attached.get(a.property) ?? null);
      sql.attached.push({ property: a.property, pairs: columns.pairs });
      shape.attach.push({ property: a.property, shape: { proto: a.entity.prototype as object, dates: columns.dates, attach: [], children: [] } });
    }
    return { json: jsonOf(sql), sql, shape };
  }

  /** What the resolver of one selected field reads from its object. */
  private addReads(wants: Wants, type: GraphQLObjectType, entity: Function, attach: readonly Attachment[], nodes: readonly FieldNode[]): void {
    const name = nodes[0]!.name.value;
    const source = fieldSource(this.dataSource, entity, name);
    if (source.kind === "none") return;
    if (source.kind === "column") return void wants.path(source.property);
    if (source.kind === "opaque") return wants.everything();
    for (const path of source.reads.paths) wants.path(path);
    const selection = source.reads.selection;
    if (!selection) return;
    const attached = attach.find((a) => a.property === selection);
    const target = getNamedType(type.getFields()[name]!.type);
    if (!attached || !isObjectType(target)) return wants.everything();
    // the field hands out the attached row: what is selected under it reads that row
    for (const sub of this.subfields(target, nodes).values()) {
      const subSource = fieldSource(this.dataSource, attached.entity, sub[0]!.name.value);
      if (subSource.kind === "none") continue;
      if (subSource.kind === "column") wants.path(`${selection}.${subSource.property}`);
      else if (subSource.kind === "reads" && !subSource.reads.selection) for (const path of subSource.reads.paths) wants.path(`${selection}.${path}`);
      else wants.path(selection);
    }
  }

  /** The properties a keyset order reads (its value and id columns), or null when its columns are not plain columns of `alias`. */
  orderProperties(entity: Function, alias: string, order: SortOrder<never>): string[] | null {
    const metadata = this.dataSource.getMetadata(entity);
    const properties: string[] = [];
    for (const expression of [order.column, order.idColumn]) {
      const match = /^(\w+)\."?(\w+)"?$/.exec(expression);
      const column = match && match[1] === alias ? metadata.findColumnWithDatabaseName(match[2]!) : undefined;
      if (!column) return null;
      properties.push(column.propertyName);
    }
    return properties;
  }

  private child(
    spec: NestedSpec,
    field: GraphQLField<unknown, unknown>,
    nodes: readonly FieldNode[],
    parent: Aliases,
    ancestors: ReadonlySet<string>,
    index: string,
  ): { pairs: Pair[]; build(planned: Record<string, unknown>, run: PlanRun): unknown } | null {
    if (spec.kind === "value") {
      const value = spec.sql(parent, this.sql);
      return value === null ? null : { pairs: [[index, value]], build: (planned) => planned[index] };
    }
    // an alias already used above would shadow the parent's: leave such a field to its resolver
    if (ancestors.has(spec.alias)) return null;
    const inner = new Set(ancestors).add(spec.alias);
    const self: Aliases = { [spec.alias]: spec.alias };
    const targetType = getNamedType(field.type);
    if (!isObjectType(targetType)) return null;
    const rows = spec.rows(parent, this.sql);
    if (!rows) return null;
    if (spec.kind === "one" || spec.kind === "list") {
      const object = this.object(this.info.schema.getType(spec.type) as GraphQLObjectType, [nodes], spec.entity, spec.alias, self, [], inner);
      if (spec.kind === "one") {
        return { pairs: [[index, `(SELECT ${object.json} FROM ${rows.from} WHERE ${rows.where})`]], build: (planned, run) => (planned[index] == null ? null : materialize(object.shape, planned[index], run)) };
      }
      return {
        pairs: [[index, `(SELECT coalesce(json_agg(${object.json} ORDER BY ${spec.orderBy}), '[]'::json) FROM ${rows.from} WHERE ${rows.where})`]],
        build: (planned, run) => (planned[index] as unknown[]).map((item) => materialize(object.shape, item, run)),
      };
    }
    // a page per parent: the window's shape (cursors, direction) is this plan's; its values are each run's
    const page = this.pageGroups(targetType, nodes);
    const order = spec.order;
    // each item's cursor reads the order's columns
    const object = this.object(this.info.schema.getType(spec.type) as GraphQLObjectType, page.nodeGroups, spec.entity, spec.alias, self, [], inner, this.orderProperties(spec.entity, spec.alias, order));
    const argsKey = { field, fieldNode: nodes[0]! };
    const windowOf = (run: PlanRun): PageWindow => pageWindow(run.args(argsKey) as ConnectionArgs, order);
    const planned = windowOf({ ctx: undefined as never, variables: this.info.variableValues, args: () => getArgumentValues(field, nodes[0]!, this.info.variableValues) });
    const fits = (w: PageWindow) => !!w.after === !!planned.after && !!w.before === !!planned.before && w.backward === planned.backward;
    const markers: PageWindow = {
      ...planned,
      after: planned.after ? [AFTER_VALUE, AFTER_ID as unknown as string] : null,
      before: planned.before ? [BEFORE_VALUE, BEFORE_ID as unknown as string] : null,
    };
    const cursorPart: Record<symbol, (w: PageWindow) => unknown> = {
      [AFTER_VALUE]: (w) => w.after![0],
      [AFTER_ID]: (w) => w.after![1],
      [BEFORE_VALUE]: (w) => w.before![0],
      [BEFORE_ID]: (w) => w.before![1],
    };
    const checked = (run: PlanRun): PageWindow => {
      const w = windowOf(run);
      if (!fits(w)) throw new NotPlannable();
      return w;
    };
    const conditions = windowConditions(order, markers, (marker) => this.sql.param((run) => cursorPart[marker as symbol]!(checked(run))));
    const direction = orderDirection(order, planned.backward);
    const limit = this.sql.param((run) => {
      const w = checked(run);
      return w.limit === 0 ? 0 : w.limit + 1;
    });
    const where = [rows.where, ...conditions].join(" AND ");
    const pairs: Pair[] = [
      [
        index,
        `(SELECT coalesce(json_agg(x.o ORDER BY x.k1 ${direction}, x.k2 ${direction}), '[]'::json) FROM (SELECT ${object.json} AS o, ${order.column} AS k1, ${order.idColumn} AS k2 FROM ${rows.from} WHERE ${where} ORDER BY ${order.column} ${direction}, ${order.idColumn} ${direction} LIMIT ${limit}) x)`,
      ],
    ];
    if (page.totalCount) pairs.push([`${index}c`, `(SELECT count(*)::int FROM ${rows.from} WHERE ${rows.where})`]);
    return {
      pairs,
      build: (planned, run) => {
        const items = (planned[index] as unknown[]).map((item) => materialize(object.shape, item, run));
        const count = planned[`${index}c`] as number;
        // only a selected totalCount reads it, and then the statement counted it
        return toConnection<unknown>(items, order as SortOrder<unknown>, windowOf(run), () => Promise.resolve(count));
      },
    };
  }
}

/**
 * `$1` (the caller's partner) is sent with every statement; a text that names its partners literally may not
 * use it, and PostgreSQL refuses a parameter it cannot type: such a text gets a condition that types it.
 */
function withViewerTyped(text: string, where: string[]): string[] {
  return /\$1(?!\d)/.test(`${text} ${where.join(" ")}`) ? where : [...where, "$1::uuid IS NOT NULL"];
}

function jsonObject(pairs: readonly Pair[]): string {
  if (pairs.length > MAX_JSON_PAIRS) throw new NotPlannable();
  return `json_build_object(${pairs.map(([key, expression]) => `${quoteKey(key)}, ${expression}`).join(", ")})`;
}

/** A nested object's JSON: its columns, each attached row as an object, its planned values under `$p`. */
function jsonOf(sql: PlannedSql): string {
  const pairs: Pair[] = [...sql.own, ...sql.attached.map((a): Pair => [a.property, jsonObject(a.pairs)])];
  if (sql.planned.length > 0) pairs.push(["$p", jsonObject(sql.planned)]);
  return jsonObject(pairs);
}

/** The column a root page carries its order's value in (`$p` and `$k` are the planner's: no entity property starts with `$`). */
const ORDER_KEY = "$k";

/**
 * A root row as plain columns named by path (`id`, `scopeRelationship.status`, `$p.0`; by position, `c7`, past
 * the 63 bytes PostgreSQL keeps of an identifier); `nest` turns a row back into the JSON shape.
 */
function columnsOf(sql: PlannedSql): { select: string; columns: RootColumn[] } {
  const columns: RootColumn[] = [];
  const parts: string[] = [];
  const add = (into: string | null, [key, expression]: Pair) => {
    quoteKey(key);
    const path = into === null ? key : `${into}.${key}`;
    const name = path.length <= 63 ? path : `c${columns.length}`;
    columns.push({ name, into, key });
    parts.push(`${expression} AS "${name}"`);
  };
  for (const pair of sql.own) add(null, pair);
  for (const a of sql.attached) for (const pair of a.pairs) add(a.property, pair);
  for (const pair of sql.planned) add("$p", pair);
  return { select: parts.join(", "), columns };
}

/** A root row read as columns, in the shape `materialize` takes (the JSON a nested object arrives in). */
function nest(columns: readonly RootColumn[], row: Record<string, unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.name];
    if (column.into === null) object[column.key] = value;
    else ((object[column.into] ??= {}) as Record<string, unknown>)[column.key] = value;
  }
  return object;
}

function materialize(shape: Shape, raw: unknown, run: PlanRun): unknown {
  const row = raw as Record<string | symbol, unknown>;
  Object.setPrototypeOf(row, shape.proto);
  for (const property of shape.dates) {
    const value = row[property];
    if (typeof value === "string") row[property] = new Date(value);
  }
  for (const a of shape.attach) if (row[a.property] != null) materialize(a.shape, row[a.property], run);
  if (shape.children.length > 0) {
    const planned = row.$p as Record<string, unknown>;
    delete row.$p;
    const values = new Map<FieldNode, unknown>();
    for (const child of shape.children) values.set(child.node, child.build(planned, run));
    row[PLANNED] = values;
  }
  return row;
}

import type { GraphQLFieldConfigArgumentMap } from "graphql";
import type { DataSource } from "typeorm";
import type { RequestContext } from "../auth/context";
import type { Capability, FieldRule } from "../auth/permissions";
import type { Config } from "../config";
import type { PlanSpecs } from "../graphql/planner/spec";
import type { Node } from "../graphql/relay";
import type { CacheBus } from "../server/cache-bus";
import type { Services } from "../services";

/** What every service factory may use: the database, the configuration, the cross-instance cache bus. */
export interface ServiceDeps {
  dataSource: DataSource;
  config: Pick<Config, "invitationSecret" | "dataDir" | "env" | "webhooks">;
  caches: CacheBus;
}

/** A type `node(id:)` can open: the capability needed to read it, and a fetch that applies the module's tenant scope. */
export interface NodeType {
  read: Capability | "authenticated";
  fetch(ctx: RequestContext, id: string): Promise<Node | null>;
}

/**
 * Everything a domain area adds to the server, declared once in its own
 * folder and read by the central code (entities for the DataSource, resolvers
 * for the schema, services, graphql-shield field rules, node types). A new
 * area is one manifest and one line in `src/modules/index.ts`; its services
 * join the `Services` interface by augmenting it in the manifest file.
 */
export interface ModuleManifest {
  name: string;
  entities?: Function[];
  resolvers?: Function[];
  /** Builds this module's services; modules listed before it in `MODULES` have built theirs into `built`. */
  services?(deps: ServiceDeps, built: Services): Partial<Services>;
  /** Which capability (of the role matrix in src/auth/permissions.ts) guards a schema coordinate: `{ Query: { customers: "readCustomers" } }`. */
  fieldRules?: Record<string, Record<string, FieldRule>>;
  /** Coordinates a caller without a bearer token may select (`Type.field`). */
  anonymousFields?: string[];
  nodes?: Record<string, NodeType>;
  /** Fields the read planner answers in one statement (src/graphql/planner), by schema coordinate. */
  plans?: PlanSpecs;
  /** Root subscription fields and the object types of their events (src/graphql/schema.ts adds them to the schema). */
  subscriptions?: { types: Function[]; fields: Record<string, SubscriptionField> };
}

/** The root subscription type's name: `Subscription` is the sold subscription's type (API contract). */
export const SUBSCRIPTION_ROOT = "SubscriptionRoot";

/**
 * A field of the root subscription type. type-graphql would name that type
 * `Subscription`, which is the sold subscription's type here, so these are
 * graphql-js fields on `SubscriptionRoot`; their event types and those types'
 * field resolvers are type-graphql classes as usual.
 */
export interface SubscriptionField {
  /** The GraphQL object type (by name) of each event; the field is non-null. */
  type: string;
  description: string;
  args?: GraphQLFieldConfigArgumentMap;
  /** The stream of source events for this caller; throws (FORBIDDEN, BAD_USER_INPUT) to refuse. */
  subscribe(ctx: RequestContext, args: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  /** One source event as the object of `type`. */
  resolve(event: unknown): unknown;
}

export function defineModule(manifest: ModuleManifest): ModuleManifest {
  return manifest;
}

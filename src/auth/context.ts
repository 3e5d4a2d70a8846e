import { DataSource } from "typeorm";
import type { Config } from "../config";
import { SqlStats } from "../db/sql-stats";
import { LoaderRegistry } from "../graphql/loaders";
import type { Services } from "../services";
import { apiError } from "../graphql/errors";
import type { ReadPlanner } from "../graphql/planner/planner";
import type { EventFeed } from "../server/event-feed";
import { Viewer } from "./tokens";

/** Everything one request carries: who calls, its loaders and counters. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  loaders: LoaderRegistry;
  services: Services;
  dataSource: DataSource;
  config: Config;
  sql: SqlStats;
  /** Answers planned read fields in one statement; null when READ_PLANNER=off. */
  planner: ReadPlanner | null;
  /** Scheme and host the request came to: the default base of links the API hands out. */
  origin?: string;
  /** The caller's socket address (HTTP): the key of the anonymous request budget. */
  address?: string;
  /** This instance's outbox listener, which subscription fields stream from (src/server/event-feed.ts). */
  eventFeed?: EventFeed;
}

/** Services call this where a signed-in partner user is required. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (!ctx.viewer) throw apiError("UNAUTHENTICATED", "A bearer token is required.");
  return ctx.viewer;
}

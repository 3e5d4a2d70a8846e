import { Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { TestApp } from "../support/harness";

/** GraphQL subscriptions over WebSocket in tests: a graphql-ws client per caller, and what each subscription received. */

export function wsUrl(base: string): string {
  return `${base.replace(/^http/, "ws")}/graphql`;
}

/** A graphql-ws client that connects at once and never retries (a refusal is the test's to see). */
export function wsClient(url: string, token: string | null): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
}

export interface Received<T = any> {
  results: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] }[];
  /** The error that ended the operation (an `error` message), when one did. */
  failure: unknown;
  completed: boolean;
  stop(): void;
}

export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Received<T> {
  const received: Received<T> = { results: [], failure: null, completed: false, stop: () => undefined };
  received.stop = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => void received.results.push(result as Received<T>["results"][number]),
      error: (error) => {
        received.failure = error;
        received.completed = true;
      },
      complete: () => {
        received.completed = true;
      },
    },
  );
  return received;
}

/** Polls until `condition` holds (every 10 ms, for at most 20 s). */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves once the app's event feed holds `count` subscribers of the partner (the subscription is live server-side). */
export function subscribed(app: TestApp, partnerId: string, count = 1): Promise<void> {
  return until(() => app.app.eventFeed.subscriberCount(partnerId) === count, `${count} subscriber(s) of partner ${partnerId}`);
}

/** Opens a raw graphql-transport-ws socket, sends connection_init with `payload`, and resolves with how the server closed it. */
export function refusal(url: string, payload: Record<string, unknown>): Promise<{ code: number; reason: string; acknowledged: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    let acknowledged = false;
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
    socket.on("message", (data) => {
      if (JSON.parse(String(data)).type === "connection_ack") {
        acknowledged = true;
        socket.close(1000);
      }
    });
    socket.on("close", (code, reason) => resolve({ code, reason: String(reason), acknowledged }));
    socket.on("error", reject);
  });
}

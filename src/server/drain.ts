import http from "node:http";
import type { AppLogger } from "./logger";

/** One listening HTTP server that can be closed without dropping the requests in flight. */
export class DrainableServer {
  private readonly inFlight = new Set<http.ServerResponse>();
  private draining = false;
  private finishedWhileDraining = 0;
  private onIdle: (() => void) | null = null;

  constructor(readonly server: http.Server) {
    // before the app's own listener, so the header can still be set on responses the app sends at once
    server.prependListener("request", (_req: http.IncomingMessage, res: http.ServerResponse) => this.track(res));
  }

  private track(res: http.ServerResponse): void {
    this.inFlight.add(res);
    if (this.draining) res.setHeader("connection", "close");
    res.once("close", () => {
      this.inFlight.delete(res);
      if (this.draining) this.finishedWhileDraining++;
      if (this.inFlight.size === 0) this.onIdle?.();
    });
  }

  /**
   * Stops accepting connections and closes idle keep-alive ones; lets the
   * requests in flight finish (their responses carry `Connection: close`) for
   * at most `drainMs`; then closes every connection left.
   */
  async close(drainMs: number, log: AppLogger): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader("connection", "close");
    log.info({ inFlight: this.inFlight.size, drainMs }, "stopped accepting connections; draining the requests in flight");
    if (await this.idleWithin(drainMs)) log.info({ finished: this.finishedWhileDraining }, "requests in flight finished");
    else log.warn({ finished: this.finishedWhileDraining, cut: this.inFlight.size }, "drain timed out; closing the remaining connections");
    this.server.closeAllConnections();
    await closed;
    log.info("HTTP server closed");
  }

  /** Resolves true once no request is in flight, false when `ms` pass first. */
  private idleWithin(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

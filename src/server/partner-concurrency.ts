import type { PartnerConcurrencyLimits } from "../config";
import { apiError } from "../graphql/errors";

/** One operation's claim on its partner's lane: granted now or after a wait in the queue; released exactly once. */
export interface Lease {
  /** Resolves when the operation may execute; rejects with THROTTLED when the queue is full or the wait too long. */
  readonly granted: Promise<void>;
  /** Frees the slot, or leaves the queue (then `granted` resolves without a slot); later calls do nothing. */
  release(): void;
}

interface Waiter {
  grant(): void;
  /** Settles the wait without a slot: its response is gone already, nothing should hang on it. */
  drop(): void;
  timer: NodeJS.Timeout;
}

interface Lane {
  running: number;
  queue: Waiter[];
}

export interface LaneGauge {
  partnerId: string;
  running: number;
  waiting: number;
}

/** Retry-After for a refusal: the queue drains within a second unless the partner keeps it full. */
const RETRY_AFTER_SECONDS = 1;

/**
 * A FIFO semaphore per partner: one partner's heavy operations wait in that
 * partner's own queue, so they never take the pool connections other partners need.
 */
export class PartnerConcurrency {
  private readonly lanes = new Map<string, Lane>();
  private refused = 0;

  constructor(readonly limits: PartnerConcurrencyLimits) {}

  acquire(partnerId: string): Lease {
    const lane = this.laneOf(partnerId);
    let state: "waiting" | "running" | "released" = "waiting";
    let waiter: Waiter | null = null;
    const start = () => {
      state = "running";
      lane.running++;
    };
    const granted = new Promise<void>((resolve, reject) => {
      if (lane.running < this.limits.limit && lane.queue.length === 0) {
        start();
        return resolve();
      }
      if (lane.queue.length >= this.limits.queueLimit) {
        state = "released";
        return reject(this.refusal(`Your partner has ${lane.running} operations running and ${lane.queue.length} queued in this server`));
      }
      const queued: Waiter = {
        grant: () => {
          clearTimeout(queued.timer);
          start();
          resolve();
        },
        drop: () => {
          clearTimeout(queued.timer);
          resolve();
        },
        timer: setTimeout(() => {
          state = "released";
          this.leaveQueue(partnerId, lane, queued);
          reject(this.refusal(`Your request waited ${this.limits.queueTimeoutMs} ms behind your partner's other operations`));
        }, this.limits.queueTimeoutMs),
      };
      waiter = queued;
      lane.queue.push(queued);
    });
    return {
      granted,
      release: () => {
        if (state === "running") {
          lane.running--;
          lane.queue.shift()?.grant();
          this.forget(partnerId, lane);
        } else if (state === "waiting" && waiter) {
          waiter.drop();
          this.leaveQueue(partnerId, lane, waiter);
        }
        state = "released";
      },
    };
  }

  /** Running and queued operations of one partner. */
  of(partnerId: string): { running: number; waiting: number } {
    const lane = this.lanes.get(partnerId);
    return { running: lane?.running ?? 0, waiting: lane?.queue.length ?? 0 };
  }

  /** Every partner with operations running or queued (idle partners are not kept). */
  gauge(): LaneGauge[] {
    return [...this.lanes].map(([partnerId, lane]) => ({ partnerId, running: lane.running, waiting: lane.queue.length }));
  }

  /** Operations refused with THROTTLED since the start. */
  refusedTotal(): number {
    return this.refused;
  }

  private laneOf(partnerId: string): Lane {
    let lane = this.lanes.get(partnerId);
    if (!lane) this.lanes.set(partnerId, (lane = { running: 0, queue: [] }));
    return lane;
  }

  private leaveQueue(partnerId: string, lane: Lane, waiter: Waiter): void {
    const index = lane.queue.indexOf(waiter);
    if (index >= 0) lane.queue.splice(index, 1);
    this.forget(partnerId, lane);
  }

  private forget(partnerId: string, lane: Lane): void {
    if (lane.running === 0 && lane.queue.length === 0) this.lanes.delete(partnerId);
  }

  private refusal(reason: string) {
    this.refused++;
    return apiError("THROTTLED", `${reason}; retry in ${RETRY_AFTER_SECONDS} s, or send fewer requests at once.`, { retryAfter: RETRY_AFTER_SECONDS });
  }
}

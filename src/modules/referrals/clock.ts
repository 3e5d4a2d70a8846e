/**
 * The referrals' notion of "now": expiry (14 days, computed) is decided
 * against it, and creation times come from it, so tests move time instead of
 * sleeping or rewriting rows. The system clock unless a test sets it.
 */
export class Clock {
  private fixed: number | null = null;
  private offsetMs = 0;

  now(): Date {
    return new Date((this.fixed ?? Date.now()) + this.offsetMs);
  }

  /** Freezes time at `at` (tests). */
  set(at: Date): void {
    this.fixed = at.getTime();
    this.offsetMs = 0;
  }

  /** Moves time forward by `ms` from wherever it is (tests). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Back to the system clock. */
  reset(): void {
    this.fixed = null;
    this.offsetMs = 0;
  }
}

import pino from "pino";

export type AppLogger = pino.Logger;

export function createLogger(level: string): AppLogger {
  return pino({ level, base: { service: "partner-accounts-graphql" }, redact: ["req.headers.authorization"] });
}

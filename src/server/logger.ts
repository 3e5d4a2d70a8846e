import pino from "pino";
import type { PrettyOptions } from "pino-pretty";
import type { Config } from "../config";

export type AppLogger = pino.Logger;

export type LogFormat = "json" | "pretty";

export interface LoggerOptions {
  level: string;
  /** LOG_FORMAT; unset: chosen by `env` and the destination (see logFormatFor). */
  format?: LogFormat;
  env?: Config["env"];
  /** Where the lines go (tests capture them here); stdout when unset. */
  destination?: pino.DestinationStream;
}

/** Pretty (pino-pretty) when asked for, or by default in development when the log goes to stdout; JSON lines otherwise. */
export function logFormatFor(options: Pick<LoggerOptions, "format" | "env" | "destination">): LogFormat {
  if (options.format) return options.format;
  return options.env === "development" && !options.destination ? "pretty" : "json";
}

/** The process logger as the config asks for it (LOG_LEVEL, LOG_FORMAT, NODE_ENV). */
export function loggerFor(config: Pick<Config, "logLevel" | "logFormat" | "env">, destination?: pino.DestinationStream): AppLogger {
  return createLogger({ level: config.logLevel, format: config.logFormat, env: config.env, destination });
}

export function createLogger(levelOrOptions: string | LoggerOptions): AppLogger {
  const options: LoggerOptions = typeof levelOrOptions === "string" ? { level: levelOrOptions } : levelOrOptions;
  const settings: pino.LoggerOptions = { level: options.level, base: { service: "partner-accounts-graphql" }, redact: ["req.headers.authorization"] };
  if (logFormatFor(options) === "pretty") return pino(settings, prettyStream(options.destination));
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * One line per record: time, level, the request id (when the line belongs to a request), the message, then the
 * other fields as JSON; errors below with their stack. Formatted and written synchronously in this thread (no
 * worker, no buffer), so nothing is lost when the process exits. pino-pretty is loaded only here: JSON never loads it.
 */
function prettyStream(destination: pino.DestinationStream | undefined): pino.DestinationStream {
  const { prettyFactory } = require("pino-pretty") as { prettyFactory: (options: PrettyOptions) => (line: string) => string };
  const format = prettyFactory({
    colorize: destination ? false : Boolean(process.stdout.isTTY),
    translateTime: "SYS:HH:MM:ss.l",
    singleLine: true,
    ignore: "pid,hostname,service,requestId",
    messageFormat: "{if requestId}[{requestId}] {end}{msg}",
  });
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return { write: (line: string) => void out.write(format(line)) };
}

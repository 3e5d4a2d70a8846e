/** Global ids as the API writes them (`base64url("<Type>:<database id>")`), for tests that cross between SQL and GraphQL. */

/** The global id of a row. */
export function globalIdOf(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, "utf8").toString("base64url");
}

/** The database id inside a global id. */
export function dbIdOf(globalId: string): string {
  return Buffer.from(globalId, "base64url").toString("utf8").split(":")[1]!;
}

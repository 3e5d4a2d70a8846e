import { GraphQLScalarType } from "graphql";
import { GraphQLDateTimeISO, GraphQLJSON } from "graphql-scalars";

/** ISO-8601 date-time (UTC, milliseconds), named as the contract names it. */
const iso = GraphQLDateTimeISO.toConfig();

export const DateTimeScalar = new GraphQLScalarType({
  ...iso,
  name: "DateTime",
  description: "An ISO-8601 date-time in UTC, e.g. 2026-11-23T21:54:37.000Z.",
  // output values are Dates read from PostgreSQL: skip the generic validation of every served timestamp
  serialize: (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : iso.serialize!(value)),
});
export const JSONScalar = GraphQLJSON;

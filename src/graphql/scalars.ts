import { GraphQLScalarType } from "graphql";
import { GraphQLDateTimeISO, GraphQLJSON } from "graphql-scalars";

/** ISO-8601 date-time (UTC, milliseconds), named as the contract names it. */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  name: "DateTime",
  description: "An ISO-8601 date-time in UTC, e.g. 2026-11-23T21:54:37.000Z.",
});
export const JSONScalar = GraphQLJSON;

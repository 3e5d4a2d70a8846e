import { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, visit } from "graphql";
import { getVariableValues } from "graphql/execution/values";
import { badRequestInput } from "../graphql/errors";

/**
 * Checks on a parsed operation's inputs that hold for every operation, run
 * once before anything resolves: each returns the error to answer (HTTP 400
 * BAD_USER_INPUT) or null.
 */

/** Coerces the variables as execution will: a wrong type is the caller's error, not an exception inside the cost walk. */
export function variablesError(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): GraphQLError | null {
  const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 1 });
  return errors?.length ? badRequestInput(errors[0]!.message) : null;
}

const NUL = "\u0000";

const nulMessage = (where: string) => `Strings must not contain the NUL character (U+0000); found in ${where}.`;

/** PostgreSQL cannot store U+0000 in text (nor in jsonb): refused in the document's string literals and in every variable. */
export function nulCharacterError(document: DocumentNode, variables: Record<string, unknown>): GraphQLError | null {
  return nulInLiterals(document) ?? nulInVariables(variables);
}

/** Where a parsed document's literals hold a NUL (null: nowhere), per document object: a cached document is checked once. */
const nulPlaces = new WeakMap<DocumentNode, string | null>();

function nulInLiterals(document: DocumentNode): GraphQLError | null {
  let found = nulPlaces.get(document);
  if (found === undefined) nulPlaces.set(document, (found = nulPlaceIn(document)));
  return found === null ? null : badRequestInput(nulMessage(found));
}

function nulPlaceIn(document: DocumentNode): string | null {
  const path: string[] = [];
  let found: string | null = null;
  visit(document, {
    Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    VariableDefinition: { enter: (node) => void path.push(`the default value of $${node.variable.name.value}`), leave: () => void path.pop() },
    StringValue(node) {
      if (found !== null || !node.value.includes(NUL)) return;
      found = path[0]?.startsWith("the default value") ? path.join(".") : `the argument ${path.join(".")}`;
    },
  });
  return found;
}

/** Walks the variables without recursion: JSON bodies nest deeper than the call stack. */
function nulInVariables(variables: Record<string, unknown>): GraphQLError | null {
  const stack: [unknown, string][] = Object.entries(variables).map(([name, value]) => [value, `$${name}`]);
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes(NUL)) return badRequestInput(nulMessage(path));
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes(NUL)) return badRequestInput(nulMessage(`a key of ${path}`));
        stack.push([item, `${path}.${key}`]);
      }
    }
  }
  return null;
}

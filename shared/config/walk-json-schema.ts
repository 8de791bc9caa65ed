/**
 * A small validator for the subset of JSON Schema the config schema uses (object with
 * additionalProperties, string minLength/maxLength/pattern, integer/number minimum/maximum, boolean,
 * array items/minItems, anyOf of consts (enums), anyOf of objects told apart by a `kind` const). It
 * fills in defaults and stops at the FIRST problem with a message naming the dotted path — the one
 * line a bad setting deserves — instead of a list of every schema branch that did not match.
 */

export type JsonSchemaNode = Readonly<Record<string, unknown>>;

/** A value does not match the schema at `path` (dotted: `probes.timeoutMs`, `webhook.tokens[0]`). */
export class SchemaViolation extends Error {
  override name = 'SchemaViolation';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describeRange(schema: JsonSchemaNode, kind: string): string {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (minimum !== undefined && maximum !== undefined)
    return `must be ${kind} between ${minimum} and ${maximum}`;
  if (minimum !== undefined) return `must be ${kind} ≥ ${minimum}`;
  if (maximum !== undefined) return `must be ${kind} ≤ ${maximum}`;
  return `must be ${kind}`;
}

function constsOf(options: readonly JsonSchemaNode[]): unknown[] | undefined {
  return options.every((option) => Object.hasOwn(option, 'const'))
    ? options.map((option) => option.const)
    : undefined;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** An `anyOf`: of consts (an enum), or of objects told apart by their `kind` const. */
function applyAnyOf(anyOf: readonly JsonSchemaNode[], value: unknown, path: string): unknown {
  const consts = constsOf(anyOf);
  if (consts) {
    if (!consts.includes(value)) {
      throw new SchemaViolation(path, `must be one of ${consts.map((c) => JSON.stringify(c)).join(', ')}`);
    }
    return value;
  }
  // A union of objects with a `kind` const: pick the member by kind.
  const kinds = anyOf.map(
    (option) => (option.properties as Record<string, JsonSchemaNode> | undefined)?.kind?.const,
  );
  if (!isObject(value)) throw new SchemaViolation(path, 'must be an object');
  const index = kinds.indexOf(value.kind);
  const member = anyOf[index];
  if (index < 0 || member === undefined) {
    throw new SchemaViolation(
      join(path, 'kind'),
      `must be one of ${kinds.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  }
  return applySchema(member, value, path);
}

/** An object: each property checked, unknown keys refused when closed, defaults and required keys filled. */
function applyObject(schema: JsonSchemaNode, value: unknown, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new SchemaViolation(path, 'must be an object');
  const properties = (schema.properties ?? {}) as Record<string, JsonSchemaNode>;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    if (property === undefined) {
      if (schema.additionalProperties === false) {
        const known = Object.keys(properties).filter((name) => name !== '$schema');
        throw new SchemaViolation(join(path, key), `unknown setting (known: ${known.join(', ')})`);
      }
      result[key] = item;
      continue;
    }
    result[key] = applySchema(property, item, join(path, key));
  }
  const required = (schema.required ?? []) as readonly string[];
  for (const [key, property] of Object.entries(properties)) {
    if (Object.hasOwn(result, key)) continue;
    if (property.default !== undefined)
      result[key] = applySchema(property, clone(property.default), join(path, key));
    else if (required.includes(key)) throw new SchemaViolation(join(path, key), 'is required');
  }
  return result;
}

function applyArray(schema: JsonSchemaNode, value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SchemaViolation(path, 'must be a list');
  const minItems = schema.minItems as number | undefined;
  if (minItems !== undefined && value.length < minItems) {
    throw new SchemaViolation(path, `must hold at least ${minItems} item${minItems === 1 ? '' : 's'}`);
  }
  const items = schema.items as JsonSchemaNode | undefined;
  return items ? value.map((item, index) => applySchema(items, item, `${path}[${index}]`)) : value;
}

function applyString(schema: JsonSchemaNode, value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SchemaViolation(path, 'must be a string');
  const { minLength, maxLength, pattern } = schema as {
    minLength?: number;
    maxLength?: number;
    pattern?: string;
  };
  if (minLength !== undefined && value.length < minLength) {
    throw new SchemaViolation(
      path,
      minLength === 1 ? 'must not be empty' : `must be at least ${minLength} characters`,
    );
  }
  if (maxLength !== undefined && value.length > maxLength) {
    throw new SchemaViolation(path, `must be at most ${maxLength} characters`);
  }
  if (pattern !== undefined && !new RegExp(pattern).test(value)) {
    throw new SchemaViolation(path, `must match ${pattern}`);
  }
  return value;
}

/** Returns the value with defaults filled in; throws SchemaViolation for the first problem. */
export function applySchema(schema: JsonSchemaNode, value: unknown, path: string): unknown {
  const anyOf = schema.anyOf as readonly JsonSchemaNode[] | undefined;
  if (anyOf) return applyAnyOf(anyOf, value, path);
  switch (schema.type) {
    case 'object':
      return applyObject(schema, value, path);
    case 'array':
      return applyArray(schema, value, path);
    case 'string':
      return applyString(schema, value, path);
    case 'integer': {
      const { minimum = -Infinity, maximum = Infinity } = schema as { minimum?: number; maximum?: number };
      if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
        throw new SchemaViolation(path, describeRange(schema, 'an integer'));
      }
      return value;
    }
    case 'number': {
      const { minimum = -Infinity, maximum = Infinity } = schema as { minimum?: number; maximum?: number };
      if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || value > maximum) {
        throw new SchemaViolation(path, describeRange(schema, 'a number'));
      }
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new SchemaViolation(path, 'must be true or false');
      return value;
    case 'null':
      if (value !== null) throw new SchemaViolation(path, 'must be null');
      return value;
    default:
      return value;
  }
}

import type { z } from 'zod';

/** A key or an array index, as a zod issue's path holds it. */
export type Segment = string | number;

/** One string of a schema: where it is, and an input that holds `text` there (a union's discriminator set). */
export interface TextLeaf {
  readonly at: readonly Segment[];
  readonly input: unknown;
}

type Def = Record<string, unknown> & { type: string };
const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

/**
 * Every string a schema holds (an array's element as index 0), each with an input that puts
 * `text` there and nothing else but what is needed to reach it (a discriminated union's tag), so
 * a test can try a value in every text field of a schema without listing them.
 */
export function textLeaves(schema: z.core.$ZodType, text: string): TextLeaf[] {
  const def = defOf(schema);
  const inner = (key: string) => textLeaves(def[key] as z.core.$ZodType, text);
  switch (def.type) {
    case 'string':
      return [{ at: [], input: text }];
    case 'object':
      return Object.entries(def['shape'] as Record<string, z.core.$ZodType>).flatMap(([key, field]) =>
        textLeaves(field, text).map((leaf) => ({ at: [key, ...leaf.at], input: { [key]: leaf.input } })),
      );
    case 'array':
      return textLeaves(def['element'] as z.core.$ZodType, text).map((leaf) => ({ at: [0, ...leaf.at], input: [leaf.input] }));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return inner('innerType');
    case 'pipe':
      // z.preprocess(fn, schema) reads on in the schema; schema.transform(fn) in the schema before it.
      return defOf(def['in'] as z.core.$ZodType).type === 'transform' ? inner('out') : inner('in');
    case 'union': {
      const tag = def['discriminator'] as string | undefined;
      const seen = new Map<string, TextLeaf>();
      for (const option of def['options'] as z.core.$ZodType[]) {
        const tagSchema = tag === undefined ? undefined : (defOf(option)['shape'] as Record<string, z.core.$ZodType> | undefined)?.[tag];
        const tagValue = tagSchema === undefined ? undefined : (defOf(tagSchema)['values'] as unknown[] | undefined)?.[0];
        for (const leaf of textLeaves(option, text)) {
          const key = `${tagValue === undefined ? '' : `${JSON.stringify(tagValue)}:`}${leaf.at.join('.')}`;
          const input = tagValue === undefined ? leaf.input : { ...(leaf.input as object), [tag as string]: tagValue };
          seen.set(key, { at: leaf.at, input });
        }
      }
      return [...seen.values()];
    }
    case 'intersection':
      return [...inner('left'), ...inner('right')];
    default:
      return []; // numbers, booleans, enums, literals, dates: no text
  }
}

/** `base` with `leaf`'s input merged over it (objects key by key, arrays element by element). */
export function mergedInto(base: unknown, input: unknown): unknown {
  if (Array.isArray(input)) {
    const list = Array.isArray(base) ? [...(base as unknown[])] : [];
    input.forEach((value: unknown, i) => (list[i] = mergedInto(list[i], value)));
    return list;
  }
  if (input !== null && typeof input === 'object') {
    const record: Record<string, unknown> = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, unknown>) } : {};
    for (const [key, value] of Object.entries(input)) record[key] = mergedInto(record[key], value);
    return record;
  }
  return input;
}

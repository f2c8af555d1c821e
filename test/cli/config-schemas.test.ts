import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/cli/config-reference.js';
import { deviceJsonSchema, routerJsonSchema, schemaFileText, type JsonSchema } from '../../src/cli/config-schemas.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every property of a JSON Schema, by its dotted path (through lists and alternatives). */
function properties(schema: JsonSchema, path = ''): Array<[string, JsonSchema]> {
  const out: Array<[string, JsonSchema]> = [];
  for (const [key, property] of Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>)) {
    const here = path === '' ? key : `${path}.${key}`;
    out.push([here, property]);
    out.push(...properties(property, here));
    for (const variant of ((property['oneOf'] ?? property['anyOf'] ?? []) as JsonSchema[])) out.push(...properties(variant, here));
    const items = property['items'] as JsonSchema | undefined;
    if (items !== undefined) {
      out.push(...properties(items, `${here}[]`));
      for (const variant of ((items['oneOf'] ?? []) as JsonSchema[])) out.push(...properties(variant, `${here}[]`));
    }
  }
  return out;
}

describe('config schemas', () => {
  it('ships devices/device.schema.json and devices/router.schema.json as generated (run npm run schemas)', () => {
    expect(read('devices/device.schema.json')).toBe(schemaFileText(deviceJsonSchema()));
    expect(read('devices/router.schema.json')).toBe(schemaFileText(routerJsonSchema()));
  });

  it('ships docs/configuration.md as generated from the schemas (run npm run schemas)', () => {
    expect(read('docs/configuration.md')).toBe(renderConfigReference(deviceJsonSchema(), routerJsonSchema()));
  });

  it('describes every key of both configs', () => {
    const undescribed = [...properties(deviceJsonSchema()), ...properties(routerJsonSchema())]
      .filter(([, property]) => typeof property['description'] !== 'string' || property['description'] === '')
      .map(([path]) => path);
    expect([...new Set(undescribed)]).toEqual([]);
  });

  it('puts the router schema in the device schema’s local_router, with realms optional', () => {
    const local = (deviceJsonSchema()['properties'] as Record<string, JsonSchema>)['local_router']!;
    expect(Object.keys(local['properties'] as object)).toEqual(['listen', 'realms', 'limits', 'log_level']);
    expect(local['required'] ?? []).not.toContain('realms');
    expect(routerJsonSchema()['required']).toContain('realms');
  });

  it('shows duration defaults as written in a file', () => {
    const grace = properties(deviceJsonSchema()).find(([path]) => path === 'actuators[].grace')![1];
    expect(grace['default']).toBe('30s');
  });
});

import { z } from 'zod';
import { writtenDefault } from '../common/schema-parts.js';
import { deviceConfigSchema } from '../device/config/schema.js';
import { localRouterConfigSchema, routerConfigSchema } from '../router/config/schema.js';

/**
 * The JSON Schemas shipped for editors (devices/device.schema.json, devices/router.schema.json),
 * made from the zod schemas that validate the configs, so they cannot drift. The device layer
 * never imports the router, so its `local_router` block is typed as "any mapping" there; this is
 * where the router's schema is put in its place. `scripts/generate-schemas.mjs` writes them, and
 * a test fails when the checked-in files are stale.
 */
export type JsonSchema = Record<string, unknown>;

export function deviceJsonSchema(): JsonSchema {
  const schema = toJson(deviceConfigSchema);
  const local = toJson(localRouterConfigSchema('the device realm'));
  const properties = schema['properties'] as Record<string, JsonSchema>;
  const description = properties['local_router']?.['description'];
  delete local['$schema'];
  properties['local_router'] = { ...local, description };
  return {
    $schema: schema['$schema'],
    title: 'switchyard device config',
    description: 'A device: its sensors and actuators, the routers it reports to, and its embedded router (switchyard device FILE).',
    ...withoutSchema(schema),
  };
}

export function routerJsonSchema(): JsonSchema {
  const schema = toJson(routerConfigSchema);
  return {
    $schema: schema['$schema'],
    title: 'switchyard router config',
    description: 'The router alone: listeners, realms, users, roles and limits (switchyard router --config FILE).',
    ...withoutSchema(schema),
  };
}

/** Input types: what a person writes in the file (`10s` for a duration, not milliseconds). */
function toJson(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    io: 'input',
    override: (context) => {
      const fallback = writtenDefault(context.zodSchema);
      if (fallback !== undefined) context.jsonSchema.default = fallback;
    },
  }) as JsonSchema;
}

function withoutSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** The text written to the .schema.json files. */
export function schemaFileText(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

// {{banner}}
/**
 * `{{className}}`: {{description}}. `SparkleConnection` owns the shared behaviour (validated
 * config, redaction, health tiers, lineage, cleanup); this class adds this system's schema,
 * endpoints and driver glue.
 */
import { z } from 'zod';
import { HealthSkip, {{#driver}}MissingDriverError, {{/driver}}secret, SparkleConnection, type Endpoint } from '@sparkle/core';

/** Config of the `{{type}}` connection. TODO: the real fields; mark secrets with `secret()`. */
export const {{schemaName}} = z.looseObject({
  host: z.string().optional(),
  port: z.coerce.number().int().positive(){{portModifier}},
  user: z.string().optional(),
  password: secret(z.string()).optional(),
});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: {{testConfigInlineTs}} });
 * console.log(await conn.test());
 * ```
 */
export class {{className}} extends SparkleConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';

  /** What the network tier of `check()` must reach. */
  protected override endpoints(): Endpoint[] {
    const { host, port } = this.config;
    return host && port ? [{ host, port }] : [];
  }

  /** TODO: log in with the driver and return what was checked. */
  protected override async checkAuth(_signal: AbortSignal): Promise<HealthSkip | string> {
{{#driver}}
    try {
      await import('{{driver}}');
    } catch (cause) {
      throw new MissingDriverError(this.type, '{{driver}}', cause);
    }
{{/driver}}
    return new HealthSkip('authentication check not implemented yet');
  }
}

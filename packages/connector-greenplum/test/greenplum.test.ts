/**
 * Greenplum speaks the PostgreSQL wire protocol: the conformance suite runs against the real
 * PostgreSQL server (127.0.0.1:5432, or PGlite when none answers) and against PGlite.
 * No Greenplum cluster runs here; what is Greenplum's own is checked as SQL and Spark options.
 */
import { describe, expect, it } from 'vitest';
import { findPostgres, startPglite, testConnector } from '@sparkle/testkit';
import { getConnection } from '@sparkle/core';
import { Field, Schema, Int32, Utf8 } from 'apache-arrow';
import { GREENPLUM_DRIVER, GreenplumConnection } from '../src/index.js';

const capabilities = { read: true, write: true, query: true, discover: true, spark: true, health: true };
const common = {
  type: 'greenplum',
  connectionClass: GreenplumConnection,
  validConfig: {
    url: 'jdbc:postgresql://gp-master:5432/warehouse',
    user: 'gpadmin',
    password: 'gp-Never-Printed-77',
    properties: { fetchsize: '10000' },
  },
  invalidConfigs: [
    { name: 'a non-JDBC url', config: { url: 'postgres://gp:5432/db' }, path: 'url' },
    { name: 'an unknown distribution', config: { host: 'gp', distributedBy: 'HASHED' }, path: 'distributedBy' },
  ],
  secretFields: ['password'],
  capabilities,
  unreachableConfig: { url: 'jdbc:postgresql://127.0.0.1:1/test', user: 'postgres', password: 'gp-Never-Printed-77' },
  failTimeoutMs: 3000,
};

testConnector({ ...common, service: findPostgres, serviceRequired: true, tablePrefix: 'sparkle_gp_server' });
testConnector({ ...common, service: startPglite, tablePrefix: 'sparkle_gp_pglite' });

describe('greenplum specifics', () => {
  const schema = new Schema([new Field('id', new Int32(), false), new Field('name', new Utf8(), true)]);

  it('uses the PostgreSQL driver and URL by default, with the postgres lineage scheme', async () => {
    const gp = await getConnection('greenplum', { config: { host: 'gp-master', database: 'dw', user: 'gpadmin' } });
    expect(gp).toBeInstanceOf(GreenplumConnection);
    const spec = (gp as GreenplumConnection).sparkRead('public.sales', {});
    expect(spec.options).toMatchObject({ url: 'jdbc:postgresql://gp-master:5432/dw', driver: 'org.postgresql.Driver', dbtable: '"public"."sales"' });
    expect((gp as GreenplumConnection).dataset('public.sales').namespace).toBe('postgres://gp-master:5432');
    await gp.close();
  });

  it('builds the Greenplum JDBC driver URL when that driver is chosen', async () => {
    const gp = new GreenplumConnection({ type: 'greenplum', config: { host: 'gp-master', database: 'dw', driver: GREENPLUM_DRIVER } });
    expect(gp.jdbcUrl()).toBe('jdbc:pivotal:greenplum://gp-master:5432;DatabaseName=dw');
    expect(gp.sparkWrite('t', {}).options).toMatchObject({ driver: GREENPLUM_DRIVER, url: 'jdbc:pivotal:greenplum://gp-master:5432;DatabaseName=dw' });
    await gp.close();
  });

  it('adds the distribution clause to the tables it creates', async () => {
    const make = (distributedBy?: unknown) => new GreenplumConnection({ type: 'greenplum', config: { host: 'gp', ...(distributedBy ? { distributedBy } : {}) } });
    expect(make().createTableSql('"t"', schema)).toBe('CREATE TABLE "t" ("id" INTEGER NOT NULL, "name" TEXT)');
    expect(make(['id', 'we"ird']).createTableSql('"t"', schema)).toMatch(/\) DISTRIBUTED BY \("id", "we""ird"\)$/);
    expect(make('RANDOMLY').createTableSql('"t"', schema)).toMatch(/\) DISTRIBUTED RANDOMLY$/);
    expect(make('REPLICATED').createTableSql('"t"', schema)).toMatch(/\) DISTRIBUTED REPLICATED$/);
  });
});

import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { getConnection } from '@sparkle/core';
import { nativeDriverChecks } from '@sparkle/testkit';
import { describeVerticaField, VerticaConnection, verticaDialect, VerticaSession, type VerticaClientLike } from '../src/index.js';

describe('vertica: registration, URLs and Spark mapping', () => {
  it('registers vertica and derives the golden Spark JDBC options', async () => {
    const conn = (await getConnection('vertica', {
      config: { url: 'jdbc:vertica://vertica.internal:5433/analytics?TLSmode=require', user: 'dbadmin', password: 's3cret-pw', sessionInitStatement: "SET SEARCH_PATH TO sales" },
    })) as VerticaConnection;
    expect(conn).toBeInstanceOf(VerticaConnection);
    expect(conn.sparkRead('public.events', { partitionColumn: 'id', lowerBound: 0, upperBound: 10, numPartitions: 2, fetchSize: 50000 })).toEqual({
      format: 'jdbc',
      options: {
        url: 'jdbc:vertica://vertica.internal:5433/analytics?TLSmode=require',
        driver: 'com.vertica.jdbc.Driver',
        user: 'dbadmin',
        password: 's3cret-pw',
        sessionInitStatement: 'SET SEARCH_PATH TO sales',
        dbtable: '"public"."events"',
        fetchsize: '50000',
        partitionColumn: '"id"',
        lowerBound: '0',
        upperBound: '10',
        numPartitions: '2',
      },
      predicates: undefined,
      secretOptions: ['password'],
    });
    const write = conn.sparkWrite('events"copy', { mode: 'overwrite', batchSize: 100000 });
    expect(write.options).toEqual({
      url: 'jdbc:vertica://vertica.internal:5433/analytics?TLSmode=require',
      driver: 'com.vertica.jdbc.Driver',
      user: 'dbadmin',
      password: 's3cret-pw',
      sessionInitStatement: 'SET SEARCH_PATH TO sales',
      dbtable: '"events""copy"',
      batchsize: '100000',
    });
    expect(Object.entries(write.options).filter(([, v]) => v === 's3cret-pw').map(([k]) => k)).toEqual(['password']);
    expect(conn.driverOptions()).toMatchObject({ host: 'vertica.internal', port: 5433, database: 'analytics', tls_mode: 'require' });
    expect(conn.dataset('public.events')).toEqual({ namespace: 'vertica://vertica.internal:5433', name: 'analytics.public.events' });
    expect(new VerticaConnection({ type: 'vertica', config: { host: 'h', database: 'db' } }).jdbcUrl()).toBe('jdbc:vertica://h:5433/db');
    expect(String(conn)).not.toContain('s3cret-pw');
  });

  it('swaps both tables in one multi-table RENAME statement', () => {
    const [rename, drop] = verticaDialect.swapTables(['public', 'events'], ['public', 'events_stg']);
    expect(rename).toMatch(/^ALTER TABLE "public"."events", "public"."events_stg" RENAME TO "events_old_[0-9a-f]+", "events"$/);
    expect(drop).toMatch(/^DROP TABLE "public"."events_old_[0-9a-f]+"$/);
  });

  it('decodes NUMERIC precision and scale from the type modifier', () => {
    expect(describeVerticaField({ name: 'amount', dataTypeID: 16, dataTypeModifier: ((12 << 16) | 2) + 4 })).toEqual({ name: 'amount', typeName: 'NUMERIC', precision: 12, scale: 2 });
    expect(describeVerticaField({ name: 'id', dataTypeID: 6 }).typeName).toBe('BIGINT');
  });

  it('streams COPY FROM LOCAL STDIN text that keeps NULL, empty strings and escapes apart', async () => {
    const sent: Array<{ text: string; data?: string }> = [];
    const client: VerticaClientLike = {
      async connect() {},
      async end() {},
      async query(config) {
        let data: string | undefined;
        if (config.copyStream) {
          data = '';
          for await (const chunk of config.copyStream as Readable) data += String(chunk);
        }
        sent.push({ text: config.text, data });
        return { rows: [], fields: [], rowCount: 0 };
      },
    };
    const t = tableFromArrays({ id: Int32Array.from([1, 2, 3]), note: ['tab\there "q" \\ end', '', null as unknown as string] });
    const result = await new VerticaSession(client).bulkInsert('"public"."t"', t.schema, (async function* () {
      yield* t.batches;
    })(), { signal: new AbortController().signal, onRows: () => undefined });
    expect(result.rows).toBe(3);
    expect(sent[0]!.text).toBe(`COPY "public"."t" ("id", "note") FROM LOCAL STDIN DELIMITER E'\\t' ENCLOSED BY '"' ESCAPE AS E'\\\\' NULL '' RECORD TERMINATOR E'\\n' ABORT ON ERROR NO COMMIT`);
    expect(sent[0]!.data).toBe('"1"\t"tab\\\there \\"q\\" \\\\ end"\n"2"\t""\n"3"\t\n');
  });

});

nativeDriverChecks({ type: 'vertica', connectionClass: VerticaConnection, driverPackage: 'vertica-nodejs', product: 'Vertica', config: { database: 'db', user: 'dbadmin' } });

/** The `hbase` connection's config (validated with zod; the password is a secret). */
import { z } from 'zod';
import { secret } from '@sparkle/core';

/** HBase qualifier characters for namespaces and tables (what HBase itself accepts, minus ':'). */
export const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
const FAMILY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

const cellType = z.enum(['utf8', 'int64', 'double', 'binary']);

/** One declared column: the cell it lives in and its value type. */
const declaredColumn = z.strictObject({
  /** `family:qualifier`. */
  column: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}:[^\s]{1,200}$/, "'family:qualifier'"),
  type: cellType,
});

/** A table with declared columns: typed cells instead of JSON documents. */
const declaredTable = z.strictObject({
  /** How the row key's bytes read: `utf8` text (default), an `int64`, or `binary`. */
  rowKey: z.enum(['utf8', 'int64', 'binary']).default('utf8'),
  /** Field name → cell and type. */
  columns: z.record(z.string().min(1), declaredColumn),
});

export const hbaseConfigSchema = z
  .looseObject({
    /** The REST gateway, `http(s)://host:port` (path prefix allowed, e.g. behind a proxy). https uses the system CAs (add a private one with NODE_EXTRA_CA_CERTS). */
    url: z.string().regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL of the HBase REST gateway').default('http://localhost:8080'),
    /** HBase namespace whose tables are the collections. */
    namespace: z.string().regex(NAME, 'an HBase namespace name (letters, digits, _ . -)').default('default'),
    /** `none`, or `basic` (a gateway behind a proxy that checks HTTP basic auth). Kerberos/SPNEGO is refused. */
    auth: z.enum(['none', 'basic', 'kerberos']).optional(),
    user: z.string().min(1).optional(),
    password: secret(z.string()).optional(),
    /** The column family documents are stored in (one cell per top-level field). */
    family: z.string().regex(FAMILY, 'an HBase column family name').default('d'),
    /** The document field that is the row key. */
    keyField: z.string().min(1).default('_id'),
    /** Tables with declared, typed columns (read and written per their types). */
    tables: z.record(z.string().regex(NAME), declaredTable).default({}),
    /** Cells per scanner round trip (the scanner's `batch`): what bounds a read's memory. */
    scanBatch: z.coerce.number().int().positive().max(100_000).default(1000),
    /** Rows per multi-row put. */
    batchSize: z.coerce.number().int().positive().max(10_000).default(500),
    /** Puts in flight at once. */
    writeConcurrency: z.coerce.number().int().positive().max(64).default(4),
    /** Per-request timeout. */
    timeoutMs: z.coerce.number().int().positive().default(30_000),
  })
  .refine((c) => c.auth !== 'kerberos', {
    path: ['auth'],
    message:
      "Kerberos (SPNEGO) is not supported by this connector: Node has no maintained SPNEGO client. Put the REST gateway behind a proxy that checks basic auth (auth: 'basic'), or use Spark's hbase-spark with a keytab",
  })
  .refine((c) => (c.auth === 'basic') === (c.user !== undefined && c.password !== undefined) || (c.auth === undefined && (c.user === undefined) === (c.password === undefined)), {
    path: ['auth'],
    message: "basic auth needs both 'user' and 'password' (and auth: 'basic' needs them)",
  });

export type HBaseConfig = z.output<typeof hbaseConfigSchema>;
export type DeclaredTable = HBaseConfig['tables'][string];

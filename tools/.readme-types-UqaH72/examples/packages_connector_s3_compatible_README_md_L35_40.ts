import { getConnection } from '@sparkle/core';
import type { S3CompatibleConnection } from '@sparkle/connector-s3-compatible';
import '@sparkle/connector-s3-compatible';

await using store = await getConnection<S3CompatibleConnection>('minio', {
  config: { endpoint: 'http://127.0.0.1:9000', bucket: 'lake', accessKeyId: 'minio', secretAccessKey: 'minio-secret' },
});
await store.writeTable([{ id: 1 }], 'raw/ids.parquet', { mode: 'overwrite' });
const frame = await store.readTable('raw/*.parquet');
console.log(frame);
export {};

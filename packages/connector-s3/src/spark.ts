/**
 * The Hadoop S3A options Spark needs to reach the same bucket as the connection: endpoint, path
 * style, plain-HTTP flag and region for S3-compatible servers, and the credentials provider with
 * its keys. Spark file sources copy data source options into the Hadoop configuration of the
 * read or write, so these travel with each DataFrame read/write rather than as server config.
 */
import type { SparkHadoopOptions } from '@sparkle/core';
import { credentialSource } from './client.js';
import type { S3Config } from './config.js';

/** Hadoop S3A credential providers (class names as hadoop-aws ships them). */
export const S3A_PROVIDERS = {
  simple: 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
  temporary: 'org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider',
  anonymous: 'org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider',
} as const;

/**
 * `fs.s3a.*` options for a config; secret ones (`fs.s3a.secret.key`, `fs.s3a.session.token`)
 * are listed in `secretOptions` so plans and logs print them redacted. A profile or the default
 * chain sets no provider: S3A's own default chain (environment, instance/container role, web
 * identity) runs on the Spark cluster, whose identity is its own.
 *
 * @example
 * ```ts
 * s3aHadoopOptions({ bucket: 'lake', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, accessKeyId: 'k', secretAccessKey: 's', ... });
 * // { options: { 'fs.s3a.endpoint': 'http://127.0.0.1:9000', 'fs.s3a.path.style.access': 'true', 'fs.s3a.connection.ssl.enabled': 'false', ... }, secretOptions: ['fs.s3a.secret.key'] }
 * ```
 */
export function s3aHadoopOptions(config: S3Config): SparkHadoopOptions {
  const options: Record<string, string> = {};
  const secretOptions: string[] = [];
  if (config.endpoint) {
    options['fs.s3a.endpoint'] = config.endpoint;
    options['fs.s3a.connection.ssl.enabled'] = String(new URL(config.endpoint).protocol === 'https:');
  }
  if (config.forcePathStyle !== undefined) options['fs.s3a.path.style.access'] = String(config.forcePathStyle);
  if (config.region) options['fs.s3a.endpoint.region'] = config.region;
  switch (credentialSource(config)) {
    case 'static':
      options['fs.s3a.access.key'] = config.accessKeyId!;
      options['fs.s3a.secret.key'] = config.secretAccessKey!;
      secretOptions.push('fs.s3a.secret.key');
      if (config.sessionToken) {
        options['fs.s3a.session.token'] = config.sessionToken;
        options['fs.s3a.aws.credentials.provider'] = S3A_PROVIDERS.temporary;
        secretOptions.push('fs.s3a.session.token');
      } else {
        options['fs.s3a.aws.credentials.provider'] = S3A_PROVIDERS.simple;
      }
      break;
    case 'anonymous':
      options['fs.s3a.aws.credentials.provider'] = S3A_PROVIDERS.anonymous;
      break;
    case 'profile':
    case 'default-chain':
      break;
  }
  return { options, secretOptions };
}

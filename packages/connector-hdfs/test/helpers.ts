/** Test helpers: configs for the real HDFS minicluster (SPARKLE_TEST_HDFS_URL, set by the global setup). */
import type { ServiceResult } from '@sparkle/testkit';

export const webhdfs = (): string => {
  const url = process.env.SPARKLE_TEST_HDFS_URL;
  if (!url) throw new Error('SPARKLE_TEST_HDFS_URL is not set: the global setup did not start HDFS');
  return url;
};

/** A fresh directory under /sparkle (world-writable, made by ensure-hdfs.sh) for one test file. */
export function hdfsConfig(label: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { namenodes: [webhdfs()], path: `/sparkle/${label}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`, user: 'sparkle', maxRetries: 1, ...extra };
}

/** The suites' `service`. */
export function hdfsService(label: string, extra: Record<string, unknown> = {}): () => Promise<ServiceResult> {
  return async () => ({ config: hdfsConfig(label, extra) });
}

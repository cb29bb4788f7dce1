/** The config of the real HBase REST gateway the global setup started (tools/services/ensure-hbase.sh). */
export function liveConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { url: process.env.SPARKLE_TEST_HBASE_URL ?? 'http://127.0.0.1:8070', ...extra };
}

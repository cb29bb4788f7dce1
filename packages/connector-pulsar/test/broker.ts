/** The test broker's addresses and token (printed by tools/services/ensure-pulsar.sh, set by the global setup). */
export const webServiceUrl = process.env.SPARKLE_TEST_PULSAR_WEB_URL ?? 'http://127.0.0.1:8090';
export const serviceUrl = process.env.SPARKLE_TEST_PULSAR_SERVICE_URL ?? 'pulsar://127.0.0.1:6650';
export const token = process.env.SPARKLE_TEST_PULSAR_TOKEN ?? '';
/** The config of the test broker. */
export const brokerConfig = { webServiceUrl, serviceUrl, token };
/** A topic name no other test (or earlier run against the same broker) uses. */
export const uniqueTopic = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

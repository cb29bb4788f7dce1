/** The test broker's addresses (printed by tools/services/ensure-kafka.sh, set by the global setup). */
export const brokers = process.env.SPARKLE_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';
export const saslBrokers = process.env.SPARKLE_TEST_KAFKA_SASL_BROKERS ?? '127.0.0.1:9094';
export const saslUser = process.env.SPARKLE_TEST_KAFKA_SASL_USER ?? 'sparkle';
export const saslPassword = process.env.SPARKLE_TEST_KAFKA_SASL_PASSWORD ?? 'sparkle-secret';
/** A topic name no other test (or earlier run against the same broker) uses. */
export const uniqueTopic = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

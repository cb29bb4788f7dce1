/** Finds or starts the real Spark Connect server (with Spark's Kafka source on its classpath) for the Spark suite. */
import { sparkGlobalSetup } from '@sparkle/testkit';

export default sparkGlobalSetup;

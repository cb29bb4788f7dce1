/** Finds or starts the real Spark Connect server (with the MongoDB Spark connector on its classpath) for the Spark suite. */
import { sparkGlobalSetup } from '@sparkle/testkit';

export default sparkGlobalSetup;

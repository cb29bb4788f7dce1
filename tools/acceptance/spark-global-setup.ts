/** Finds or starts the real Spark Connect server for the acceptance suites (see @sparkle/testkit sparkGlobalSetup). */
import { sparkGlobalSetup } from '@sparkle/testkit';

export default sparkGlobalSetup;

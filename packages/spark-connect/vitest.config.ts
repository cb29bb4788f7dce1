import { packageTests } from '../../vitest.shared.ts';

// The live suite runs against a real Spark Connect server the global setup finds or starts.
export default packageTests({ globalSetup: ['test/spark-global-setup.ts'] });

import { packageTests } from '../../vitest.shared.ts';

// FerretDB (the MongoDB wire-protocol server) serves every file; the real Spark Connect server
// (tools/services/ensure-spark-connect.sh, which puts the MongoDB Spark connector on its
// classpath) serves spark-live.test.ts; without one that suite skips and says why.
export default packageTests({ globalSetup: ['test/global-setup.ts', 'test/spark-global-setup.ts'] });

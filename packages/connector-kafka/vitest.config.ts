// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { packageTests } from '../../vitest.shared.ts';

// One broker serves every file: run the files one after another, so consumer-group joins and
// rebalances of one file never wait on a CPU shared with another file's (2-core CI machines).
// The real Spark Connect server (tools/services/ensure-spark-connect.sh, which puts Spark's Kafka
// source on its classpath) serves spark-live.test.ts; without one that suite skips and says why.
export default packageTests({ globalSetup: ['test/global-setup.ts', 'test/spark-global-setup.ts'], fileParallelism: false });

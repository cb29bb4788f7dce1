import { packageTests } from '../vitest.shared.ts';

export default packageTests({
  include: ['generators/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'acceptance/test/**/*.test.ts'],
  passWithNoTests: true,
  // The acceptance suites that go through Spark need a real Spark Connect server.
  globalSetup: ['acceptance/spark-global-setup.ts'],
});

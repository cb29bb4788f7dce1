// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { packageTests } from '../../vitest.shared.ts';

// One standalone broker serves every file (tools/services/ensure-pulsar.sh); files run one after
// another so their subscriptions never wait on a CPU shared with another file's.
export default packageTests({ globalSetup: ['test/global-setup.ts'], fileParallelism: false });

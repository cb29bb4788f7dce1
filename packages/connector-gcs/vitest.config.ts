import { packageTests } from '../../vitest.shared.ts';

// fake-gcs-server is started once per run by tools/services/ensure-fake-gcs.sh.
export default packageTests({ globalSetup: ['test/global-setup.ts'] });

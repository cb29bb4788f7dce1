import { packageTests } from '../../vitest.shared.ts';

// Azurite (the real Blob API) is started once for every test file: tools/services/ensure-azurite.sh.
export default packageTests({ globalSetup: ['test/global-setup.ts'] });

import { packageTests } from '../../vitest.shared.ts';

// The CAP (SAP's own OData framework) test service starts once per run, in-memory, on a random port.
export default packageTests({ globalSetup: ['./test/cap-service.ts'] });

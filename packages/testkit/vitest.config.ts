import { packageTests } from '../../vitest.shared.ts';

// The real Redis (tools/services/ensure-redis.sh) for test/redis-service.test.ts.
export default packageTests({ globalSetup: ['test/global-setup.ts'] });

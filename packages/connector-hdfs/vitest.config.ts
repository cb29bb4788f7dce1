import { packageTests } from '../../vitest.shared.ts';

// A real NameNode + DataNode is started once per run by tools/services/ensure-hdfs.sh.
export default packageTests({ globalSetup: ['test/global-setup.ts'] });

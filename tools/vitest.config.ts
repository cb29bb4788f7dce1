import { packageTests } from '../vitest.shared.ts';

export default packageTests({ include: ['generators/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'acceptance/test/**/*.test.ts'], passWithNoTests: true });

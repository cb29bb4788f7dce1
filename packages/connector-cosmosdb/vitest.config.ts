// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { packageTests } from '../../vitest.shared.ts';

export default packageTests();

import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.ts';

// The library entry and the executable (bin.ts keeps its shebang; tsup marks it executable).
export default defineConfig(packageBuild(['src/index.ts', 'src/bin.ts']));

// Types of tools/scripts/sync-workspace.mjs for the TypeScript that imports it (generator, tests).
export function connectorMetaSource(pkg: { name: string; sparkle: Record<string, unknown> }, dir: string): string;
export function coreVersionSource(version: string): string;
export function derivedFiles(root: string): Array<[path: string, content: string]>;
export function syncWorkspace(root: string, options?: { check?: boolean }): string[];

// Types of tools/scripts/sync-workspace.mjs for the TypeScript that imports it (generator, tests).
export const NODE_ENGINES: string;
export const ESM_ENTRY: { types: string; default: string };
export const LINT_SCRIPT: string;
export function normalizeCommon<T extends Record<string, unknown>>(pkg: T): T;
export function normalizePublished<T extends Record<string, unknown>>(pkg: T): T;
export function connectorMetaSource(pkg: { name: string; sparkle: Record<string, unknown> }, dir: string): string;
export function coreVersionSource(version: string): string;
export function syncWorkspace(root: string, options?: { check?: boolean }): Array<{ file: string; next: string }>;

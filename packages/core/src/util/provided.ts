/**
 * Provided implementations: the one mechanism by which core finds code it describes but does not
 * depend on — the local Arrow engine (`@sparkle/engine-local`), the file formats
 * (`@sparkle/formats`). Each lives in a slot on a `Symbol.for` key of `globalThis`, so every
 * installed copy of core (ESM and CJS, two minor versions) shares it. A slot holds a value, or a
 * loader that a package which *does* depend on the implementation offered on import (pnpm's
 * strict layout gives core no access to packages it does not list, so core's own `import()` is
 * only the last resort).
 */
import { MissingDriverError } from '../errors.js';

/** What a slot is called and where its default implementation lives. */
export interface ProvidedSlotSpec {
  /** `Symbol.for` key of the slot, e.g. `sparkle.local-engine`. */
  key: string;
  /** What the implementation is, for the missing-package error ("local engine"). */
  what: string;
  /** The package core imports as a last resort. */
  packageName: string;
  /** The export of that package holding the implementation. */
  exportName: string;
}

/** A slot for one provided implementation. */
export interface ProvidedSlot<T> {
  /** Sets the implementation (or a loader for it), replacing any earlier one. */
  set(value: T | (() => Promise<T>)): void;
  /** Offers a loader unless an implementation or loader is already set. */
  provide(loader: () => Promise<T>): void;
  /** True when an implementation or a loader is set. */
  has(): boolean;
  /** The implementation: the one set, the loader's, or the default package's export. */
  get(): Promise<T>;
}

interface SlotState<T> {
  value?: T;
  loader?: () => Promise<T>;
}

/**
 * Creates (or joins) the slot named by `spec.key`.
 * @example
 * ```ts
 * const formatsSlot = providedSlot<FileFormats>({ key: 'sparkle.file-formats', what: 'file formats',
 *   packageName: '@sparkle/formats', exportName: 'fileFormats' });
 * formatsSlot.provide(() => import('@sparkle/formats').then((m) => m.fileFormats));
 * const formats = await formatsSlot.get();
 * ```
 */
export function providedSlot<T>(spec: ProvidedSlotSpec): ProvidedSlot<T> {
  const symbol = Symbol.for(spec.key);
  const state = (): SlotState<T> => {
    const g = globalThis as Record<symbol, unknown>;
    if (!g[symbol]) g[symbol] = {};
    return g[symbol] as SlotState<T>;
  };
  return {
    set(value) {
      const slot = state();
      if (typeof value === 'function') {
        slot.loader = value as () => Promise<T>;
        delete slot.value;
      } else {
        slot.value = value;
      }
    },
    provide(loader) {
      const slot = state();
      if (slot.value === undefined && !slot.loader) slot.loader = loader;
    },
    has() {
      const slot = state();
      return slot.value !== undefined || Boolean(slot.loader);
    },
    async get() {
      const slot = state();
      if (slot.value !== undefined) return slot.value;
      if (slot.loader) {
        slot.value = await slot.loader();
        return slot.value;
      }
      try {
        const specifier = spec.packageName;
        const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
        const value = mod[spec.exportName] as T | undefined;
        if (value === undefined) throw new Error(`${spec.packageName} does not export ${spec.exportName}`);
        slot.value = value;
        return value;
      } catch (cause) {
        throw new MissingDriverError(spec.what, spec.packageName, cause);
      }
    },
  };
}

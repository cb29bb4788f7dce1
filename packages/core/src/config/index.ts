/** The config loader: files, interpolation, `.env`, validation and provenance (DESIGN.md §2). */
export { loadConfig, loadConfigSync, findUnsetVariables } from './loader.js';
export { validateConfig, formatZodIssues, describeZodIssues, type ConfigIssue, type ValidateContext } from './validate.js';
export { describeProvenance, type ProvenanceRow } from './provenance.js';
export { listConfigEnvs, listConfiguredTypes, resolveConfigRoot, connectionsDirOf } from './discover.js';
export { parseDotenv } from './dotenv.js';
export { interpolateString, type VariableLookup, type VariableValue, type InterpolationResult } from './interpolate.js';
export { deepMerge } from './merge.js';
export { scanJsonStructure, MAX_CONFIG_DEPTH, type DuplicateJsonKey } from './json.js';

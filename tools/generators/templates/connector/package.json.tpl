{
  "name": "@sparkle/connector-{{slug}}",
  "version": "0.1.0",
  "description": "{{description}}",
  "license": "Apache-2.0",
  "type": "module",
  "repository": {
    "type": "git",
    "url": "git+https://github.com/sparkle-data/sparkle.git",
    "directory": "packages/connector-{{slug}}"
  },
  "keywords": {{keywordsJson}},
  "engines": {
    "node": ">=22.12"
  },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "files": [
    "dist",
    "README.md",
    "LICENSE"
  ],
  "sideEffects": [
    "./dist/index.js"
  ],
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "lint": "node ../../tools/scripts/typecheck-all.mjs --emit-declarations --projects=. && node ../../tools/scripts/lint-all.mjs --projects=."
  },
  "dependencies": {{dependenciesJson}},
  "devDependencies": {{devDependenciesJson}},
  "sparkle": {
    "type": "{{type}}",
    "aliases": {{aliasesJson}},
    "family": "{{family}}",
    "core": "^0.1.0"
  },
  "publishConfig": {
    "access": "public"
  }
}

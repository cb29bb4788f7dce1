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
    "node": ">=20.19"
  },
  "main": "./dist/index.cjs",
  "module": "./dist/index.js",
  "types": "./dist/index.d.cts",
  "exports": {
    ".": {
      "import": {
        "types": "./dist/index.d.ts",
        "default": "./dist/index.js"
      },
      "require": {
        "types": "./dist/index.d.cts",
        "default": "./dist/index.cjs"
      }
    },
    "./package.json": "./package.json"
  },
  "files": [
    "dist",
    "README.md"
  ],
  "sideEffects": [
    "./dist/index.js",
    "./dist/index.cjs"
  ],
  "scripts": {
    "build": "tsup",
    "test": "vitest run",
    "typecheck": "tsc --noEmit -p tsconfig.json",
    "lint": "publint --strict && attw --pack . --profile node16"
  },
  "dependencies": {{dependenciesJson}},
  "devDependencies": {
    "@sparkle/testkit": "workspace:^"
  },
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

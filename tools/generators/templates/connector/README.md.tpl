<!-- {{banner}} -->
# @sparkle/connector-{{slug}}

{{description}} for Sparkle: the `{{type}}` connection type{{aliasesSentence}}, {{family}} family.

```bash
pnpm add @sparkle/core @sparkle/connector-{{slug}}
```

## Config

`config/connections/{{type}}/common.json` deep-merged with `<env>.json`; secrets come from the
environment with `${VAR}`:

```json
{{readmeConfigJson}}
```

## Example

```ts
import { getConnection } from '@sparkle/core';
import '@sparkle/connector-{{slug}}'; // optional: installed connectors are discovered

await using conn = await getConnection('{{type}}', { env: 'dev' });
console.log(await conn.test());
```

Or from the command line: `sparkle test {{type}} --env dev`, `sparkle config show {{type}}`.

## Driver

{{driverSection}}

## Tested against

The shared conformance suite (`testConnector` from `@sparkle/testkit`): registration and
aliases, schema, redaction, lineage, health check. TODO: name the real server (or the
in-process fake of its protocol) the read/write tests run against.

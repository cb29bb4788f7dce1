import { getConnection } from '@sparkle/core';
import '@sparkle/connector-slack';
import type { SlackConnection } from '@sparkle/connector-slack';

await using slack = await getConnection<SlackConnection>('slack', { env: 'prod' });
const parent = await slack.send({ subject: 'Nightly load', text: '1,204 rows loaded' });
await slack.send({
  text: 'per table',
  payload: { thread_ts: parent.id, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*orders*: 1,204' } }] },
});
export {};

import { getConnection } from '@sparkle/core';
import '@sparkle/connector-smtp';
import type { SmtpConnection } from '@sparkle/connector-smtp';

await using mail = await getConnection<SmtpConnection>('email', { env: 'prod' });
const result = await mail.send({
  subject: 'Nightly load done',
  text: '1,204 rows loaded',
  html: '<p><b>1,204</b> rows loaded</p>',
  attachments: [{ filename: 'report.csv', content: 'table,rows\norders,1204\n', contentType: 'text/csv' }],
});
console.log(result.accepted, result.rejected); // e.g. 1, undefined
export {};

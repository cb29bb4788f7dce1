import { getConnection } from '@sparkle/core';
{
  await using conn = await getConnection('postgres', { env: 'prod' });
  const frame = await conn.readTable('customers');
} // closed here, even on error
export {};

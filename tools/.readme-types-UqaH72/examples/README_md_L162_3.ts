import { getConnection } from '@sparkle/core';
const conn = await getConnection('postgres', {
  config: { url: 'jdbc:postgresql://localhost:5432/test', user: 'test', password: 'test' },
});
export {};

import { getConnection, where } from '@sparkle/core';
import '@sparkle/connector-ldap';
import type { LdapConnection } from '@sparkle/connector-ldap';

await using ldap = await getConnection<LdapConnection>('ldap', { env: 'prod' });
const uid = 'ada)(uid=*'; // user input stays data: this finds nobody instead of everybody
for await (const person of ldap.searchDirectory({ base: 'ou=people,dc=example,dc=com', filter: where.eq('uid', uid) })) {
  console.log(person.dn, person.attributes.mail);
}
const people = await ldap.readTable('ou=people,dc=example,dc=com', {
  columns: ['dn', 'cn', 'mail'],
  options: { filter: JSON.stringify(where.eq('objectClass', 'person')), scope: 'one' },
});
export {};

import { getConnection, where } from '@sparkle/core';
import type { Neo4jConnection } from '@sparkle/connector-neo4j';

await using graph = await getConnection<Neo4jConnection>('neo4j', { env: 'prod' });
const adults = await graph.readTable('Person', { filter: where.gte('age', 18), columns: ['_id', 'name'], numPartitions: 4 });
for await (const row of graph.findDocuments('Person', {
  native: { cypher: 'MATCH (p:Person {name: $name})-[:KNOWS]->(f) RETURN f.name AS friend', params: { name: 'Ada' } },
})) {
  console.log(row.friend);
}
await graph.upsertDocuments('Person', [{ _id: 7, name: 'Grace', address: { city: 'Arlington' } }]);
void adults;
export {};

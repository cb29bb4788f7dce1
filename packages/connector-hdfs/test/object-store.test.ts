/**
 * testkit's object-store conformance suite against a real HDFS (MiniDFSCluster: one NameNode, one
 * DataNode) over WebHDFS: listing by prefix and glob, ranged reads (OPEN offset/length), a
 * streamed put through the DataNode, create-only puts (rename that refuses), atomic rename,
 * delete, copy, confinement, health, Spark specs, tables through the real file formats (JSON lines
 * and Parquet; CSV's append path is the base's, covered by the GCS and local suites), lineage.
 */
import { testObjectStore } from '@sparkle/testkit';
import '../src/index.js';
import { hdfsService } from './helpers.js';

testObjectStore({ type: 'hdfs', service: hdfsService('suite'), serviceRequired: true });
testObjectStore({ type: 'hdfs', service: hdfsService('suite-pq'), serviceRequired: true, tableExtension: 'parquet' });

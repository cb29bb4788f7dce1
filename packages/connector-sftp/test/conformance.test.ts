/**
 * The shared suites against the real OpenSSH server (tools/services/ensure-sshd.sh): testConnector
 * (registration, schema, redaction, Spark specs, health tiers, table round trips in every save
 * mode) and testObjectStore (list, stat, ranged get, streamed put, create-only put, delete, copy,
 * confined keys, tables through the file formats).
 */
import { testConnector, testObjectStore } from '@sparkle/testkit';
import { SftpConnection } from '../src/index.js';
import { sftpConfig } from './server.js';

testConnector({
  type: 'sftp',
  aliases: [],
  connectionClass: SftpConnection,
  validConfig: {
    host: 'sftp.example.test',
    username: 'etl',
    password: 'sftp-Conformance-Password-Never-Shown',
    hostKeyFingerprint: 'SHA256:ow4g+Qc6X93WqBHg4Q8ugvqRBKYiLatoGkM4t9/oavA',
    root: '/data',
    format: 'csv',
  },
  invalidConfigs: [
    { name: 'no credentials', config: { host: 'h', username: 'u', hostKeyFingerprint: 'SHA256:ow4g+Qc6X93WqBHg4Q8ugvqRBKYiLatoGkM4t9/oavA' }, path: 'password' },
    { name: 'no pinned host key', config: { host: 'h', username: 'u', password: 'p' }, path: 'hostKeyFingerprint' },
    { name: 'a fingerprint in the wrong form', config: { host: 'h', username: 'u', password: 'p', hostKeyFingerprint: 'ab:cd:ef' }, path: 'hostKeyFingerprint' },
    { name: 'a relative root', config: { host: 'h', username: 'u', password: 'p', allowUnknownHostKey: true, root: 'data' }, path: 'root' },
  ],
  secretFields: ['password'],
  sparkSecretOptions: ['spark.hadoop.fs.sftp.password.sftp.example.test.etl'],
  // Object stores split reads by file: a partitionColumn read is checked to be refused, typed.
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true, partitionedRead: false },
  serviceRequired: true,
  async service() {
    return { config: sftpConfig('conformance', { format: 'csv' }) };
  },
  unreachableConfig: { host: '127.0.0.1', port: 1, username: 'u', password: 'p', allowUnknownHostKey: true },
});

testObjectStore({
  type: 'sftp',
  serviceRequired: true,
  async service() {
    return { config: sftpConfig('objects') };
  },
});

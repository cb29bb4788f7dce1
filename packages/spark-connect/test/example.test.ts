import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ExecutePlanRequest } from '../src/gen/spark/connect/base_pb.js';
import { quickstart } from '../examples/quickstart.js';
import { FakeSparkServer } from './fake-spark-server.js';

let server: FakeSparkServer;
beforeEach(async () => {
  server = await new FakeSparkServer().start();
  server.batchRows = 100_000;
});
afterEach(() => server.stop());

it('the README quickstart runs end to end against the fake server', async () => {
  const lines: unknown[][] = [];
  await quickstart(server.url, (...args) => lines.push(args));
  expect(lines[0]).toEqual(['Spark', '4.0.0']);
  expect(lines.find((l) => l[0] === 'streamed rows')).toEqual(['streamed rows', 1_000_000]);
  const kinds = server.calledWith<ExecutePlanRequest>('ExecutePlan').map((r) => r.plan?.opType.case);
  expect(kinds).toEqual(['root', 'root', 'root', 'command', 'root']);
  expect(server.calledWith('ReleaseSession')).toHaveLength(1);
});

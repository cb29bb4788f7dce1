/** Provides the real Redis once, before any test file runs (what a connector package's globalSetup does). */
import { ensureService } from '../src/ensure-service.js';

export default async function setup(): Promise<void> {
  await ensureService('redis');
}

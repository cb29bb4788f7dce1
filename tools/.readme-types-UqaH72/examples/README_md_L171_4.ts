import { ConnectionFactory } from '@sparkle/core';
const available = ConnectionFactory.listAvailable();
console.log(`Available: ${available.length} connection types`);
export {};

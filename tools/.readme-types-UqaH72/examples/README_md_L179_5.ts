import { JDBCConnection, registerConnection, type ConnectionInit } from '@sparkle/core';

@registerConnection('mydb')
class MyDatabaseConnection extends JDBCConnection {
  constructor(init: ConnectionInit) {
    super({ ...init, config: { driver: 'com.mydb.Driver', ...init.config } });
  }
}
// without decorators: registerConnection('mydb', MyDatabaseConnection)
export {};

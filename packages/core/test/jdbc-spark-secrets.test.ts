/**
 * Issue 10 item 15: a secret carried in the JDBC URL never stays in Spark's `url` option
 * unlisted. It moves into its own option (Spark gives every option to the driver), and
 * `secretOptions` names every option that holds a secret.
 */
import { describe, expect, it } from 'vitest';
import { JDBCConnection, sparkSecrets } from '../src/index.js';

class UrlJdbc extends JDBCConnection {}

function conn(config: Record<string, unknown>) {
  return new UrlJdbc({ type: 'urljdbc', config: { driver: 'org.postgresql.Driver', ...config } });
}

describe('Spark options keep secrets out of the url', () => {
  it('moves ?password= out of the url into the password option, listed as secret', () => {
    const c = conn({ url: 'jdbc:postgresql://db:5432/app?ssl=true&password=s3cr3t-in-url&user=app' });
    for (const spec of [c.sparkRead('orders'), c.sparkWrite('orders')]) {
      expect(spec.options.url).toBe('jdbc:postgresql://db:5432/app?ssl=true&user=app');
      expect(spec.options.password).toBe('s3cr3t-in-url');
      expect(spec.secretOptions).toEqual(['password']);
      const publicPart = Object.fromEntries(Object.entries(spec.options).filter(([k]) => !spec.secretOptions.includes(k)));
      expect(JSON.stringify(publicPart)).not.toContain('s3cr3t-in-url');
    }
  });

  it('semicolon-style URLs (SQL Server, Db2) and other secret properties too', () => {
    const { options, secretOptions } = sparkSecrets({ url: 'jdbc:sqlserver://db:1433;databaseName=app;password=pw;encrypt=true', sslpassword: 'k', user: 'app' });
    expect(options.url).toBe('jdbc:sqlserver://db:1433;databaseName=app;encrypt=true');
    expect(options.password).toBe('pw');
    expect(secretOptions.sort()).toEqual(['password', 'sslpassword']);
  });

  it('the configured password wins over the one in the url; user-info marks the url itself', () => {
    const moved = sparkSecrets({ url: 'jdbc:mysql://db/app?password=old', password: 'configured' });
    expect(moved.options).toEqual({ url: 'jdbc:mysql://db/app', password: 'configured' });
    const userinfo = sparkSecrets({ url: 'jdbc:postgresql://app:pw@db/app' });
    expect(userinfo.secretOptions).toEqual(['url']);
  });

  it('a URL without secrets is left exactly as written', () => {
    const url = 'jdbc:postgresql://db:5432/app?ssl=true&sslmode=require';
    expect(sparkSecrets({ url, user: 'app' })).toEqual({ options: { url, user: 'app' }, secretOptions: [] });
  });
});

import { spawnSync } from 'node:child_process';

describe('service start-up', () => {
  it('stops with a message naming each wrong variable and what is allowed', () => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register', 'src/main.ts'], {
      env: { ...process.env, PORT: 'abc', AUTH_MODE: 'kerberos', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration:');
    expect(result.stderr).toContain('PORT must be an integer port number (1-65535) (got "abc")');
    expect(result.stderr).toContain('AUTH_MODE must be one of secret, oidc (got "kerberos")');
  });
});

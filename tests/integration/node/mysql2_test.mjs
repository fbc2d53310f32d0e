// Node's mysql2 driver through the proxy: caching_sha2_password logins over TLS and through the
// RSA exchange (full authentication, then the fast path), and binary prepared statements.
// Run by tests/integration/pymysql_test.py with PROXY_HOST, PROXY_PORT, TLS_CA, SHA2_PASSWORD and
// MYSQL2_NODE_DIR (the folder whose node_modules holds mysql2) set. Exits non-zero on a failure.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const require = createRequire(`${process.env.MYSQL2_NODE_DIR}/`);
const mysql = require('mysql2/promise');

const base = {
  host: process.env.PROXY_HOST,
  port: Number(process.env.PROXY_PORT),
  database: 'proxytest',
  connectTimeout: 10000,
};
const tls = { ca: readFileSync(process.env.TLS_CA), rejectUnauthorized: true };

async function login(user, extra = {}) {
  const conn = await mysql.createConnection({ ...base, user, password: process.env.SHA2_PASSWORD, ...extra });
  try {
    const [rows] = await conn.query('SELECT CURRENT_USER() AS u');
    return rows[0].u;
  } finally {
    await conn.end();
  }
}

const checks = {
  async compressedProtocol() {
    // compress: true makes mysql2 ask for CLIENT_COMPRESS and speak zlib-compressed packets.
    const conn = await mysql.createConnection({ ...base, user: 'app', password: 'app-pass', compress: true });
    try {
      const [rows] = await conn.query("SELECT REPEAT('compressible ', 100000) AS r, 6 * 7 AS n");
      assert.equal(rows[0].r, 'compressible '.repeat(100000));
      assert.equal(rows[0].n, 42);
      const [prepared] = await conn.execute('SELECT ? AS s, LENGTH(?) AS len', ['héllo ✓', 'x'.repeat(70000)]);
      assert.deepEqual(prepared, [{ s: 'héllo ✓', len: 70000 }]);
      await assert.rejects(conn.query('SELEC 1'), (e) => e.errno === 1064);
      const [after] = await conn.query('SELECT 1 AS one');
      assert.deepEqual(after, [{ one: 1 }]);
    } finally {
      await conn.end();
    }
  },
  async sha2OverTls() {
    for (const attempt of ['full', 'fast']) {
      // The proxy has require_tls for this user: getting in at all proves TLS.
      assert.equal(await login('node_sha2_tls', { ssl: tls }), 'node_sha2_tls@%', `${attempt} authentication`);
    }
  },
  async sha2WithRsaExchange() {
    for (const attempt of ['full (RSA)', 'fast']) {
      assert.equal(await login('node_sha2_rsa'), 'node_sha2_rsa@%', `${attempt} authentication`);
    }
  },
  async wrongPasswordIsDenied() {
    await assert.rejects(
      mysql.createConnection({ ...base, user: 'node_sha2_rsa', password: 'wrong' }),
      (e) => e.errno === 1045,
    );
  },
  async binaryPreparedStatements() {
    const conn = await mysql.createConnection({ ...base, user: 'app', password: 'app-pass' });
    try {
      const [rows] = await conn.execute('SELECT ? + 1 AS n, ? AS s, ? AS d, ? AS nothing',
        [41, 'héllo ✓', 2.5, null]);
      assert.deepEqual(rows, [{ n: 42, s: 'héllo ✓', d: 2.5, nothing: null }]);
      const [seq] = await conn.execute('SELECT seq FROM seq_1_to_1000 WHERE seq > ?', [990]);
      assert.equal(seq.length, 10);
    } finally {
      await conn.end();
    }
  },
};

let failed = 0;
for (const [name, check] of Object.entries(checks)) {
  try {
    await check();
    console.log(`PASS: ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL: ${name}: ${e.stack || e}`);
    console.error(`FAIL: ${name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);

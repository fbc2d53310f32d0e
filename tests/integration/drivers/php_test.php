<?php
// PHP's mysqli and PDO_mysql (both on mysqlnd) through the proxy. Started by run.sh, which sets the
// DRIVER_* environment it describes; prints one PASS/FAIL line per check and "N passed, N failed",
// and exits non-zero on a failure.

declare(strict_types=1);

$HOST = getenv('DRIVER_HOST');
$PORT = (int) getenv('DRIVER_PORT');
$DIRECT = getenv('DRIVER_DIRECT') === '1';
$PASSWORD = getenv('DRIVER_PASSWORD');
$PRIMARY_PORT = (int) getenv('DRIVER_PRIMARY_PORT');
$REPLICA_PORTS = array_map('intval', explode(',', getenv('DRIVER_REPLICA_PORTS')));
sort($REPLICA_PORTS);
$TLS_CA = getenv('DRIVER_TLS_CA');
$OTHER_CA = getenv('DRIVER_OTHER_CA');
$SUFFIX = getenv('DRIVER_SUFFIX');
$METRICS_URL = getenv('DRIVER_METRICS_URL');

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
// PDO_mysql hands a DOUBLE of the binary protocol to PHP through a string of `precision` digits
// (14 by default): ask for all 17.
ini_set('precision', '17');

function show($v): string {
    $s = json_encode($v, JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_INVALID_UTF8_SUBSTITUTE);
    return strlen($s) > 400 ? substr($s, 0, 400) . '...' : $s;
}

function expect_eq($expected, $actual, string $what): void {
    if ($expected !== $actual) {
        throw new Exception("$what: expected " . show($expected) . ", got " . show($actual));
    }
}

function expect_true(bool $ok, string $what): void {
    if (!$ok) throw new Exception($what);
}

// Runs $body, which must throw; returns what it threw.
function expect_throws(callable $body, string $what): Throwable {
    try {
        $body();
    } catch (Throwable $e) {
        return $e;
    }
    throw new Exception("$what succeeded");
}

// ------------------------------------------------------------------ connections

// $tls: null (plain TCP) or the CA file to verify the server with.
function mysqli_connect_as(string $user, string $password, ?string $tls = null): mysqli {
    global $HOST, $PORT;
    $m = mysqli_init();
    $m->options(MYSQLI_OPT_CONNECT_TIMEOUT, 10);
    $m->options(MYSQLI_OPT_READ_TIMEOUT, 60);
    // Numbers of the text protocol as PHP ints and floats, as the binary protocol gives them.
    $m->options(MYSQLI_OPT_INT_AND_FLOAT_NATIVE, true);
    $flags = 0;
    if ($tls !== null) {
        $m->ssl_set(null, null, $tls, null, null);
        $m->options(MYSQLI_OPT_SSL_VERIFY_SERVER_CERT, true);
        $flags |= MYSQLI_CLIENT_SSL;
    }
    // Failures throw (mysqli_report); @ keeps OpenSSL's warning about a refused certificate off stderr.
    @$m->real_connect($HOST, $user, $password, 'proxytest', $PORT, null, $flags);
    $m->set_charset('utf8mb4');
    return $m;
}

function mysqli_app(): mysqli { return mysqli_connect_as('app', 'app-pass'); }

function pdo_connect_as(string $user, string $password, ?string $tls = null, array $extra = []): PDO {
    global $HOST, $PORT;
    $options = [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_EMULATE_PREPARES => false,
        PDO::ATTR_TIMEOUT => 10,
    ];
    if ($tls !== null) {
        $options[PDO::MYSQL_ATTR_SSL_CA] = $tls;
        $options[PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] = true;
    }
    return new PDO("mysql:host=$HOST;port=$PORT;dbname=proxytest;charset=utf8mb4", $user, $password,
                   $extra + $options);
}

function pdo_app(array $extra = []): PDO { return pdo_connect_as('app', 'app-pass', null, $extra); }

function m_scalar(mysqli $m, string $sql) {
    $rows = $m->query($sql)->fetch_all(MYSQLI_NUM);
    expect_eq(1, count($rows), "rows of $sql");
    return $rows[0][0];
}

function p_scalar(PDO $p, string $sql) {
    $rows = $p->query($sql)->fetchAll(PDO::FETCH_NUM);
    expect_eq(1, count($rows), "rows of $sql");
    return $rows[0][0];
}

// Error code and SQLSTATE of a mysqli or PDO exception.
function error_of(Throwable $e): array {
    if ($e instanceof mysqli_sql_exception) return [$e->getCode(), $e->getSqlState()];
    if ($e instanceof PDOException) return [$e->errorInfo[1] ?? null, $e->errorInfo[0] ?? null];
    throw new Exception('unexpected ' . get_class($e) . ': ' . $e->getMessage());
}

// ------------------------------------------------------------------ logins

// The proxy's count of successful client logins by method and TLS (0 in a direct run).
function logins(string $method, bool $tls): float {
    global $DIRECT, $METRICS_URL;
    if ($DIRECT) return 0.0;
    $sum = 0.0;
    $tls_label = $tls ? 'yes' : 'no';
    foreach (explode("\n", file_get_contents($METRICS_URL)) as $line) {
        if (!str_starts_with($line, 'mysql_proxy_client_logins_total{')) continue;
        $labels = substr($line, 0, strrpos($line, ' '));
        if (str_contains($labels, "method=\"$method\"") && str_contains($labels, "tls=\"$tls_label\"")) {
            $sum += (float) substr($line, strrpos($line, ' ') + 1);
        }
    }
    return $sum;
}

// Runs $login; through the proxy, it must count once as `method` (over TLS or not).
function counted(string $method, bool $tls, callable $login) {
    global $DIRECT;
    $before = logins($method, $tls);
    $result = $login();
    if (!$DIRECT) expect_eq($before + 1, logins($method, $tls), "proxy's count of $method logins (tls " . var_export($tls, true) . ')');
    return $result;
}

function login_native(callable $connect, callable $user_of): void {
    expect_eq('app@%', counted('native', false, fn() => $user_of($connect('app', 'app-pass'))), 'user');
    $e = expect_throws(fn() => $connect('app', 'wrong-pass'), 'a wrong password');
    // mysqlnd reports the SQLSTATE of a failed login as HY000, whatever the server sent.
    expect_eq(1045, error_of($e)[0], 'error code of a wrong password');
}

function login_caching_sha2(string $prefix, callable $connect, callable $user_of): void {
    global $PASSWORD, $TLS_CA;
    // Full authentication needs a secure channel: TLS first, then the fast path over plain TCP.
    expect_eq("{$prefix}_sha2@%", counted('sha2_full_tls', true, fn() => $user_of($connect("{$prefix}_sha2", $PASSWORD, $TLS_CA))),
              'user (full, TLS)');
    expect_eq("{$prefix}_sha2@%", counted('sha2_fast', false, fn() => $user_of($connect("{$prefix}_sha2", $PASSWORD))),
              'user (fast path)');
    // Full authentication over plain TCP: mysqlnd asks for the server's RSA key and encrypts the
    // password with it.
    expect_eq("{$prefix}_sha2_rsa@%", counted('sha2_full_rsa', false, fn() => $user_of($connect("{$prefix}_sha2_rsa", $PASSWORD))),
              'user (full, RSA)');
    expect_eq("{$prefix}_sha2_rsa@%", counted('sha2_fast', false, fn() => $user_of($connect("{$prefix}_sha2_rsa", $PASSWORD))),
              'user (fast path after RSA)');
    $e = expect_throws(fn() => $connect("{$prefix}_sha2", 'wrong-pass', $TLS_CA), 'a wrong password');
    expect_eq(1045, error_of($e)[0], 'error code of a wrong password');
}

function login_tls(string $prefix, callable $connect, callable $user_of): void {
    global $PASSWORD, $TLS_CA, $OTHER_CA;
    // <prefix>_tls may only log in over TLS (the proxy's require_tls, or REQUIRE SSL on the server).
    expect_eq("{$prefix}_tls@%", counted('native', true, fn() => $user_of($connect("{$prefix}_tls", $PASSWORD, $TLS_CA))),
              'user over TLS');
    $e = expect_throws(fn() => $connect("{$prefix}_tls", $PASSWORD), 'a login without TLS');
    expect_true(in_array(error_of($e)[0], [1045, 3159], true), 'error of a login without TLS: ' . $e->getMessage());
    // The certificate is really checked: an unrelated CA is refused.
    expect_throws(fn() => $connect('app', 'app-pass', $OTHER_CA), 'TLS with an unrelated CA');
}

$mysqli_user_of = fn(mysqli $m) => m_scalar($m, 'SELECT CURRENT_USER()');
$pdo_user_of = fn(PDO $p) => p_scalar($p, 'SELECT CURRENT_USER()');

// ------------------------------------------------------------------ prepared statements, every type

function all_bytes(): string {
    $s = '';
    for ($i = 0; $i < 256; $i++) $s .= chr($i);
    return $s;
}

// column, type, the value bound, the value read back (binary protocol), the value as the server
// prints it (text protocol; a column in HEX() or BIN() when marked so).
function columns(): array {
    $text = str_repeat('τεξτ ', 500);
    $json = '{"a": [1, 2.5, "x"], "b": null}';
    return [
        ['c_tinyint', 'TINYINT', -128, -128, '-128'],
        ['c_tinyint_u', 'TINYINT UNSIGNED', 255, 255, '255'],
        ['c_smallint', 'SMALLINT', -32768, -32768, '-32768'],
        ['c_smallint_u', 'SMALLINT UNSIGNED', 65535, 65535, '65535'],
        ['c_mediumint', 'MEDIUMINT', -8388608, -8388608, '-8388608'],
        ['c_mediumint_u', 'MEDIUMINT UNSIGNED', 16777215, 16777215, '16777215'],
        ['c_int', 'INT', -2147483648, -2147483648, '-2147483648'],
        ['c_int_u', 'INT UNSIGNED', 4294967295, 4294967295, '4294967295'],
        ['c_bigint', 'BIGINT', PHP_INT_MIN, PHP_INT_MIN, '-9223372036854775808'],
        // Beyond PHP's int: bound and read as a string.
        ['c_bigint_u', 'BIGINT UNSIGNED', '18446744073709551615', '18446744073709551615', '18446744073709551615'],
        ['c_decimal', 'DECIMAL(20,6)', '-12345678901234.123456', '-12345678901234.123456', '-12345678901234.123456'],
        ['c_float', 'FLOAT', 1234.5, 1234.5, '1234.5'],
        ['c_double', 'DOUBLE', -2.718281828459045, -2.718281828459045, '-2.718281828459045'],
        ['c_date', 'DATE', '2024-02-29', '2024-02-29', '2024-02-29'],
        ['c_time', 'TIME', '13:14:15', '13:14:15', '13:14:15'],
        ['c_datetime', 'DATETIME(6)', '2024-02-29 23:59:58.123456', '2024-02-29 23:59:58.123456', '2024-02-29 23:59:58.123456'],
        ['c_timestamp', 'TIMESTAMP NULL DEFAULT NULL', '2021-06-15 12:34:56', '2021-06-15 12:34:56', '2021-06-15 12:34:56'],
        ['c_year', 'YEAR', 2024, 2024, '2024'],
        ['c_char', 'CHAR(10)', 'héllo', 'héllo', 'héllo'],
        ['c_varchar', 'VARCHAR(100)', '😀 ünïcødé ✓', '😀 ünïcødé ✓', '😀 ünïcødé ✓'],
        ['c_binary', 'BINARY(4)', "\x00\xFF\x0A\x80", "\x00\xFF\x0A\x80", 'HEX:00FF0A80'],
        ['c_blob', 'BLOB', all_bytes(), all_bytes(), 'HEX:' . strtoupper(bin2hex(all_bytes()))],
        ['c_text', 'TEXT', $text, $text, $text],
        ['c_json', 'JSON', $json, $json, $json],
        // mysqlnd reads BIT as an integer in the binary protocol.
        ['c_bit', 'BIT(12)', 0xA05, 0xA05, 'BIN:101000000101'],
        ['c_enum', "ENUM('small','medium','large')", 'medium', 'medium', 'medium'],
        ['c_set', "SET('red','green','blue')", 'red,blue', 'red,blue', 'red,blue'],
    ];
}

function text_expr(array $c): string {
    if (str_starts_with($c[4], 'HEX:')) return "HEX($c[0])";
    if (str_starts_with($c[4], 'BIN:')) return "BIN($c[0] + 0)";
    return "CAST($c[0] AS CHAR)";
}

function text_value(array $c): string {
    return preg_replace('/^(HEX|BIN):/', '', $c[4]);
}

function types_table(string $name): array {
    $cols = columns();
    $ddl = "CREATE TABLE $name (id INT PRIMARY KEY";
    foreach ($cols as $c) $ddl .= ", $c[0] $c[1]";
    $ddl .= ') DEFAULT CHARSET=utf8mb4';
    $names = implode(', ', array_column($cols, 0));
    $marks = implode(', ', array_fill(0, count($cols), '?'));
    return [
        'ddl' => $ddl,
        'insert' => "INSERT INTO $name (id, $names) VALUES (?, $marks)",
        'select' => "SELECT $names FROM $name WHERE id = ?",
        'text' => 'SELECT ' . implode(', ', array_map('text_expr', $cols)) . " FROM $name WHERE id = 1",
        'nulls' => 'SELECT ' . implode(' + ', array_map(fn($c) => "($c[0] IS NULL)", $cols)) . " FROM $name WHERE id = 2",
    ];
}

// The stored row as the server prints it, and the count of NULL columns in the NULL row.
function check_stored(array $text_row, $nulls): void {
    foreach (columns() as $i => $c) expect_eq(text_value($c), $text_row[$i], "$c[1] as stored");
    expect_eq(count(columns()), (int) $nulls, 'NULL columns stored');
}

// $differs: column => the value this API reads back where it is not columns()'s.
function check_read(array $row, string $how, array $differs = []): void {
    foreach (columns() as $i => $c) {
        expect_eq(array_key_exists($c[0], $differs) ? $differs[$c[0]] : $c[3], $row[$i], "$c[1] read back ($how)");
    }
}

function mysqli_prepared_every_type(): void {
    global $SUFFIX;
    $t = types_table("drv_mysqli_types_$SUFFIX");
    $m = mysqli_app();
    $m->query($t['ddl']);
    try {
        $cols = columns();
        $types = 'i';
        foreach ($cols as $c) $types .= is_int($c[2]) ? 'i' : (is_float($c[2]) ? 'd' : 's');
        $stmt = $m->prepare($t['insert']);
        $values = array_merge([1], array_column($cols, 2));
        $stmt->bind_param($types, ...$values);
        $stmt->execute();
        expect_eq(1, $stmt->affected_rows, 'rows inserted');
        $nulls = array_merge([2], array_fill(0, count($cols), null));
        $stmt->bind_param($types, ...$nulls);
        $stmt->execute();
        expect_eq(1, $stmt->affected_rows, 'NULL row inserted');
        $stmt->close();

        $stmt = $m->prepare($t['select']);
        $id = 1;
        $stmt->bind_param('i', $id);
        $stmt->execute();
        $rows = $stmt->get_result()->fetch_all(MYSQLI_NUM);
        expect_eq(1, count($rows), 'rows of id 1');
        check_read($rows[0], 'get_result', ['c_year' => '2024']);
        // The same row through bind_result.
        $stmt->execute();
        $out = array_fill(0, count($cols), null);
        $refs = [];
        foreach ($out as $k => &$v) $refs[$k] = &$v;
        unset($v);
        $stmt->bind_result(...$refs);
        expect_true($stmt->fetch() === true, 'fetch of id 1');
        check_read($out, 'bind_result', ['c_year' => '2024']);
        $stmt->free_result();
        $id = 2;
        $stmt->execute();
        expect_eq([array_fill(0, count($cols), null)], $stmt->get_result()->fetch_all(MYSQLI_NUM), 'the NULL row');
        $stmt->close();

        check_stored($m->query($t['text'])->fetch_row(), m_scalar($m, $t['nulls']));
    } finally {
        $m->query("DROP TABLE IF EXISTS drv_mysqli_types_$SUFFIX");
    }
}

function pdo_prepared_every_type(): void {
    global $SUFFIX;
    $t = types_table("drv_pdo_types_$SUFFIX");
    $p = pdo_app();
    expect_true(!$p->getAttribute(PDO::ATTR_EMULATE_PREPARES), 'emulated prepares are on');
    $p->exec($t['ddl']);
    try {
        $cols = columns();
        $stmt = $p->prepare($t['insert']);
        $stmt->bindValue(1, 1, PDO::PARAM_INT);
        foreach ($cols as $i => $c) {
            $type = is_int($c[2]) ? PDO::PARAM_INT : (in_array($c[0], ['c_binary', 'c_blob'], true) ? PDO::PARAM_LOB : PDO::PARAM_STR);
            // PDO has no float parameter type: a float goes as a string.
            $stmt->bindValue($i + 2, is_float($c[2]) ? (string) $c[2] : $c[2], $type);
        }
        $stmt->execute();
        expect_eq(1, $stmt->rowCount(), 'rows inserted');
        $stmt->bindValue(1, 2, PDO::PARAM_INT);
        foreach ($cols as $i => $c) $stmt->bindValue($i + 2, null, PDO::PARAM_NULL);
        $stmt->execute();
        expect_eq(1, $stmt->rowCount(), 'NULL row inserted');

        $stmt = $p->prepare($t['select']);
        $stmt->execute([1]);
        $rows = $stmt->fetchAll(PDO::FETCH_NUM);
        expect_eq(1, count($rows), 'rows of id 1');
        check_read($rows[0], 'PDO', ['c_year' => '2024']);
        $stmt->execute([2]);
        expect_eq([array_fill(0, count($cols), null)], $stmt->fetchAll(PDO::FETCH_NUM), 'the NULL row');

        check_stored($p->query($t['text'])->fetch(PDO::FETCH_NUM), p_scalar($p, $t['nulls']));
    } finally {
        $p->exec("DROP TABLE IF EXISTS drv_pdo_types_$SUFFIX");
    }
}

// ------------------------------------------------------------------ transactions

function mysqli_transactions(): void {
    global $SUFFIX;
    $table = "drv_mysqli_tx_$SUFFIX";
    $m = mysqli_app();
    $other = mysqli_app();
    $m->query("CREATE TABLE $table (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
    try {
        $m->begin_transaction();
        $ins = $m->prepare("INSERT INTO $table VALUES (?, ?)");
        $id = 1;
        $v = 'rolled back';
        $ins->bind_param('is', $id, $v);
        $ins->execute();
        expect_eq(1, m_scalar($m, "SELECT COUNT(*) FROM $table"), 'own uncommitted row');
        $m->rollback();
        expect_eq(0, m_scalar($m, "SELECT COUNT(*) FROM $table"), 'after rollback, same session');
        $m->autocommit(false);
        $id = 2;
        $v = 'committed';
        $ins->execute();
        expect_eq(0, m_scalar($other, "SELECT COUNT(*) FROM $table"), 'uncommitted row seen by another session');
        $m->commit();
        $m->autocommit(true);
        expect_eq([[2, 'committed']], $other->query("SELECT id, v FROM $table ORDER BY id")->fetch_all(MYSQLI_NUM),
                  'rows after commit, another session');
    } finally {
        $m->autocommit(true);
        $m->query("DROP TABLE IF EXISTS $table");
    }
}

function pdo_transactions(): void {
    global $SUFFIX;
    $table = "drv_pdo_tx_$SUFFIX";
    $p = pdo_app();
    $other = pdo_app();
    $p->exec("CREATE TABLE $table (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
    try {
        expect_eq(true, $p->beginTransaction(), 'beginTransaction');
        $ins = $p->prepare("INSERT INTO $table VALUES (?, ?)");
        $ins->execute([1, 'rolled back']);
        expect_eq(1, p_scalar($p, "SELECT COUNT(*) FROM $table"), 'own uncommitted row');
        expect_eq(true, $p->rollBack(), 'rollBack');
        expect_eq(0, p_scalar($p, "SELECT COUNT(*) FROM $table"), 'after rollback, same session');
        $p->beginTransaction();
        $ins->execute([2, 'committed']);
        expect_eq(0, p_scalar($other, "SELECT COUNT(*) FROM $table"), 'uncommitted row seen by another session');
        expect_eq(true, $p->commit(), 'commit');
        expect_eq([[2, 'committed']], $other->query("SELECT id, v FROM $table ORDER BY id")->fetchAll(PDO::FETCH_NUM),
                  'rows after commit, another session');
    } finally {
        if ($p->inTransaction()) $p->rollBack();
        $p->exec("DROP TABLE IF EXISTS $table");
    }
}

// ------------------------------------------------------------------ a 20 MiB value

function large_value(): string {
    // 20 MiB of pseudo-random bytes (not compressible, every byte value).
    $out = '';
    $block = '';
    for ($i = 0; strlen($block) < 1 << 20; $i++) $block .= hash('sha256', "block $i", true);
    for ($i = 0; $i < 20; $i++) $out .= substr($block, $i) . substr($block, 0, $i);
    expect_eq(20 << 20, strlen($out), 'value length');
    return $out;
}

function mysqli_large_value(): void {
    global $SUFFIX;
    $table = "drv_mysqli_large_$SUFFIX";
    $value = large_value();
    $m = mysqli_app();
    $m->query("CREATE TABLE $table (id INT PRIMARY KEY, v LONGBLOB)");
    try {
        // Sent in 1 MiB pieces with COM_STMT_SEND_LONG_DATA.
        $stmt = $m->prepare("INSERT INTO $table VALUES (1, ?)");
        $null = null;
        $stmt->bind_param('b', $null);
        foreach (str_split($value, 1 << 20) as $piece) $stmt->send_long_data(0, $piece);
        $stmt->execute();
        expect_eq(1, $stmt->affected_rows, 'rows inserted (long data)');
        $stmt->close();
        // And whole in one COM_STMT_EXECUTE.
        $stmt = $m->prepare("INSERT INTO $table VALUES (2, ?)");
        $stmt->bind_param('s', $value);
        $stmt->execute();
        expect_eq(1, $stmt->affected_rows, 'rows inserted (one packet)');
        $stmt->close();
        $sha = hash('sha256', $value);
        expect_eq([[1, strlen($value), $sha], [2, strlen($value), $sha]],
                  $m->query("SELECT id, LENGTH(v), SHA2(v, 256) FROM $table ORDER BY id")->fetch_all(MYSQLI_NUM),
                  'stored lengths and SHA-256');
        $stmt = $m->prepare("SELECT v FROM $table WHERE id = ?");
        foreach ([1, 2] as $id) {
            $stmt->bind_param('i', $id);
            $stmt->execute();
            $row = $stmt->get_result()->fetch_row();
            expect_true($row[0] === $value, "value $id read back (binary protocol) differs");
        }
        $stmt->close();
        expect_true(m_scalar($m, "SELECT v FROM $table WHERE id = 1") === $value, 'value read back (text protocol) differs');
    } finally {
        $m->query("DROP TABLE IF EXISTS $table");
    }
}

function pdo_large_value(): void {
    global $SUFFIX;
    $table = "drv_pdo_large_$SUFFIX";
    $value = large_value();
    $p = pdo_app();
    $p->exec("CREATE TABLE $table (id INT PRIMARY KEY, v LONGBLOB)");
    try {
        $stmt = $p->prepare("INSERT INTO $table VALUES (1, ?)");
        $stmt->bindValue(1, $value, PDO::PARAM_LOB);
        $stmt->execute();
        expect_eq(1, $stmt->rowCount(), 'rows inserted');
        expect_eq([[strlen($value), hash('sha256', $value)]],
                  $p->query("SELECT LENGTH(v), SHA2(v, 256) FROM $table")->fetchAll(PDO::FETCH_NUM),
                  'stored length and SHA-256');
        $stmt = $p->prepare("SELECT v FROM $table WHERE id = ?");
        $stmt->execute([1]);
        expect_true($stmt->fetchColumn() === $value, 'value read back (binary protocol) differs');
        $stmt = pdo_app([PDO::ATTR_EMULATE_PREPARES => true])->query("SELECT v FROM $table WHERE id = 1");
        expect_true($stmt->fetchColumn() === $value, 'value read back (text protocol) differs');
    } finally {
        $p->exec("DROP TABLE IF EXISTS $table");
    }
}

// ------------------------------------------------------------------ multi-results

// Every result after a mysqli multi_query: rows (as strings) or ['ok', affected rows].
function mysqli_results(mysqli $m): array {
    $out = [];
    do {
        $res = $m->store_result();
        if ($res) {
            $out[] = $res->fetch_all(MYSQLI_NUM);
            $res->free();
        } else {
            expect_eq(0, $m->field_count, 'field count of a result without rows');
            $out[] = ['ok', $m->affected_rows];
        }
    } while ($m->more_results() && $m->next_result());
    return $out;
}

function mysqli_multi_results(): void {
    global $SUFFIX;
    $table = "drv_mysqli_multi_$SUFFIX";
    $proc = "drv_mysqli_proc_$SUFFIX";
    $m = mysqli_app();
    $m->query("CREATE TABLE $table (id INT PRIMARY KEY)");
    $m->query("CREATE PROCEDURE $proc(IN n INT) BEGIN SELECT n AS a; SELECT n * 2 AS b, 'two' AS c; END");
    try {
        $m->multi_query("SELECT 1 AS one; INSERT INTO $table VALUES (1), (2); SELECT 'two', 2; SELECT COUNT(*) FROM $table");
        expect_eq([[[1]], ['ok', 2], [['two', 2]], [[2]]], mysqli_results($m), 'results of the multi-statement');
        $m->multi_query("CALL $proc(21)");
        expect_eq([[[21]], [[42, 'two']], ['ok', 0]], mysqli_results($m), 'results of the CALL');
        // A prepared CALL: its result sets in the binary protocol, then the final OK.
        $stmt = $m->prepare("CALL $proc(?)");
        $n = 5;
        $stmt->bind_param('i', $n);
        $stmt->execute();
        $sets = [];
        do {
            $res = $stmt->get_result();
            $sets[] = $res ? $res->fetch_all(MYSQLI_NUM) : 'ok';
        } while ($stmt->more_results() && $stmt->next_result());
        expect_eq([[[5]], [[10, 'two']], 'ok'], $sets, 'results of the prepared CALL');
        $stmt->close();
        expect_eq(7, m_scalar($m, 'SELECT 7'), 'query after the CALLs');
    } finally {
        $m->query("DROP PROCEDURE IF EXISTS $proc");
        $m->query("DROP TABLE IF EXISTS $table");
    }
}

// Every rowset of a PDO statement: rows, or ['ok', rowCount] for one without columns.
function pdo_results(PDOStatement $stmt): array {
    $out = [];
    do {
        $out[] = $stmt->columnCount() > 0 ? $stmt->fetchAll(PDO::FETCH_NUM) : ['ok', $stmt->rowCount()];
    } while ($stmt->nextRowset());
    return $out;
}

function pdo_multi_results(): void {
    global $SUFFIX;
    $table = "drv_pdo_multi_$SUFFIX";
    $proc = "drv_pdo_proc_$SUFFIX";
    $p = pdo_app();
    $p->exec("CREATE TABLE $table (id INT PRIMARY KEY)");
    $p->exec("CREATE PROCEDURE $proc(IN n INT) BEGIN SELECT n AS a; SELECT n * 2 AS b, 'two' AS c; END");
    try {
        // Several statements in one query need the text protocol (emulated prepares).
        $text = pdo_app([PDO::ATTR_EMULATE_PREPARES => true]);
        $stmt = $text->query("SELECT 1 AS one; INSERT INTO $table VALUES (1), (2); SELECT 'two', 2; SELECT COUNT(*) FROM $table");
        expect_eq([[[1]], ['ok', 2], [['two', 2]], [[2]]], pdo_results($stmt), 'results of the multi-statement');
        $stmt = $text->query("CALL $proc(21)");
        expect_eq([[[21]], [[42, 'two']], ['ok', 0]], pdo_results($stmt), 'results of the CALL');
        $stmt = $p->prepare("CALL $proc(?)");
        $stmt->execute([5]);
        // The final OK of a prepared CALL comes out as an empty rowset.
        expect_eq([[[5]], [[10, 'two']], []], pdo_results($stmt), 'results of the prepared CALL');
        expect_eq(7, p_scalar($p, 'SELECT 7'), 'query after the CALLs');
    } finally {
        $p->exec("DROP PROCEDURE IF EXISTS $proc");
        $p->exec("DROP TABLE IF EXISTS $table");
    }
}

// ------------------------------------------------------------------ errors

// $exec(sql), $scalar(sql), $prepare_insert() returning a callable(id) that executes the insert.
function errors(string $table, callable $exec, callable $scalar, callable $prepared_insert): void {
    $exec("SET @marker = 'same session'");
    $exec("CREATE TABLE $table (id INT PRIMARY KEY)");
    try {
        expect_eq([1064, '42000'], error_of(expect_throws(fn() => $exec('SELEC 1'), 'a syntax error')), 'a syntax error');
        expect_eq('same session', $scalar('SELECT @marker'), 'after the syntax error');
        $exec("INSERT INTO $table VALUES (1)");
        expect_eq([1062, '23000'], error_of(expect_throws(fn() => $exec("INSERT INTO $table VALUES (1)"), 'a duplicate key')),
                  'a duplicate key');
        expect_eq('same session', $scalar('SELECT @marker'), 'after the duplicate key');
        $insert = $prepared_insert("INSERT INTO $table VALUES (?)");
        expect_eq([1062, '23000'], error_of(expect_throws(fn() => $insert(1), 'a duplicate key (prepared)')),
                  'a duplicate key (prepared)');
        $insert(2);
        expect_eq(2, $scalar("SELECT COUNT(*) FROM $table"), 'rows after the errors');
        expect_eq('same session', $scalar('SELECT @marker'), 'at the end');
    } finally {
        $exec("DROP TABLE IF EXISTS $table");
    }
}

function mysqli_errors(): void {
    global $SUFFIX;
    $m = mysqli_app();
    errors("drv_mysqli_err_$SUFFIX", fn($sql) => $m->query($sql), fn($sql) => m_scalar($m, $sql),
           function ($sql) use ($m) {
               $stmt = $m->prepare($sql);
               return function ($id) use ($stmt) {
                   $stmt->bind_param('i', $id);
                   $stmt->execute();
               };
           });
}

function pdo_errors(): void {
    global $SUFFIX;
    $p = pdo_app();
    errors("drv_pdo_err_$SUFFIX", fn($sql) => $p->exec($sql), fn($sql) => p_scalar($p, $sql),
           function ($sql) use ($p) {
               $stmt = $p->prepare($sql);
               return fn($id) => $stmt->execute([$id]);
           });
}

// ------------------------------------------------------------------ routing

// Every autocommit read on a replica (with routing.consistency global, all may go to the one
// replica known to have applied the last write), every write on the primary.
function routing(string $table, callable $scalar, callable $prepared_scalar, callable $exec): void {
    global $DIRECT, $PRIMARY_PORT, $REPLICA_PORTS;
    $read_ports = $DIRECT ? [$PRIMARY_PORT] : $REPLICA_PORTS;
    $seen = [];
    for ($i = 0; $i < 10; $i++) $seen[] = (int) $scalar('SELECT @@port');
    expect_subset($read_ports, sorted_unique($seen), 'ports of 10 autocommit reads');
    $seen = [];
    for ($i = 0; $i < 10; $i++) $seen[] = (int) $prepared_scalar('SELECT @@port + ?', 0);
    expect_subset($read_ports, sorted_unique($seen), 'ports of 10 prepared autocommit reads');
    // A write records the port of the server that ran it (row-based binlog: the replicas copy it).
    $exec("CREATE TABLE $table (id INT PRIMARY KEY, port INT)");
    try {
        $exec("INSERT INTO $table VALUES (1, @@port)");
        $prepared_scalar("INSERT INTO $table VALUES (?, @@port)", 2);
        expect_eq("1:$PRIMARY_PORT,2:$PRIMARY_PORT", $scalar("SELECT GROUP_CONCAT(id, ':', port ORDER BY id) FROM $table"),
                  'ports that ran the writes');
    } finally {
        $exec("DROP TABLE IF EXISTS $table");
    }
}

function expect_subset(array $allowed, array $seen, string $what): void {
    expect_true($seen !== [] && array_diff($seen, $allowed) === [], "$what: " . show($seen) . ', not all in ' . show($allowed));
}

function sorted_unique(array $a): array {
    $a = array_values(array_unique($a));
    sort($a);
    return $a;
}

function mysqli_routing(): void {
    global $SUFFIX;
    $m = mysqli_app();
    routing("drv_mysqli_route_$SUFFIX", fn($sql) => m_scalar($m, $sql),
            function ($sql, $n) use ($m) {
                $stmt = $m->prepare($sql);
                $stmt->bind_param('i', $n);
                $stmt->execute();
                $res = $stmt->get_result();
                $value = $res ? $res->fetch_row()[0] : null;
                $stmt->close();
                return $value;
            },
            fn($sql) => $m->query($sql));
}

function pdo_routing(): void {
    global $SUFFIX;
    $p = pdo_app();
    routing("drv_pdo_route_$SUFFIX", fn($sql) => p_scalar($p, $sql),
            function ($sql, $n) use ($p) {
                $stmt = $p->prepare($sql);
                $stmt->execute([$n]);
                return $stmt->columnCount() ? $stmt->fetchColumn() : null;
            },
            fn($sql) => $p->exec($sql));
}

// ------------------------------------------------------------------ main

$checks = [
    'mysqli login_native' => fn() => login_native(fn($u, $p, $tls = null) => mysqli_connect_as($u, $p, $tls), $mysqli_user_of),
    'mysqli login_caching_sha2' => fn() => login_caching_sha2('mysqli', fn($u, $p, $tls = null) => mysqli_connect_as($u, $p, $tls), $mysqli_user_of),
    'mysqli login_tls' => fn() => login_tls('mysqli', fn($u, $p, $tls = null) => mysqli_connect_as($u, $p, $tls), $mysqli_user_of),
    'mysqli prepared_every_type' => 'mysqli_prepared_every_type',
    'mysqli transactions' => 'mysqli_transactions',
    'mysqli large_value_20MiB' => 'mysqli_large_value',
    'mysqli multi_results' => 'mysqli_multi_results',
    'mysqli errors' => 'mysqli_errors',
    'mysqli routing' => 'mysqli_routing',
    'pdo login_native' => fn() => login_native(fn($u, $p, $tls = null) => pdo_connect_as($u, $p, $tls), $pdo_user_of),
    'pdo login_caching_sha2' => fn() => login_caching_sha2('pdo', fn($u, $p, $tls = null) => pdo_connect_as($u, $p, $tls), $pdo_user_of),
    'pdo login_tls' => fn() => login_tls('pdo', fn($u, $p, $tls = null) => pdo_connect_as($u, $p, $tls), $pdo_user_of),
    'pdo prepared_every_type' => 'pdo_prepared_every_type',
    'pdo transactions' => 'pdo_transactions',
    'pdo large_value_20MiB' => 'pdo_large_value',
    'pdo multi_results' => 'pdo_multi_results',
    'pdo errors' => 'pdo_errors',
    'pdo routing' => 'pdo_routing',
];

$only = array_filter(explode(',', (string) getenv('DRIVER_ONLY')));
$passed = $failed = 0;
foreach ($checks as $name => $check) {
    if ($only && !in_array($name, $only, true) && !in_array(explode(' ', $name)[1], $only, true)) continue;
    $t0 = microtime(true);
    try {
        $check();
        $passed++;
        printf("PASS: php %s (%.2f s)\n", $name, microtime(true) - $t0);
    } catch (Throwable $e) {
        $failed++;
        printf("FAIL: php %s: %s: %s\n  at %s:%d\n%s\n", $name, get_class($e), $e->getMessage(), $e->getFile(),
               $e->getLine(), preg_replace('/^/m', '  ', $e->getTraceAsString()));
    }
}
printf("%d passed, %d failed\n", $passed, $failed);
exit($failed ? 1 : 0);

// MariaDB Connector/J (Debian's libmariadb-java) through the proxy. Started by run.sh, which sets
// the DRIVER_* environment it describes; prints one PASS/FAIL line per check and
// "N passed, N failed", and exits non-zero on a failure.

import java.math.BigDecimal;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.sql.*;
import java.util.*;

public class ConnectorJTest {
  static final String HOST = System.getenv("DRIVER_HOST");
  static final int PORT = Integer.parseInt(System.getenv("DRIVER_PORT"));
  static final boolean DIRECT = "1".equals(System.getenv("DRIVER_DIRECT"));
  static final String PASSWORD = System.getenv("DRIVER_PASSWORD");
  static final int PRIMARY_PORT = Integer.parseInt(System.getenv("DRIVER_PRIMARY_PORT"));
  static final Set<Integer> REPLICA_PORTS = new TreeSet<>();
  static final String TLS_CA = System.getenv("DRIVER_TLS_CA");
  static final String OTHER_CA = System.getenv("DRIVER_OTHER_CA");
  static final String SUFFIX = System.getenv("DRIVER_SUFFIX");
  static final String METRICS_URL = System.getenv("DRIVER_METRICS_URL");

  interface Check { void run() throws Exception; }

  static void expect(Object expected, Object actual, String what) {
    if (!Objects.equals(expected, actual)) {
      throw new AssertionError(what + ": expected <" + expected + "> got <" + actual + ">");
    }
  }

  static void expectTrue(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  static Connection connect(String user, String password, String extra) throws SQLException {
    String url = "jdbc:mariadb://" + HOST + ":" + PORT + "/proxytest?connectTimeout=10000&socketTimeout=60000"
        + (extra.isEmpty() ? "" : "&" + extra);
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(url, p);
  }

  static Connection app(String extra) throws SQLException {
    return connect("app", "app-pass", "useServerPrepStmts=true" + (extra.isEmpty() ? "" : "&" + extra));
  }

  static String tls(String ca) { return "useSsl=true&serverSslCert=" + ca; }

  static String currentUser(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  static Object scalar(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      expectTrue(rs.next(), "no row from " + sql);
      Object v = rs.getObject(1);
      expectTrue(!rs.next(), "more than one row from " + sql);
      return v;
    }
  }

  static long scalarLong(Connection c, String sql) throws SQLException {
    return ((Number) scalar(c, sql)).longValue();
  }

  static SQLException expectError(Check body, String what) throws Exception {
    try {
      body.run();
    } catch (SQLException e) {
      return e;
    }
    throw new AssertionError(what + " succeeded");
  }

  // ------------------------------------------------------------------ logins

  // The proxy's count of successful client logins by method and TLS (0 in a direct run).
  static double logins(String method, boolean tls) throws Exception {
    if (DIRECT) return 0;
    String body = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(METRICS_URL)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (!line.startsWith("mysql_proxy_client_logins_total{")) continue;
      String labels = line.substring(0, line.lastIndexOf(' '));
      if (labels.contains("method=\"" + method + "\"") && labels.contains("tls=\"" + (tls ? "yes" : "no") + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  // Through the proxy, the login just made counted once as `method` (over TLS or not).
  static void expectCounted(String method, boolean tls, double before) throws Exception {
    if (!DIRECT) expect(before + 1, logins(method, tls), "proxy's count of " + method + " logins (tls " + tls + ")");
  }

  static void loginNative() throws Exception {
    double before = logins("native", false);
    try (Connection c = connect("app", "app-pass", "")) {
      expect("app@%", currentUser(c), "user");
    }
    expectCounted("native", false, before);
    SQLException e = expectError(() -> connect("app", "wrong-pass", "").close(), "a wrong password");
    expect(1045, e.getErrorCode(), "error code of a wrong password");
    expect("28000", e.getSQLState(), "SQLSTATE of a wrong password");
  }

  static void loginCachingSha2() throws Exception {
    // Full authentication needs a secure channel: TLS first, then the fast path over plain TCP.
    for (String how : new String[] {tls(TLS_CA), ""}) {
      String method = how.isEmpty() ? "sha2_fast" : "sha2_full_tls";
      double before = logins(method, !how.isEmpty());
      try (Connection c = connect("java_sha2", PASSWORD, how)) {
        expect("java_sha2@%", currentUser(c), "user (" + method + ")");
      }
      expectCounted(method, !how.isEmpty(), before);
    }
    // Full authentication over plain TCP, the password encrypted with the server's RSA key.
    for (String method : new String[] {"sha2_full_rsa", "sha2_fast"}) {
      double before = logins(method, false);
      try (Connection c = connect("java_sha2_rsa", PASSWORD, "allowPublicKeyRetrieval=true")) {
        expect("java_sha2_rsa@%", currentUser(c), "user (" + method + ")");
      }
      expectCounted(method, false, before);
    }
    SQLException e = expectError(() -> connect("java_sha2", "wrong-pass", tls(TLS_CA)).close(), "a wrong password");
    expect(1045, e.getErrorCode(), "error code of a wrong password");
  }

  static void loginTls() throws Exception {
    // java_tls may only log in over TLS (the proxy's require_tls, or REQUIRE SSL on the server).
    double before = logins("native", true);
    try (Connection c = connect("java_tls", PASSWORD, tls(TLS_CA))) {
      expect("java_tls@%", currentUser(c), "user over TLS");
      expect(42L, scalarLong(c, "SELECT 6 * 7"), "query over TLS");
    }
    expectCounted("native", true, before);
    SQLException plain = expectError(() -> connect("java_tls", PASSWORD, "").close(), "a login without TLS");
    expectTrue(plain.getErrorCode() == 1045 || plain.getErrorCode() == 3159,
        "error code of a login without TLS: " + plain.getErrorCode() + " " + plain.getMessage());
    // The certificate is really checked: an unrelated CA is refused.
    expectError(() -> connect("app", "app-pass", tls(OTHER_CA)).close(), "TLS with an unrelated CA");
  }

  // ------------------------------------------------------------------ prepared statements, every type

  static final String[][] COLUMNS = {
      {"c_tinyint", "TINYINT", "-128"},
      {"c_tinyint_u", "TINYINT UNSIGNED", "255"},
      {"c_smallint", "SMALLINT", "-32768"},
      {"c_smallint_u", "SMALLINT UNSIGNED", "65535"},
      {"c_mediumint", "MEDIUMINT", "-8388608"},
      {"c_mediumint_u", "MEDIUMINT UNSIGNED", "16777215"},
      {"c_int", "INT", "-2147483648"},
      {"c_int_u", "INT UNSIGNED", "4294967295"},
      {"c_bigint", "BIGINT", "-9223372036854775808"},
      {"c_bigint_u", "BIGINT UNSIGNED", "18446744073709551615"},
      {"c_decimal", "DECIMAL(20,6)", "-12345678901234.123456"},
      {"c_float", "FLOAT", "1234.5"},
      {"c_double", "DOUBLE", "-2.718281828459045"},
      {"c_date", "DATE", "2024-02-29"},
      {"c_time", "TIME", "13:14:15"},
      {"c_datetime", "DATETIME(6)", "2024-02-29 23:59:58.123456"},
      {"c_timestamp", "TIMESTAMP NULL DEFAULT NULL", "2021-06-15 12:34:56"},
      {"c_year", "YEAR", "2024"},
      {"c_char", "CHAR(10)", "héllo"},
      {"c_varchar", "VARCHAR(100)", "😀 ünïcødé ✓"},
      {"c_binary", "BINARY(4)", "HEX:00FF0A80"},
      {"c_blob", "BLOB", "HEX:" + hexOf(allBytes())},
      {"c_text", "TEXT", "τεξτ ".repeat(500)},
      {"c_json", "JSON", "{\"a\": [1, 2.5, \"x\"], \"b\": null}"},
      {"c_bit", "BIT(12)", "BIN:101000000101"},
      {"c_enum", "ENUM('small','medium','large')", "medium"},
      {"c_set", "SET('red','green','blue')", "red,blue"},
  };

  static byte[] allBytes() {
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) b[i] = (byte) i;
    return b;
  }

  static String hexOf(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) s.append(String.format("%02X", x & 0xff));
    return s.toString();
  }

  // Binds the values of COLUMNS to parameters first, first + 1, ...
  static void bindAll(PreparedStatement ps, int first) throws SQLException {
    int i = first;
    ps.setByte(i++, (byte) -128);
    ps.setInt(i++, 255);
    ps.setShort(i++, (short) -32768);
    ps.setInt(i++, 65535);
    ps.setInt(i++, -8388608);
    ps.setInt(i++, 16777215);
    ps.setInt(i++, Integer.MIN_VALUE);
    ps.setLong(i++, 4294967295L);
    ps.setLong(i++, Long.MIN_VALUE);
    ps.setBigDecimal(i++, new BigDecimal("18446744073709551615"));
    ps.setBigDecimal(i++, new BigDecimal("-12345678901234.123456"));
    ps.setFloat(i++, 1234.5f);
    ps.setDouble(i++, -2.718281828459045);
    ps.setDate(i++, java.sql.Date.valueOf("2024-02-29"));
    ps.setTime(i++, Time.valueOf("13:14:15"));
    ps.setTimestamp(i++, Timestamp.valueOf("2024-02-29 23:59:58.123456"));
    ps.setTimestamp(i++, Timestamp.valueOf("2021-06-15 12:34:56"));
    ps.setInt(i++, 2024);
    ps.setString(i++, "héllo");
    ps.setString(i++, "😀 ünïcødé ✓");
    ps.setBytes(i++, new byte[] {0x00, (byte) 0xFF, 0x0A, (byte) 0x80});
    ps.setBytes(i++, allBytes());
    ps.setString(i++, "τεξτ ".repeat(500));
    ps.setString(i++, "{\"a\": [1, 2.5, \"x\"], \"b\": null}");
    ps.setLong(i++, 0xA05);
    ps.setString(i++, "medium");
    ps.setString(i++, "red,blue");
  }

  static void checkRead(ResultSet rs) throws SQLException {
    int i = 1;
    expect(-128, rs.getInt(i++), "TINYINT");
    expect(255, rs.getInt(i++), "TINYINT UNSIGNED");
    expect(-32768, rs.getInt(i++), "SMALLINT");
    expect(65535, rs.getInt(i++), "SMALLINT UNSIGNED");
    expect(-8388608, rs.getInt(i++), "MEDIUMINT");
    expect(16777215, rs.getInt(i++), "MEDIUMINT UNSIGNED");
    expect(Integer.MIN_VALUE, rs.getInt(i++), "INT");
    expect(4294967295L, rs.getLong(i++), "INT UNSIGNED");
    expect(Long.MIN_VALUE, rs.getLong(i++), "BIGINT");
    expect(new BigInteger("18446744073709551615"), rs.getBigDecimal(i++).toBigIntegerExact(), "BIGINT UNSIGNED");
    expect(new BigDecimal("-12345678901234.123456"), rs.getBigDecimal(i++), "DECIMAL");
    expect(1234.5f, rs.getFloat(i++), "FLOAT");
    expect(-2.718281828459045, rs.getDouble(i++), "DOUBLE");
    expect("2024-02-29", rs.getDate(i++).toString(), "DATE");
    expect("13:14:15", rs.getTime(i++).toString(), "TIME");
    expect(Timestamp.valueOf("2024-02-29 23:59:58.123456"), rs.getTimestamp(i++), "DATETIME(6)");
    expect(Timestamp.valueOf("2021-06-15 12:34:56"), rs.getTimestamp(i++), "TIMESTAMP");
    expect(2024, rs.getInt(i++), "YEAR");
    expect("héllo", rs.getString(i++), "CHAR");
    expect("😀 ünïcødé ✓", rs.getString(i++), "VARCHAR");
    expect("00FF0A80", hexOf(rs.getBytes(i++)), "BINARY");
    expect(hexOf(allBytes()), hexOf(rs.getBytes(i++)), "BLOB");
    expect("τεξτ ".repeat(500), rs.getString(i++), "TEXT");
    expect("{\"a\": [1, 2.5, \"x\"], \"b\": null}", rs.getString(i++), "JSON");
    expect("0A05", hexOf(rs.getBytes(i++)), "BIT");
    expect("medium", rs.getString(i++), "ENUM");
    expect("red,blue", rs.getString(i++), "SET");
  }

  // The stored values as the server prints them (text protocol), whatever the driver decodes.
  static String textExpr(String[] col) {
    if (col[2].startsWith("HEX:")) return "HEX(" + col[0] + ")";
    if (col[2].startsWith("BIN:")) return "BIN(" + col[0] + " + 0)";
    return "CAST(" + col[0] + " AS CHAR)";
  }

  static String textValue(String[] col) {
    return col[2].startsWith("HEX:") || col[2].startsWith("BIN:") ? col[2].substring(4) : col[2];
  }

  static void preparedEveryType() throws Exception {
    String table = "drv_java_types_" + SUFFIX;
    StringBuilder ddl = new StringBuilder("CREATE TABLE " + table + " (id INT PRIMARY KEY");
    StringBuilder names = new StringBuilder();
    StringBuilder marks = new StringBuilder();
    StringBuilder texts = new StringBuilder();
    StringBuilder nulls = new StringBuilder();
    for (String[] col : COLUMNS) {
      ddl.append(", ").append(col[0]).append(' ').append(col[1]);
      names.append(", ").append(col[0]);
      marks.append(", ?");
      texts.append(texts.length() == 0 ? "" : ", ").append(textExpr(col));
      nulls.append(nulls.length() == 0 ? "(" : " + (").append(col[0]).append(" IS NULL)");
    }
    ddl.append(") DEFAULT CHARSET=utf8mb4");
    try (Connection c = app("")) {
      try (Statement st = c.createStatement()) {
        st.execute(ddl.toString());
      }
      try {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO " + table + " (id" + names + ") VALUES (?" + marks + ")")) {
          expect("ServerSidePreparedStatement", ps.getClass().getSimpleName(), "statement class");
          ps.setInt(1, 1);
          bindAll(ps, 2);
          expect(1, ps.executeUpdate(), "rows inserted");
          ps.setInt(1, 2);
          int[] sqlTypes = {Types.TINYINT, Types.INTEGER, Types.SMALLINT, Types.INTEGER, Types.INTEGER,
              Types.INTEGER, Types.INTEGER, Types.BIGINT, Types.BIGINT, Types.DECIMAL, Types.DECIMAL,
              Types.FLOAT, Types.DOUBLE, Types.DATE, Types.TIME, Types.TIMESTAMP, Types.TIMESTAMP,
              Types.INTEGER, Types.CHAR, Types.VARCHAR, Types.BINARY, Types.BLOB, Types.VARCHAR,
              Types.VARCHAR, Types.BIGINT, Types.VARCHAR, Types.VARCHAR};
          expect(COLUMNS.length, sqlTypes.length, "type list");
          for (int i = 0; i < sqlTypes.length; i++) ps.setNull(i + 2, sqlTypes[i]);
          expect(1, ps.executeUpdate(), "NULL row inserted");
        }
        // Read back through the binary protocol.
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT " + names.substring(2) + " FROM " + table + " WHERE id = ?")) {
          ps.setInt(1, 1);
          try (ResultSet rs = ps.executeQuery()) {
            expectTrue(rs.next(), "row 1 missing");
            checkRead(rs);
          }
          ps.setInt(1, 2);
          try (ResultSet rs = ps.executeQuery()) {
            expectTrue(rs.next(), "row 2 missing");
            for (int i = 1; i <= COLUMNS.length; i++) {
              expect(null, rs.getObject(i), COLUMNS[i - 1][1] + " NULL");
              expectTrue(rs.wasNull(), COLUMNS[i - 1][1] + " wasNull");
            }
          }
        }
        // And as the server prints them.
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + texts + " FROM " + table + " WHERE id = 1")) {
          expectTrue(rs.next(), "text row missing");
          for (int i = 1; i <= COLUMNS.length; i++) {
            expect(textValue(COLUMNS[i - 1]), rs.getString(i), COLUMNS[i - 1][1] + " as stored");
          }
        }
        expect((long) COLUMNS.length, scalarLong(c, "SELECT " + nulls + " FROM " + table + " WHERE id = 2"),
            "NULL columns stored");
      } finally {
        try (Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS " + table);
        }
      }
    }
  }

  // ------------------------------------------------------------------ transactions

  static void transactions() throws Exception {
    String table = "drv_java_tx_" + SUFFIX;
    try (Connection c = app(""); Connection other = app("")) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
      }
      try {
        c.setAutoCommit(false);
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
          ins.setInt(1, 1);
          ins.setString(2, "rolled back");
          ins.executeUpdate();
          expect(1L, scalarLong(c, "SELECT COUNT(*) FROM " + table), "own uncommitted row");
          c.rollback();
          expect(0L, scalarLong(c, "SELECT COUNT(*) FROM " + table), "after rollback, same session");
          ins.setInt(1, 2);
          ins.setString(2, "committed");
          ins.executeUpdate();
          expect(0L, scalarLong(other, "SELECT COUNT(*) FROM " + table), "uncommitted row seen by another session");
          c.commit();
        }
        c.setAutoCommit(true);
        try (Statement st = other.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, v FROM " + table + " ORDER BY id")) {
          expectTrue(rs.next(), "committed row missing");
          expect(2, rs.getInt(1), "committed id");
          expect("committed", rs.getString(2), "committed value");
          expectTrue(!rs.next(), "the rolled-back row is there");
        }
      } finally {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS " + table);
        }
      }
    }
  }

  // ------------------------------------------------------------------ a 20 MiB value

  static void largeValue() throws Exception {
    String table = "drv_java_large_" + SUFFIX;
    byte[] value = new byte[20 << 20];
    long x = 88172645463325252L;
    for (int i = 0; i < value.length; i++) {
      x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
      value[i] = (byte) x;
    }
    String sha = hexOf(MessageDigest.getInstance("SHA-256").digest(value)).toLowerCase(Locale.ROOT);
    try (Connection c = app("")) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, v LONGBLOB)");
      }
      try {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (1, ?)")) {
          ps.setBytes(1, value);
          expect(1, ps.executeUpdate(), "rows inserted");
        }
        expect((long) value.length, scalarLong(c, "SELECT LENGTH(v) FROM " + table), "length stored");
        expect(sha, scalar(c, "SELECT SHA2(v, 256) FROM " + table), "SHA-256 stored");
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM " + table + " WHERE id = ?")) {
          ps.setInt(1, 1);
          try (ResultSet rs = ps.executeQuery()) {
            expectTrue(rs.next(), "row missing");
            expectTrue(Arrays.equals(value, rs.getBytes(1)), "value read back (binary protocol) differs");
          }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT v FROM " + table)) {
          expectTrue(rs.next(), "row missing");
          expectTrue(Arrays.equals(value, rs.getBytes(1)), "value read back (text protocol) differs");
        }
      } finally {
        try (Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS " + table);
        }
      }
    }
  }

  // ------------------------------------------------------------------ multi-results

  // Every result of an execute(): a list of rows (each a list of strings), or an update count.
  static List<Object> allResults(Statement st, boolean isResultSet) throws SQLException {
    List<Object> out = new ArrayList<>();
    while (true) {
      if (isResultSet) {
        List<List<String>> rows = new ArrayList<>();
        try (ResultSet rs = st.getResultSet()) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= n; i++) row.add(rs.getString(i));
            rows.add(row);
          }
        }
        out.add(rows);
      } else {
        int count = st.getUpdateCount();
        if (count == -1) return out;
        out.add(count);
      }
      isResultSet = st.getMoreResults();
    }
  }

  static void multiResults() throws Exception {
    String table = "drv_java_multi_" + SUFFIX;
    String proc = "drv_java_proc_" + SUFFIX;
    try (Connection c = app("allowMultiQueries=true"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY)");
      st.execute("CREATE PROCEDURE " + proc + "(IN n INT) BEGIN SELECT n AS a; SELECT n * 2 AS b, 'two' AS c; END");
      try {
        boolean rs = st.execute("SELECT 1 AS one; INSERT INTO " + table + " VALUES (1), (2); "
            + "SELECT 'two', 2; SELECT COUNT(*) FROM " + table);
        expect(List.of(List.of(List.of("1")), 2, List.of(List.of("two", "2")), List.of(List.of("2"))),
            allResults(st, rs), "results of the multi-statement");
        rs = st.execute("CALL " + proc + "(21)");
        expect(List.of(List.of(List.of("21")), List.of(List.of("42", "two")), 0), allResults(st, rs),
            "results of the CALL");
        // The same through a server-side prepared CALL.
        try (PreparedStatement ps = c.prepareStatement("CALL " + proc + "(?)")) {
          ps.setInt(1, 5);
          expect(List.of(List.of(List.of("5")), List.of(List.of("10", "two")), 0), allResults(ps, ps.execute()),
              "results of the prepared CALL");
        }
        expect(7L, scalarLong(c, "SELECT 7"), "query after the CALLs");
      } finally {
        st.execute("DROP PROCEDURE IF EXISTS " + proc);
        st.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  // ------------------------------------------------------------------ errors

  static void errors() throws Exception {
    String table = "drv_java_err_" + SUFFIX;
    try (Connection c = app(""); Statement st = c.createStatement()) {
      st.execute("SET @marker = 'same session'");
      st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY)");
      try {
        SQLException e = expectError(() -> st.execute("SELEC 1"), "a syntax error");
        expect(1064, e.getErrorCode(), "error code of a syntax error");
        expect("42000", e.getSQLState(), "SQLSTATE of a syntax error");
        expect("same session", scalar(c, "SELECT @marker"), "after the syntax error");

        st.execute("INSERT INTO " + table + " VALUES (1)");
        e = expectError(() -> st.execute("INSERT INTO " + table + " VALUES (1)"), "a duplicate key");
        expect(1062, e.getErrorCode(), "error code of a duplicate key");
        expect("23000", e.getSQLState(), "SQLSTATE of a duplicate key");
        expect("same session", scalar(c, "SELECT @marker"), "after the duplicate key");

        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?)")) {
          ps.setInt(1, 1);
          e = expectError(ps::executeUpdate, "a duplicate key (prepared)");
          expect(1062, e.getErrorCode(), "error code of a duplicate key (prepared)");
          expect("23000", e.getSQLState(), "SQLSTATE of a duplicate key (prepared)");
          ps.setInt(1, 2);
          expect(1, ps.executeUpdate(), "the same statement again");
        }
        expect(2L, scalarLong(c, "SELECT COUNT(*) FROM " + table), "rows after the errors");
        expect("same session", scalar(c, "SELECT @marker"), "at the end");
      } finally {
        st.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  // ------------------------------------------------------------------ routing

  // Every autocommit read on a replica (with routing.consistency global, all may go to the one
  // replica known to have applied the last write), every write on the primary.
  static void routing() throws Exception {
    String table = "drv_java_route_" + SUFFIX;
    Set<Integer> readPorts = DIRECT ? Set.of(PRIMARY_PORT) : REPLICA_PORTS;
    try (Connection c = app(""); Statement st = c.createStatement()) {
      Set<Integer> seen = new TreeSet<>();
      for (int i = 0; i < 10; i++) seen.add((int) scalarLong(c, "SELECT @@port"));
      expectTrue(readPorts.containsAll(seen), "ports of 10 autocommit reads: " + seen + ", not all in " + readPorts);
      seen.clear();
      try (PreparedStatement ps = c.prepareStatement("SELECT @@port + ?")) {
        for (int i = 0; i < 10; i++) {
          ps.setInt(1, 0);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            seen.add(rs.getInt(1));
          }
        }
      }
      expectTrue(readPorts.containsAll(seen),
          "ports of 10 prepared autocommit reads: " + seen + ", not all in " + readPorts);
      // A write records the port of the server that ran it (row-based binlog: the replicas copy it).
      st.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, port INT)");
      try {
        st.execute("INSERT INTO " + table + " VALUES (1, @@port)");
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, @@port)")) {
          ps.setInt(1, 2);
          ps.executeUpdate();
        }
        expect(List.of(List.of("1", String.valueOf(PRIMARY_PORT)), List.of("2", String.valueOf(PRIMARY_PORT))),
            rows(c, "SELECT id, port FROM " + table + " ORDER BY id"), "ports that ran the writes");
      } finally {
        st.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  static List<List<String>> rows(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      List<List<String>> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) row.add(rs.getString(i));
        out.add(row);
      }
      return out;
    }
  }

  public static void main(String[] args) {
    for (String p : System.getenv("DRIVER_REPLICA_PORTS").split(",")) REPLICA_PORTS.add(Integer.parseInt(p));
    LinkedHashMap<String, Check> checks = new LinkedHashMap<>();
    checks.put("login_native", ConnectorJTest::loginNative);
    checks.put("login_caching_sha2", ConnectorJTest::loginCachingSha2);
    checks.put("login_tls", ConnectorJTest::loginTls);
    checks.put("prepared_every_type", ConnectorJTest::preparedEveryType);
    checks.put("transactions", ConnectorJTest::transactions);
    checks.put("large_value_20MiB", ConnectorJTest::largeValue);
    checks.put("multi_results", ConnectorJTest::multiResults);
    checks.put("errors", ConnectorJTest::errors);
    checks.put("routing", ConnectorJTest::routing);
    String only = System.getenv("DRIVER_ONLY");
    int passed = 0, failed = 0;
    for (Map.Entry<String, Check> e : checks.entrySet()) {
      if (only != null && !only.isEmpty() && !Arrays.asList(only.split(",")).contains(e.getKey())) continue;
      long t0 = System.nanoTime();
      try {
        e.getValue().run();
        passed++;
        System.out.printf("PASS: java %s (%.2f s)%n", e.getKey(), (System.nanoTime() - t0) / 1e9);
      } catch (Throwable t) {
        failed++;
        System.out.println("FAIL: java " + e.getKey() + ": " + t);
        t.printStackTrace(System.out);
      }
    }
    System.out.println(passed + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }
}

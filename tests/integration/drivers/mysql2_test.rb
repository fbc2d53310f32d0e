# Ruby's mysql2 gem (Debian's ruby-mysql2, on MariaDB Connector/C) through the proxy. Started by
# run.sh, which sets the DRIVER_* environment it describes; prints one PASS/FAIL line per check and
# "N passed, N failed", and exits non-zero on a failure.

require 'bigdecimal'
require 'date'
require 'digest'
require 'mysql2'
require 'net/http'

HOST = ENV.fetch('DRIVER_HOST')
PORT = Integer(ENV.fetch('DRIVER_PORT'))
DIRECT = ENV['DRIVER_DIRECT'] == '1'
PASSWORD = ENV.fetch('DRIVER_PASSWORD')
PRIMARY_PORT = Integer(ENV.fetch('DRIVER_PRIMARY_PORT'))
REPLICA_PORTS = ENV.fetch('DRIVER_REPLICA_PORTS').split(',').map { |p| Integer(p) }.sort
TLS_CA = ENV.fetch('DRIVER_TLS_CA')
OTHER_CA = ENV.fetch('DRIVER_OTHER_CA')
SUFFIX = ENV.fetch('DRIVER_SUFFIX')
METRICS_URL = ENV.fetch('DRIVER_METRICS_URL', '')
FLAGS = Mysql2::Client::MULTI_STATEMENTS

class CheckFailed < StandardError; end

def show(value)
  s = value.inspect
  s.size > 400 ? "#{s[0, 400]}..." : s
end

def expect_eq(expected, actual, what)
  raise CheckFailed, "#{what}: expected #{show(expected)}, got #{show(actual)}" unless expected == actual
end

def expect_true(ok, what)
  raise CheckFailed, what unless ok
end

# Runs the block, which must raise Mysql2::Error; returns it.
def expect_error(what)
  yield
rescue Mysql2::Error => e
  e
else
  raise CheckFailed, "#{what} succeeded"
end

# tls: nil (plain TCP) or the CA file to verify the server with (name included).
def connect(user, password, tls = nil)
  opts = { host: HOST, port: PORT, username: user, password: password, database: 'proxytest',
           encoding: 'utf8mb4', connect_timeout: 10, read_timeout: 60, flags: FLAGS }
  opts.merge!(sslca: tls, sslverify: true) if tls
  Mysql2::Client.new(opts)
end

def app
  c = connect('app', 'app-pass')
  return c unless block_given?

  begin
    yield c
  ensure
    c.close
  end
end

def scalar(c, sql)
  rows = c.query(sql, as: :array).to_a
  expect_eq(1, rows.size, "rows of #{sql}")
  rows[0][0]
end

def current_user(c)
  scalar(c, 'SELECT CURRENT_USER()')
ensure
  c.close
end

# ------------------------------------------------------------------ logins

# The proxy's count of successful client logins by method and TLS (0 in a direct run).
def logins(method, tls)
  return 0.0 if DIRECT

  Net::HTTP.get(URI(METRICS_URL)).lines.sum do |line|
    next 0.0 unless line.start_with?('mysql_proxy_client_logins_total{')

    labels, value = line.strip.split(/ (?=[^ ]+\z)/)
    labels.include?(%(method="#{method}")) && labels.include?(%(tls="#{tls ? 'yes' : 'no'}")) ? Float(value) : 0.0
  end
end

# Runs the block (a login); through the proxy, it must count once as `method` (over TLS or not).
def counted(method, tls)
  before = logins(method, tls)
  result = yield
  expect_eq(before + 1, logins(method, tls), "proxy's count of #{method} logins (tls #{tls})") unless DIRECT
  result
end

def login_native
  counted('native', false) do
    c = connect('app', 'app-pass')
    expect_eq(nil, c.ssl_cipher, 'TLS cipher of a plain connection')
    expect_eq('app@%', current_user(c), 'user')
  end
  e = expect_error('a wrong password') { connect('app', 'wrong-pass') }
  expect_eq([1045, '28000'], [e.error_number, e.sql_state], 'error of a wrong password')
end

def login_caching_sha2
  # Full authentication needs a secure channel: TLS first, then the fast path over plain TCP.
  counted('sha2_full_tls', true) do
    c = connect('ruby_sha2', PASSWORD, TLS_CA)
    expect_true(!c.ssl_cipher.to_s.empty?, 'no TLS cipher')
    expect_eq('ruby_sha2@%', current_user(c), 'user (full, TLS)')
  end
  counted('sha2_fast', false) do
    expect_eq('ruby_sha2@%', current_user(connect('ruby_sha2', PASSWORD)), 'user (fast path)')
  end
  # Full authentication over plain TCP: Connector/C asks for the server's RSA key and encrypts the
  # password with it.
  %w[sha2_full_rsa sha2_fast].each do |method|
    counted(method, false) do
      expect_eq('ruby_sha2_rsa@%', current_user(connect('ruby_sha2_rsa', PASSWORD)), "user (#{method})")
    end
  end
  e = expect_error('a wrong password') { connect('ruby_sha2', 'wrong-pass', TLS_CA) }
  expect_eq(1045, e.error_number, 'error code of a wrong password')
end

def login_tls
  # ruby_tls may only log in over TLS (the proxy's require_tls, or REQUIRE SSL on the server).
  counted('native', true) do
    c = connect('ruby_tls', PASSWORD, TLS_CA)
    expect_true(!c.ssl_cipher.to_s.empty?, 'no TLS cipher')
    expect_eq('ruby_tls@%', current_user(c), 'user over TLS')
  end
  e = expect_error('a login without TLS') { connect('ruby_tls', PASSWORD) }
  expect_true([1045, 3159].include?(e.error_number), "error of a login without TLS: #{e.error_number} #{e.message}")
  # The certificate is really checked: an unrelated CA is refused.
  expect_error('TLS with an unrelated CA') { connect('app', 'app-pass', OTHER_CA) }
end

# ------------------------------------------------------------------ prepared statements, every type

ALL_BYTES = (0..255).map(&:chr).join.b
TEXT = 'τεξτ ' * 500
JSON_DOC = '{"a": [1, 2.5, "x"], "b": null}'

# column, type, the value bound, the value read back (binary protocol), the value as the server
# prints it (text protocol; a column in HEX() or BIN() when marked so).
COLUMNS = [
  ['c_tinyint', 'TINYINT', -128, -128, '-128'],
  ['c_tinyint_u', 'TINYINT UNSIGNED', 255, 255, '255'],
  ['c_smallint', 'SMALLINT', -32_768, -32_768, '-32768'],
  ['c_smallint_u', 'SMALLINT UNSIGNED', 65_535, 65_535, '65535'],
  ['c_mediumint', 'MEDIUMINT', -8_388_608, -8_388_608, '-8388608'],
  ['c_mediumint_u', 'MEDIUMINT UNSIGNED', 16_777_215, 16_777_215, '16777215'],
  ['c_int', 'INT', -2_147_483_648, -2_147_483_648, '-2147483648'],
  ['c_int_u', 'INT UNSIGNED', 4_294_967_295, 4_294_967_295, '4294967295'],
  ['c_bigint', 'BIGINT', -2**63, -2**63, '-9223372036854775808'],
  ['c_bigint_u', 'BIGINT UNSIGNED', 2**64 - 1, 2**64 - 1, '18446744073709551615'],
  ['c_decimal', 'DECIMAL(20,6)', BigDecimal('-12345678901234.123456'), BigDecimal('-12345678901234.123456'),
   '-12345678901234.123456'],
  ['c_float', 'FLOAT', 1234.5, 1234.5, '1234.5'],
  ['c_double', 'DOUBLE', -2.718281828459045, -2.718281828459045, '-2.718281828459045'],
  ['c_date', 'DATE', Date.new(2024, 2, 29), Date.new(2024, 2, 29), '2024-02-29'],
  # A TIME comes back as a Time on 2000-01-01 (run.sh runs Ruby with TZ=UTC).
  ['c_time', 'TIME', '13:14:15', Time.utc(2000, 1, 1, 13, 14, 15), '13:14:15'],
  ['c_datetime', 'DATETIME(6)', Time.utc(2024, 2, 29, 23, 59, 58, 123_456), Time.utc(2024, 2, 29, 23, 59, 58, 123_456),
   '2024-02-29 23:59:58.123456'],
  ['c_timestamp', 'TIMESTAMP NULL DEFAULT NULL', Time.utc(2021, 6, 15, 12, 34, 56), Time.utc(2021, 6, 15, 12, 34, 56),
   '2021-06-15 12:34:56'],
  ['c_year', 'YEAR', 2024, 2024, '2024'],
  ['c_char', 'CHAR(10)', 'héllo', 'héllo', 'héllo'],
  ['c_varchar', 'VARCHAR(100)', '😀 ünïcødé ✓', '😀 ünïcødé ✓', '😀 ünïcødé ✓'],
  ['c_binary', 'BINARY(4)', "\x00\xFF\x0A\x80".b, "\x00\xFF\x0A\x80".b, 'HEX:00FF0A80'],
  ['c_blob', 'BLOB', ALL_BYTES, ALL_BYTES, "HEX:#{ALL_BYTES.unpack1('H*').upcase}"],
  ['c_text', 'TEXT', TEXT, TEXT, TEXT],
  ['c_json', 'JSON', JSON_DOC, JSON_DOC, JSON_DOC],
  ['c_bit', 'BIT(12)', 0xA05, "\x0A\x05".b, 'BIN:101000000101'],
  ['c_enum', "ENUM('small','medium','large')", 'medium', 'medium', 'medium'],
  ['c_set', "SET('red','green','blue')", 'red,blue', 'red,blue', 'red,blue'],
].freeze

def text_expr(col)
  case col[4]
  when /\AHEX:/ then "HEX(#{col[0]})"
  when /\ABIN:/ then "BIN(#{col[0]} + 0)"
  else "CAST(#{col[0]} AS CHAR)"
  end
end

def prepared_every_type
  table = "drv_ruby_types_#{SUFFIX}"
  names = COLUMNS.map(&:first).join(', ')
  app do |c|
    c.query("CREATE TABLE #{table} (id INT PRIMARY KEY#{COLUMNS.map { |col| ", #{col[0]} #{col[1]}" }.join}) " \
            'DEFAULT CHARSET=utf8mb4')
    begin
      insert = c.prepare("INSERT INTO #{table} (id, #{names}) VALUES (?#{', ?' * COLUMNS.size})")
      expect_eq(COLUMNS.size + 1, insert.param_count, 'parameter count')
      insert.execute(1, *COLUMNS.map { |col| col[2] })
      expect_eq(1, insert.affected_rows, 'rows inserted')
      insert.execute(2, *[nil] * COLUMNS.size)
      expect_eq(1, insert.affected_rows, 'NULL row inserted')
      insert.close

      select = c.prepare("SELECT #{names} FROM #{table} WHERE id = ?")
      rows = select.execute(1, as: :array).to_a
      expect_eq(1, rows.size, 'rows of id 1')
      COLUMNS.each_with_index do |col, i|
        expect_eq(col[3], rows[0][i], "#{col[1]} read back")
        expect_eq(col[3].class, rows[0][i].class, "#{col[1]} read back: class")
      end
      expect_eq([[nil] * COLUMNS.size], select.execute(2, as: :array).to_a, 'the NULL row')
      select.close

      stored = c.query("SELECT #{COLUMNS.map { |col| text_expr(col) }.join(', ')} FROM #{table} WHERE id = 1",
                       as: :array, cast: false).to_a[0]
      COLUMNS.each_with_index do |col, i|
        expect_eq(col[4].sub(/\A(HEX|BIN):/, ''), stored[i], "#{col[1]} as stored")
      end
      expect_eq(COLUMNS.size,
                scalar(c, "SELECT #{COLUMNS.map { |col| "(#{col[0]} IS NULL)" }.join(' + ')} FROM #{table} WHERE id = 2"),
                'NULL columns stored')
    ensure
      c.query("DROP TABLE IF EXISTS #{table}")
    end
  end
end

# ------------------------------------------------------------------ transactions

def transactions
  table = "drv_ruby_tx_#{SUFFIX}"
  app do |c|
    app do |other|
      c.query("CREATE TABLE #{table} (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
      begin
        insert = c.prepare("INSERT INTO #{table} VALUES (?, ?)")
        c.query('START TRANSACTION')
        insert.execute(1, 'rolled back')
        expect_eq(1, scalar(c, "SELECT COUNT(*) FROM #{table}"), 'own uncommitted row')
        c.query('ROLLBACK')
        expect_eq(0, scalar(c, "SELECT COUNT(*) FROM #{table}"), 'after rollback, same session')
        c.query('SET autocommit = 0')
        insert.execute(2, 'committed')
        expect_eq(0, scalar(other, "SELECT COUNT(*) FROM #{table}"), 'uncommitted row seen by another session')
        c.query('COMMIT')
        c.query('SET autocommit = 1')
        expect_eq([[2, 'committed']], other.query("SELECT id, v FROM #{table} ORDER BY id", as: :array).to_a,
                  'rows after commit, another session')
      ensure
        c.query('ROLLBACK')
        c.query('SET autocommit = 1')
        c.query("DROP TABLE IF EXISTS #{table}")
      end
    end
  end
end

# ------------------------------------------------------------------ a 20 MiB value

def large_value
  table = "drv_ruby_large_#{SUFFIX}"
  block = (0...(1 << 15)).map { |i| Digest::SHA256.digest("block #{i}") }.join.b # 1 MiB
  value = (0...20).map { |i| block[i..] + block[0, i] }.join.b
  expect_eq(20 << 20, value.bytesize, 'value length')
  app do |c|
    c.query("CREATE TABLE #{table} (id INT PRIMARY KEY, v LONGBLOB)")
    begin
      insert = c.prepare("INSERT INTO #{table} VALUES (?, ?)")
      insert.execute(1, value)
      expect_eq(1, insert.affected_rows, 'rows inserted')
      expect_eq([[value.bytesize, Digest::SHA256.hexdigest(value)]],
                c.query("SELECT LENGTH(v), SHA2(v, 256) FROM #{table}", as: :array).to_a, 'stored length and SHA-256')
      select = c.prepare("SELECT v FROM #{table} WHERE id = ?")
      expect_true(select.execute(1, as: :array).to_a[0][0] == value, 'value read back (binary protocol) differs')
      expect_true(scalar(c, "SELECT v FROM #{table}") == value, 'value read back (text protocol) differs')
    ensure
      c.query("DROP TABLE IF EXISTS #{table}")
    end
  end
end

# ------------------------------------------------------------------ multi-results

# Every result of a multi-result query: rows, or [:ok, affected rows] for one without.
def all_results(c, sql)
  out = []
  result = c.query(sql, as: :array)
  loop do
    out << (result ? result.to_a : [:ok, c.affected_rows])
    break unless c.next_result

    result = c.store_result
  end
  out
end

def multi_results
  table = "drv_ruby_multi_#{SUFFIX}"
  proc_name = "drv_ruby_proc_#{SUFFIX}"
  app do |c|
    c.query("CREATE TABLE #{table} (id INT PRIMARY KEY)")
    c.query("CREATE PROCEDURE #{proc_name}(IN n INT) BEGIN SELECT n AS a; SELECT n * 2 AS b, 'two' AS c; END")
    begin
      expect_eq([[[1]], [:ok, 2], [['two', 2]], [[2]]],
                all_results(c, "SELECT 1 AS one; INSERT INTO #{table} VALUES (1), (2); SELECT 'two', 2; " \
                               "SELECT COUNT(*) FROM #{table}"),
                'results of the multi-statement')
      expect_eq([[[21]], [[42, 'two']], [:ok, 0]], all_results(c, "CALL #{proc_name}(21)"), 'results of the CALL')
      expect_eq(7, scalar(c, 'SELECT 7'), 'query after the CALL')
    ensure
      c.query("DROP PROCEDURE IF EXISTS #{proc_name}")
      c.query("DROP TABLE IF EXISTS #{table}")
    end
  end
end

# ------------------------------------------------------------------ errors

def errors
  table = "drv_ruby_err_#{SUFFIX}"
  app do |c|
    c.query("SET @marker = 'same session'")
    c.query("CREATE TABLE #{table} (id INT PRIMARY KEY)")
    begin
      e = expect_error('a syntax error') { c.query('SELEC 1') }
      expect_eq([1064, '42000'], [e.error_number, e.sql_state], 'a syntax error')
      expect_eq('same session', scalar(c, 'SELECT @marker'), 'after the syntax error')
      c.query("INSERT INTO #{table} VALUES (1)")
      e = expect_error('a duplicate key') { c.query("INSERT INTO #{table} VALUES (1)") }
      expect_eq([1062, '23000'], [e.error_number, e.sql_state], 'a duplicate key')
      expect_eq('same session', scalar(c, 'SELECT @marker'), 'after the duplicate key')
      insert = c.prepare("INSERT INTO #{table} VALUES (?)")
      e = expect_error('a duplicate key (prepared)') { insert.execute(1) }
      expect_eq([1062, '23000'], [e.error_number, e.sql_state], 'a duplicate key (prepared)')
      insert.execute(2)
      expect_eq(2, scalar(c, "SELECT COUNT(*) FROM #{table}"), 'rows after the errors')
      expect_eq('same session', scalar(c, 'SELECT @marker'), 'at the end')
    ensure
      c.query("DROP TABLE IF EXISTS #{table}")
    end
  end
end

# ------------------------------------------------------------------ routing

# Every autocommit read on a replica (with routing.consistency global, all may go to the one
# replica known to have applied the last write), every write on the primary.
def routing
  table = "drv_ruby_route_#{SUFFIX}"
  read_ports = DIRECT ? [PRIMARY_PORT] : REPLICA_PORTS
  app do |c|
    seen = (1..10).map { scalar(c, 'SELECT @@port') }.uniq.sort
    expect_true((seen - read_ports).empty?, "ports of 10 autocommit reads: #{seen}, not all in #{read_ports}")
    select = c.prepare('SELECT @@port + ?')
    seen = (1..10).map { select.execute(0, as: :array).to_a[0][0] }.uniq.sort
    expect_true((seen - read_ports).empty?, "ports of 10 prepared autocommit reads: #{seen}, not all in #{read_ports}")
    # A write records the port of the server that ran it (row-based binlog: the replicas copy it).
    c.query("CREATE TABLE #{table} (id INT PRIMARY KEY, port INT)")
    begin
      c.query("INSERT INTO #{table} VALUES (1, @@port)")
      c.prepare("INSERT INTO #{table} VALUES (?, @@port)").execute(2)
      expect_eq([[1, PRIMARY_PORT], [2, PRIMARY_PORT]], c.query("SELECT id, port FROM #{table} ORDER BY id",
                                                               as: :array).to_a, 'ports that ran the writes')
    ensure
      c.query("DROP TABLE IF EXISTS #{table}")
    end
  end
end

CHECKS = %w[login_native login_caching_sha2 login_tls prepared_every_type transactions large_value multi_results
            errors routing].freeze
NAMES = { 'large_value' => 'large_value_20MiB' }.freeze

only = ENV.fetch('DRIVER_ONLY', '').split(',')
passed = failed = 0
CHECKS.each do |check|
  name = NAMES.fetch(check, check)
  next unless only.empty? || only.include?(name)

  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  begin
    send(check)
    passed += 1
    printf("PASS: ruby %s (%.2f s)\n", name, Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0)
  rescue StandardError => e
    failed += 1
    puts "FAIL: ruby #{name}: #{e.class}: #{e.message}"
    puts e.backtrace.first(6).map { |l| "  #{l}" }
  end
end
puts "#{passed} passed, #{failed} failed"
exit(failed.zero? ? 0 : 1)

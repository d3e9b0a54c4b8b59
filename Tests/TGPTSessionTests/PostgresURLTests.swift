import TGPTEvents
import TGPTPostgresStore
import TGPTSession
import Testing

@Suite struct PostgresURLTests {
  @Test func aFullURLIsReadAsLibpqReadsIt() throws {
    let url = try PostgresURL(
      "postgres://alice:p%40ss%3Aword@db.example.com:6543/tgpt?sslmode=verify-full&connect_timeout=3")
    #expect(url.user == "alice" && url.password == "p@ss:word")
    #expect(url.host == "db.example.com" && url.port == 6543 && url.database == "tgpt")
    #expect(url.sslMode == .verifyFull && url.connectTimeout == 3)
    #expect(url.endpoint == "db.example.com:6543")
    #expect(!url.description.contains("p@ss"), "the password never shows")
  }

  @Test func defaultsFollowLibpq() throws {
    let env = ["PGPASSWORD": "from-env", "USER": "unix-user"]
    let url = try PostgresURL("postgresql://bob@localhost") { env[$0] }
    #expect(url.port == 5432 && url.database == "bob" && url.sslMode == .prefer)
    #expect(url.password == "from-env", "PGPASSWORD when the URL has none")
    #expect(url.connectTimeout == PostgresURL.defaultConnectTimeout)
    let noUser = try PostgresURL("postgres://[::1]:5433/db?connect_timeout=1") { env[$0] }
    #expect(noUser.user == "unix-user" && noUser.host == "::1" && noUser.port == 5433)
    #expect(noUser.endpoint == "[::1]:5433")
    #expect(noUser.connectTimeout == 2, "as libpq, at least 2 seconds")
    #expect(try PostgresURL("postgres://u:inurl@h/d") { env[$0] }.password == "inurl")
    #expect(PostgresURL.isPostgres("postgresql://x") && !PostgresURL.isPostgres("/tmp/postgres://x"))
  }

  @Test(arguments: [
    "mysql://u@h/d", "postgres://u@/d", "postgres://u@h:0/d", "postgres://u@h:99999/d", "postgres://u@h:x/d",
    "postgres://u@h/d?sslmode=maybe", "postgres://u@h/d?connect_timeout=-1", "postgres://u@h/d?options=x",
    "postgres://u@[::1/d", "postgres://u:se%2cret@h/d?x=1", "postgres://u@h/d%zz",
  ])
  func aMalformedURLIsAConfigError(_ text: String) {
    do {
      _ = try PostgresURL(text)
      Issue.record("\(text) was accepted")
    } catch {
      #expect(error.kind == .config)
      #expect(!error.description.contains("se%2cret"), "the password never shows: \(error)")
    }
  }
}

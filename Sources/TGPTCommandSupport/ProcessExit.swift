#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one way out of every program.
package enum ProcessExit {
  /// Ends the process with `code` now, without running `atexit` handlers or static
  /// destructors.
  ///
  /// Every write of the toolkit is a `write(2)` that has already happened, so nothing is lost;
  /// what is skipped is the C libraries' clean-up: `exit()` ran OpenSSL's `OPENSSL_cleanup`
  /// while libcurl, loading on another thread, was still inside `OPENSSL_init_ssl`, and the
  /// process died with SIGSEGV instead of its exit code.
  package static func now(_ code: Int32) -> Never {
    // libedit's prompt is the one writer through stdio; whatever it buffered goes out first.
    fflush(nil)
    _exit(code)
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The width of the terminal: the window size of `fd` when it is a terminal, else `COLUMNS`,
/// else 80.
package enum TerminalSize {
  package static func columns(fd: Int32) -> Int {
    var size = winsize()
    if isatty(fd) == 1, ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    if let text = ProcessEnvironment.value("COLUMNS"), let columns = Int(text), columns > 0 { return columns }
    return 80
  }
}

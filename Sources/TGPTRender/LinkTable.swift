import TGPTEvents

/// The URLs that styles link to, each stored once and named by a number, so `Style` holds a
/// number instead of a string. URLs are never removed: a process sees few distinct ones.
enum LinkTable {
  private struct Entries: Sendable {
    var ids: [String: UInt32] = [:]
    /// Index 0 is no link.
    var urls: [String] = [""]
  }

  private static let entries = Guarded(Entries())

  /// The number of `url`, added if new (never 0).
  static func id(_ url: String) -> UInt32 {
    entries.withLock { entries in
      if let id = entries.ids[url] { return id }
      let id = UInt32(entries.urls.count)
      entries.urls.append(url)
      entries.ids[url] = id
      return id
    }
  }

  /// The URL numbered `id` (from `id(_:)`).
  static func url(_ id: UInt32) -> String {
    entries.withLock { $0.urls[Int(id)] }
  }
}

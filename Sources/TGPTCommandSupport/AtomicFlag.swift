import Synchronization

/// A boolean that tasks and threads may share; nil until first set.
package final class AtomicFlag: Sendable {
  private let state = Atomic<UInt8>(0)

  package init() {}

  /// Sets the flag's value.
  package func set(_ value: Bool) { state.store(value ? 2 : 1, ordering: .releasing) }

  /// Makes the flag unset again.
  package func clear() { state.store(0, ordering: .releasing) }

  /// The value last set, or nil if never set (or since cleared).
  package var isSet: Bool? {
    switch state.load(ordering: .acquiring) {
    case 0: nil
    case 1: false
    default: true
    }
  }
}

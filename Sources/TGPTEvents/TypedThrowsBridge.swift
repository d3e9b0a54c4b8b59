// The standard library's `withUnsafeBytes` and `withUTF8` are `rethrows`, which loses a typed
// error; these keep it.

extension Array where Element == UInt8 {
  /// `withUnsafeBytes` that keeps the closure's error type.
  @inline(__always)
  package func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = withUnsafeBytes { buffer in
      do throws(E) { return .success(try body(buffer)) } catch { return .failure(error) }
    }
    return try result.get()
  }
}

extension String {
  /// The UTF-8 bytes of the string, keeping the closure's error type.
  @inline(__always)
  package func withUTF8Bytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    var copy = self
    let result: Result<R, E> = copy.withUTF8 { buffer in
      do throws(E) { return .success(try body(UnsafeRawBufferPointer(buffer))) } catch { return .failure(error) }
    }
    return try result.get()
  }
}

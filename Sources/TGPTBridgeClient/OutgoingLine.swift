import TGPTEvents

/// What the client sends for one stdin line: JSON objects as they are, anything else as the
/// seed's `{"message": line}`. Messages get an `id` (`m1`, `m2`, …) unless they carry one, so
/// the answers owed can be told apart. A cancel (`{"cancel":"m1"}`) is sent as it is and owes
/// no answer of its own.
package struct OutgoingLine: Sendable, Equatable {
  package var text: String
  /// The id the answer will carry, when the line is a message.
  package var id: String?
  /// Whether the server answers this line (a cancel is answered by its message's own end).
  package var owesAnswer = true

  package static func make(_ line: [UInt8], number: Int, raw: Bool) -> OutgoingLine {
    let text = String(decoding: line, as: UTF8.self)
    if raw { return OutgoingLine(text: text, id: nil) }
    if line.first == UInt8(ascii: "{"), let json = try? JSON.parse(line), var object = json.objectValue {
      // Only a well-formed cancel goes unanswered; a malformed one gets a bad_input error.
      if case .cancel? = try? ClientInput(json: json) { return OutgoingLine(text: text, id: nil, owesAnswer: false) }
      if let id = object["id"]?.stringValue { return OutgoingLine(text: text, id: id) }
      guard object["message"] != nil else { return OutgoingLine(text: text, id: nil) }
      let id = "m\(number)"
      object["id"] = .string(id)
      var writer = JSONWriter()
      writer.value(.object(object))
      return OutgoingLine(text: String(decoding: writer.bytes, as: UTF8.self), id: id)
    }
    let id = "m\(number)"
    var writer = JSONWriter()
    writer.value(["message": .string(text), "id": .string(id)])
    return OutgoingLine(text: String(decoding: writer.bytes, as: UTF8.self), id: id)
  }
}

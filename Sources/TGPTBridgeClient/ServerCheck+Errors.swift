extension ServerCheck {
  /// Bad input must get an `error` event and leave the connection usable: the test sends the
  /// bad frame, then a good message, and wants an error and then an answer.
  func errorHandling() async -> [Result] {
    var results: [Result] = []
    let good = Self.message("still there?")
    let cases: [(String, String)] = [
      ("error_handling.empty_message", #"{"message":""}"#),
      ("error_handling.invalid_json", "{not json"),
      ("error_handling.missing_message", #"{"text":"hi"}"#),
      ("error_handling.oversize_message", Self.message(String(repeating: "x ", count: 100_000))),
    ]
    for (index, (name, bad)) in cases.enumerated() {
      if Task.isCancelled { return results }
      let outcome = await talk("errors\(index)", [bad, good])
      if outcome.authRefused {
        results.append(Result(name: name, passed: false, detail: describe(outcome), authRefused: true))
        return results
      }
      let first = outcome.turns.first
      if name.hasSuffix("oversize_message"), outcome.closeCode == 1009 {
        results.append(Result(name: name, passed: true, detail: "closed with 1009 (message too big)"))
        continue
      }
      guard first?.terminalType == "error" else {
        results.append(Result(name: name, passed: false, detail: "expected an error event; got: " + describe(outcome)))
        continue
      }
      guard outcome.turns.count == 2, outcome.turns[1].terminalType == "complete" else {
        results.append(
          Result(
            name: name, passed: false,
            detail: "error event sent, but the connection did not go on: " + describe(outcome)))
        continue
      }
      results.append(
        Result(name: name, passed: true, detail: "error event (\(first?.errorCode ?? "no code")), connection kept"))
    }
    if Task.isCancelled { return results }
    let invalid = await ChatProbe.run(
      url: url("bad%20id!"), token: token, messages: [Self.message("hi")], timeout: timeout, logger: logger)
    let refused = invalid.refused || invalid.turns.first?.terminalType == "error"
    results.append(
      Result(
        name: "error_handling.invalid_session_id", passed: refused,
        detail: refused ? (invalid.upgraded ? "error event" : "upgrade refused") : "an invalid session id was answered")
    )
    return results
  }
}

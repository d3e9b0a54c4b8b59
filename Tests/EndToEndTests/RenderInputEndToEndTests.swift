import Foundation
import TGPTEvents
import Testing

/// `tgpt-render --input auto` telling events from text: by the first line, without waiting for more.
@Suite(.timeLimit(.minutes(10))) struct RenderInputEndToEndTests {
  /// A shell script that writes `first`, waits until tgpt-render has shown `shown` (so the
  /// first line alone must have been enough), then writes `rest`; the output is then printed.
  static func script(first: String, shown: String, rest: String) -> (String, [String: String]) {
    let script = """
      cd "$(mktemp -d)" && : > out
      { printf '%s' "$FIRST"; until grep -q "$SHOWN" out; do sleep 0.05; done; printf '%s' "$REST"; } \
        | tgpt-render > out
      status=$?; cat out; exit $status
      """
    return (script, Harness.environment(["FIRST": first, "SHOWN": shown, "REST": rest]))
  }

  @Test func jsonTextIsPassedThroughExactly() async throws {
    let json =
      "{\"name\": \"tgpt\", \"list\": [1, 2]}\r\n{\"type\": \"chunk\", \"content\": \"not an event here\"}\n  }"
    let piped = try await Harness.shell(
      "printf '%s' \"$TEXT\" | tgpt-stream --provider echo --text --exact | tgpt-render",
      env: Harness.environment(["TEXT": json]))
    #expect(piped.status == 0 && piped.stderr.isEmpty, "\(piped.stderr)")
    #expect(piped.text == json)
    let alone = try await Harness.run("tgpt-render", [], stdin: #"{"a":1}"#)
    #expect(alone.status == 0 && alone.stderr.isEmpty, "\(alone.stderr)")
    #expect(alone.text == #"{"a":1}"#)
  }

  @Test func jsonTextStreamsFromItsFirstLine() async throws {
    let (script, env) = Self.script(first: "{\"a\": 1}\n", shown: "\"a\"", rest: "and text\n")
    let result = try await Harness.shell(script, env: env)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.text == "{\"a\": 1}\nand text\n")
  }

  @Test func anEventStreamRendersFromItsFirstLine() async throws {
    let first = Event(.chunk(.init(content: "first words", model: "m"))).jsonText + "\n"
    let rest = RenderEndToEndTests.events("and the rest")
    let (script, env) = Self.script(first: "\n" + first, shown: "first words", rest: rest)
    let result = try await Harness.shell(script, env: env)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.text == "first wordsand the rest\n")
  }

  @Test func aFirstEventLongerThanOneReadIsStillAnEvent() async throws {
    let long = String(repeating: "long answer ", count: 20_000)
    let input = Event(.chunk(.init(content: long, model: "m"))).jsonText + "\n" + RenderEndToEndTests.events("end")
    let result = try await Harness.run("tgpt-render", [], stdin: input)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.text == long + "end\n")
  }

  @Test func jsonThatIsNotAnEventWithInputEventsSaysUseInputText() async throws {
    let json = #"{"a":1}"# + "\n"
    let result = try await Harness.run("tgpt-render", ["--input", "events"], stdin: json)
    #expect(result.status == 65)
    #expect(result.text.isEmpty)
    #expect(
      result.stderr.contains(#"line 1: an event needs a string "type""#)
        && result.stderr.contains("this looks like plain text: use --input text"),
      "\(result.stderr)")
    // A broken event in an event stream gets no such hint.
    let broken = #"{"type":"chunk"}"# + "\n" + RenderEndToEndTests.events("ok")
    let events = try await Harness.run("tgpt-render", [], stdin: broken)
    #expect(events.status == 65)
    #expect(events.text == "ok\n")
    #expect(events.stderr.contains("line 1: a chunk event needs \"content\"") && !events.stderr.contains("--input"))
  }
}

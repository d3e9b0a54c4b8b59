import TGPTEvents

/// The calls of `call-offered`: one per tool the request offers (OpenAI's `tools[].function`
/// or Anthropic's `tools[]`), with an argument for each required property of its schema (all
/// properties when none is required): the first of its `examples`, else its `default`, else
/// a value of its type — so a demo's tools run with plausible input.
enum OfferedCalls {
  static func make(_ request: JSON) -> [Scenario.Call] {
    (request["tools"]?.arrayValue ?? []).compactMap { tool in
      let function = tool["function"] ?? tool
      guard let name = function["name"]?.stringValue else { return nil }
      let schema = function["parameters"] ?? function["input_schema"] ?? [:]
      let properties = schema["properties"]?.objectValue ?? JSONObject()
      let required = schema["required"]?.arrayValue?.compactMap(\.stringValue)
      var arguments = JSONObject()
      for property in properties where required?.contains(property.key) ?? true {
        arguments[property.key] = sample(property.value)
      }
      return Scenario.Call(name: name, arguments: JSON.object(arguments).compactText)
    }
  }

  static func sample(_ schema: JSON) -> JSON {
    if let example = schema["examples"]?.arrayValue?.first { return example }
    if let value = schema["default"] { return value }
    switch schema["type"]?.stringValue {
    case "integer", "number": return 1
    case "boolean": return true
    case "array": return []
    case "object": return [:]
    default: return "example"
    }
  }
}

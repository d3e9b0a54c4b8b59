import TGPTEvents

/// A tool offered to the model: its name, what it does, and a JSON Schema of its arguments.
/// Each wire format renders it in its provider's shape.
public struct ToolSpec: Sendable, Hashable {
  public var name: String
  public var description: String
  /// A JSON Schema object describing the arguments.
  public var parameters: JSON

  public init(name: String, description: String, parameters: JSON) {
    self.name = name
    self.description = description
    self.parameters = parameters
  }
}

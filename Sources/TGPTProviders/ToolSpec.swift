package import TGPTEvents

/// A tool offered to the model: its name, what it does, and a JSON Schema of its arguments.
/// Each wire format renders it in its provider's shape.
package struct ToolSpec: Sendable, Hashable {
  package var name: String
  package var description: String
  /// A JSON Schema object describing the arguments.
  package var parameters: JSON

  package init(name: String, description: String, parameters: JSON) {
    self.name = name
    self.description = description
    self.parameters = parameters
  }
}

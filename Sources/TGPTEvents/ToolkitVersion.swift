/// The toolkit's version, shown by `--version` and sent as the HTTP user agent.
package enum ToolkitVersion {
  package static let string = "0.1.0"
}

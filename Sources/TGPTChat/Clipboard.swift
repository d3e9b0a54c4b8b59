import TGPTEvents

/// Copying text to the clipboard through the terminal (OSC 52), which works over SSH and in
/// tmux (with `set-clipboard on`) without any clipboard program.
package enum Clipboard {
  /// The escape sequence that asks the terminal to put `text` on the clipboard.
  package static func osc52(_ text: String) -> String {
    "\u{1B}]52;c;" + base64(Array(text.utf8)) + "\u{07}"
  }

  static func base64(_ bytes: [UInt8]) -> String { Base64.encode(bytes) }
}

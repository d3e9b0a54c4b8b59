/// What the highlighter knows about one language.
struct Language: Sendable {
  /// How the line lexer treats the language.
  enum Kind: Sendable { case generic, diff, json, yaml, markup, shell }

  /// A string literal form.
  struct StringForm: Sendable {
    var open: [UInt8]
    var close: [UInt8]
    var escapes: Bool
    /// Whether the string may continue on the next line.
    var multiline: Bool

    init(open: String, close: String, escapes: Bool, multiline: Bool) {
      self.open = Array(open.utf8)
      self.close = Array(close.utf8)
      self.escapes = escapes
      self.multiline = multiline
    }
  }

  var kind = Kind.generic
  var keywords: WordSet = []
  var literals: WordSet = []
  var types: WordSet = []
  var lineComments: [[UInt8]] = []
  var blockComment: (open: [UInt8], close: [UInt8])?
  var strings: [StringForm] = []
  var caseInsensitiveKeywords = false
  /// Identifiers starting with a capital letter are types (Swift, Rust, Java, …).
  var capitalizedAreTypes = false
  /// A line starting with `#` is a preprocessor directive (C, C++).
  var preprocessor = false

  static func named(_ info: String) -> Language? {
    let name = info.split(whereSeparator: { $0 == " " || $0 == "{" || $0 == "," }).first.map { $0.lowercased() } ?? ""
    switch name {
    case "swift": return swift
    case "python", "py", "python3": return python
    case "javascript", "js", "jsx", "mjs", "cjs", "typescript", "ts", "tsx": return javascript
    case "json", "jsonc", "json5", "jsonl", "ndjson": return json
    case "sh", "bash", "shell", "zsh", "console", "shellsession", "fish": return shell
    case "go", "golang": return go
    case "rust", "rs": return rust
    case "c", "h", "cpp", "c++", "cc", "cxx", "hpp", "objc", "objective-c": return c
    case "java", "kotlin", "kt", "scala", "csharp", "cs", "c#": return java
    case "sql", "postgresql", "postgres", "mysql", "sqlite", "plsql": return sql
    case "yaml", "yml": return yaml
    case "html", "htm", "xml", "svg", "xhtml", "vue": return html
    case "diff", "patch": return diff
    case "toml", "ini", "conf", "cfg": return toml
    default: return nil
    }
  }

  private static func words(_ text: String) -> WordSet { WordSet(text.split(separator: " ")) }
  private static func bytes(_ markers: String...) -> [[UInt8]] { markers.map { Array($0.utf8) } }
  private static func pair(_ open: String, _ close: String) -> ([UInt8], [UInt8]) {
    (Array(open.utf8), Array(close.utf8))
  }

  private static let cStrings = [
    StringForm(open: "\"", close: "\"", escapes: true, multiline: false),
    StringForm(open: "'", close: "'", escapes: true, multiline: false),
  ]

  static let swift = Language(
    keywords: words(
      "actor any as associatedtype async await break case catch class continue default defer deinit do else enum extension fallthrough fileprivate final for func guard if import in indirect init inout internal is lazy let mutating nonisolated open operator override package private protocol public repeat rethrows return some static struct subscript super switch throw throws try typealias var weak where while consume borrowing consuming sending"
    ),
    literals: words("true false nil self Self"),
    lineComments: bytes("//"), blockComment: pair("/*", "*/"),
    strings: [
      StringForm(open: "\"\"\"", close: "\"\"\"", escapes: true, multiline: true),
      StringForm(open: "\"", close: "\"", escapes: true, multiline: false),
    ],
    capitalizedAreTypes: true)

  static let python = Language(
    keywords: words(
      "and as assert async await break class continue def del elif else except finally for from global if import in is lambda match case nonlocal not or pass raise return try while with yield"
    ),
    literals: words("True False None self cls"),
    types: words("int float str bytes bool list dict set tuple object type Exception"),
    lineComments: bytes("#"),
    strings: [
      StringForm(open: "\"\"\"", close: "\"\"\"", escapes: true, multiline: true),
      StringForm(open: "'''", close: "'''", escapes: true, multiline: true),
      StringForm(open: "\"", close: "\"", escapes: true, multiline: false),
      StringForm(open: "'", close: "'", escapes: true, multiline: false),
    ],
    capitalizedAreTypes: true)

  static let javascript = Language(
    keywords: words(
      "async await break case catch class const continue debugger default delete do else export extends finally for from function if import in instanceof let new of return static super switch this throw try typeof var void while with yield interface type enum implements private public protected readonly declare namespace abstract as keyof"
    ),
    literals: words("true false null undefined NaN Infinity"),
    types: words("string number boolean any unknown never object void"),
    lineComments: bytes("//"), blockComment: pair("/*", "*/"),
    strings: cStrings + [StringForm(open: "`", close: "`", escapes: true, multiline: true)],
    capitalizedAreTypes: true)

  static let json = Language(
    kind: .json, literals: words("true false null"), lineComments: bytes("//"), blockComment: pair("/*", "*/"),
    strings: [StringForm(open: "\"", close: "\"", escapes: true, multiline: false)])

  static let shell = Language(
    kind: .shell,
    keywords: words(
      "if then else elif fi for in do done case esac while until function return export local readonly declare set unset shift exit source alias break continue select time"
    ),
    lineComments: bytes("#"),
    strings: [
      StringForm(open: "\"", close: "\"", escapes: true, multiline: true),
      StringForm(open: "'", close: "'", escapes: false, multiline: true),
    ])

  static let go = Language(
    keywords: words(
      "break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var"
    ),
    literals: words("true false nil iota"),
    types: words(
      "bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any"
    ),
    lineComments: bytes("//"), blockComment: pair("/*", "*/"),
    strings: [
      StringForm(open: "`", close: "`", escapes: false, multiline: true),
      StringForm(open: "\"", close: "\"", escapes: true, multiline: false),
      StringForm(open: "'", close: "'", escapes: true, multiline: false),
    ])

  static let rust = Language(
    keywords: words(
      "as async await break const continue crate dyn else enum extern fn for if impl in let loop match mod move mut pub ref return static struct super trait type unsafe use where while"
    ),
    literals: words("true false self Self None Some Ok Err"),
    types: words(
      "i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str String Vec Option Result Box"),
    lineComments: bytes("//"), blockComment: pair("/*", "*/"),
    // Rust strings may span lines; a single quote is usually a lifetime, so it is not a string.
    strings: [StringForm(open: "\"", close: "\"", escapes: true, multiline: true)],
    capitalizedAreTypes: true)

  static let c = Language(
    keywords: words(
      "auto break case catch class const constexpr continue default delete do else enum explicit extern for friend goto if inline mutable namespace new noexcept operator private protected public register return sizeof static static_cast struct switch template this throw try typedef typename union using virtual volatile while override final nullptr"
    ),
    literals: words("true false NULL nullptr"),
    types: words(
      "void char short int long float double signed unsigned bool size_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t auto std string vector"
    ),
    lineComments: bytes("//"), blockComment: pair("/*", "*/"), strings: cStrings, preprocessor: true)

  static let java = Language(
    keywords: words(
      "abstract assert break case catch class continue default do else enum extends final finally for if implements import instanceof interface native new package private protected public return static super switch synchronized this throw throws transient try volatile while var record sealed permits yield fun val object when is in override data"
    ),
    literals: words("true false null"),
    types: words("boolean byte char double float int long short void String"),
    lineComments: bytes("//"), blockComment: pair("/*", "*/"),
    strings: [StringForm(open: "\"\"\"", close: "\"\"\"", escapes: true, multiline: true)] + cStrings,
    capitalizedAreTypes: true)

  static let sql = Language(
    keywords: words(
      "select from where and or not insert into values update set delete create table index view drop alter add column primary key foreign references join left right inner outer full cross on as group by order having limit offset union all distinct case when then else end in is like between exists begin commit rollback transaction with returning default constraint unique check if replace asc desc"
    ),
    literals: words("null true false"),
    types: words(
      "int integer bigint smallint text varchar char boolean date timestamp timestamptz numeric decimal real double serial bigserial json jsonb uuid blob"
    ),
    lineComments: bytes("--"), blockComment: pair("/*", "*/"),
    strings: [StringForm(open: "'", close: "'", escapes: false, multiline: true)],
    caseInsensitiveKeywords: true)

  static let yaml = Language(
    kind: .yaml, literals: words("true false null yes no on off ~"), lineComments: bytes("#"),
    strings: [
      StringForm(open: "\"", close: "\"", escapes: true, multiline: false),
      StringForm(open: "'", close: "'", escapes: false, multiline: false),
    ])

  static let html = Language(
    kind: .markup, blockComment: pair("<!--", "-->"),
    strings: [
      StringForm(open: "\"", close: "\"", escapes: false, multiline: true),
      StringForm(open: "'", close: "'", escapes: false, multiline: true),
    ])

  static let diff = Language(kind: .diff)

  static let toml = Language(
    kind: .yaml, literals: words("true false"), lineComments: bytes("#", ";"),
    strings: [
      StringForm(open: "\"\"\"", close: "\"\"\"", escapes: true, multiline: true),
      StringForm(open: "\"", close: "\"", escapes: true, multiline: false),
      StringForm(open: "'", close: "'", escapes: false, multiline: false),
    ])
}

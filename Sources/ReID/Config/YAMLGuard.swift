import Foundation

/// Checks YAML text before it reaches Yams, whose composer recurses once per nesting level and
/// expands aliases in full: 5,000 nested brackets overflow the stack and a billion-laughs alias
/// chain takes gigabytes. Config files and ablation plans are small, a few levels deep and never
/// need anchors or aliases, so this refuses text that is too large, too deep, or uses `&`/`*`.
///
/// The scan is conservative on purpose: it tracks quoted strings, comments and block scalars
/// (`|`, `>`) well enough not to count what is inside them, and everywhere else an `&`/`*` that
/// starts a token is taken as an anchor/alias, as YAML itself takes it.
public enum YAMLGuard {
    public static let maxBytes = 1 << 20
    public static let maxDepth = 64

    /// Throws `ReIDError.data(path: source, …)` naming the line of the first problem.
    public static func check(_ text: String, source: String) throws {
        func refuse(_ why: String) -> ReIDError { .data(path: source, reason: why) }
        let bytes = Array(text.utf8)
        guard bytes.count <= maxBytes else {
            throw refuse("is \(bytes.count) bytes; a config must be at most \(maxBytes) bytes (1 MiB)")
        }
        var indents: [Int] = [] // block indentation levels open above the current line
        var flow = 0 // open [ and { on this and earlier lines
        var quote: UInt8? = nil // inside a '…' or "…" scalar (which may span lines)
        var blockScalarIndent: Int? = nil // inside a | or > block: lines indented more than this
        var line = 0
        var lastDash = false
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            line += 1
            let content = Array(raw.last == 0x0D ? raw.dropLast() : raw[...])
            let indent = content.prefix { $0 == 0x20 }.count
            let blank = content.allSatisfy { $0 == 0x20 || $0 == 0x09 }
            if let block = blockScalarIndent {
                if blank || indent > block { continue }
                blockScalarIndent = nil
            }
            var i = indent
            if quote == nil && flow == 0 {
                if blank || content[indent] == UInt8(ascii: "#") { continue }
                while let top = indents.last, top > indent { indents.removeLast() }
                if indents.last != indent { indents.append(indent) }
                // Compact sequences (`- - - x`) nest without new lines or indentation.
                var dashes = 0
                while i + 1 < content.count, content[i] == UInt8(ascii: "-"), content[i + 1] == 0x20 {
                    dashes += 1
                    i += 2
                    while i < content.count, content[i] == 0x20 { i += 1 }
                }
                if indents.count + dashes > maxDepth { throw refuse(tooDeep(line)) }
                if dashes > 0 { lastDash = true }
            }
            var tokenStart = true
            var lastSignificant: UInt8 = lastDash ? UInt8(ascii: "-") : 0x20
            lastDash = false
            while i < content.count {
                let c = content[i]
                i += 1
                if let q = quote {
                    if c == q {
                        // '' inside single quotes is an escaped quote
                        if q == UInt8(ascii: "'"), i < content.count, content[i] == q { i += 1; continue }
                        quote = nil
                        tokenStart = false
                    } else if c == UInt8(ascii: "\\"), q == UInt8(ascii: "\"") {
                        i += 1
                    }
                    continue
                }
                switch c {
                case 0x20, 0x09:
                    tokenStart = true
                    continue
                case UInt8(ascii: "#") where tokenStart:
                    i = content.count // comment to the end of the line
                    continue
                case UInt8(ascii: "'") where tokenStart, UInt8(ascii: "\"") where tokenStart:
                    quote = c
                case UInt8(ascii: "&") where tokenStart, UInt8(ascii: "*") where tokenStart:
                    throw refuse("line \(line) uses a YAML \(c == UInt8(ascii: "&") ? "anchor (&)" : "alias (*)"); "
                        + "config files may not use anchors or aliases: write the values out (quote a value that starts with & or *)")
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    if tokenStart || flow > 0 {
                        flow += 1
                        if indents.count + flow > maxDepth { throw refuse(tooDeep(line)) }
                    }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    if flow > 0 { flow -= 1 }
                case UInt8(ascii: "|"), UInt8(ascii: ">"):
                    if tokenStart && flow == 0 && (lastSignificant == UInt8(ascii: ":") || lastSignificant == UInt8(ascii: "-")) {
                        blockScalarIndent = indent
                        i = content.count
                        continue
                    }
                default:
                    break
                }
                lastSignificant = c
                // In flow context ,[{: end a token; in block context a ": " or "- " does.
                tokenStart = flow > 0 && (c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{")
                                          || c == UInt8(ascii: ":"))
            }
        }
    }

    static func tooDeep(_ line: Int) -> String {
        "line \(line) nests deeper than \(maxDepth) levels; config files are a few levels deep"
    }
}

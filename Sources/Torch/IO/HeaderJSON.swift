import Foundation

/// A small strict JSON reader for file headers that come from untrusted files (safetensors).
///
/// Foundation's `JSONSerialization` turns every number into an `NSNumber`, which cannot tell
/// `2` from `2.0`, `true` from `1`, or a 20-digit integer from a rounded double, and its nesting
/// limit is not documented. Header numbers become shapes and byte offsets, so this reader keeps
/// each number's text (`.number("9223372036854775808")`) for the caller to check exactly, bounds
/// the nesting depth, rejects duplicate keys and invalid UTF-8, and never traps: every problem is
/// a `HeaderJSON.Failure` with the byte offset where it was found.
enum HeaderJSON: Equatable {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    /// The number exactly as written (validated JSON number syntax).
    case number(String)
    case bool(Bool)
    case null

    struct Failure: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "\(reason) at byte \(offset) of the header" }
    }

    static func == (a: HeaderJSON, b: HeaderJSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)), let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// Parses one JSON value filling `bytes` (surrounding whitespace allowed), nested at most
    /// `maxDepth` arrays/objects deep.
    static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws -> HeaderJSON {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.at == bytes.count else { throw parser.fail("unexpected data after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var at = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ reason: String) -> Failure { Failure(offset: at, reason: reason) }

        var current: UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { at += 1 }
        }

        mutating func expect(_ literal: String, _ value: HeaderJSON) throws -> HeaderJSON {
            let utf8 = Array(literal.utf8)
            guard bytes.count - at >= utf8.count, Array(bytes[at..<(at + utf8.count)]) == utf8 else {
                throw fail("invalid JSON literal")
            }
            at += utf8.count
            return value
        }

        mutating func value(depth: Int) throws -> HeaderJSON {
            guard let c = current else { throw fail("unexpected end of the JSON text") }
            switch c {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character in JSON")
            }
        }

        mutating func object(depth: Int) throws -> HeaderJSON {
            guard depth <= maxDepth else { throw fail("JSON nested more than \(maxDepth) levels deep") }
            at += 1
            var members: [(key: String, value: HeaderJSON)] = []
            var seen = Set<String>()
            skipWhitespace()
            if current == UInt8(ascii: "}") { at += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a quoted key in a JSON object") }
                let key = try string()
                guard seen.insert(key).inserted else { throw fail("key '\(key)' appears twice in one JSON object") }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' after key '\(key)'") }
                at += 1
                skipWhitespace()
                members.append((key, try value(depth: depth)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ",")?: at += 1
                case UInt8(ascii: "}")?: at += 1; return .object(members)
                default: throw fail("expected ',' or '}' in a JSON object")
                }
            }
        }

        mutating func array(depth: Int) throws -> HeaderJSON {
            guard depth <= maxDepth else { throw fail("JSON nested more than \(maxDepth) levels deep") }
            at += 1
            var items: [HeaderJSON] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { at += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ",")?: at += 1
                case UInt8(ascii: "]")?: at += 1; return .array(items)
                default: throw fail("expected ',' or ']' in a JSON array")
                }
            }
        }

        /// JSON number syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as text.
        mutating func number() throws -> String {
            let start = at
            func digits() -> Int {
                let from = at
                while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { at += 1 }
                return at - from
            }
            if current == UInt8(ascii: "-") { at += 1 }
            if current == UInt8(ascii: "0") {
                at += 1
            } else if digits() == 0 {
                throw fail("invalid JSON number")
            }
            if current == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw fail("invalid JSON number") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                at += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw fail("invalid JSON number") }
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        mutating func hex4() throws -> UInt32 {
            guard bytes.count - at >= 4 else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[at]
                let digit: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | digit
                at += 1
            }
            return v
        }

        mutating func string() throws -> String {
            at += 1 // opening quote
            var out: [UInt8] = []
            while true {
                guard let c = current else { throw fail("unterminated JSON string") }
                at += 1
                switch c {
                case UInt8(ascii: "\""):
                    guard let text = String(bytes: out, encoding: .utf8) else {
                        throw fail("a JSON string is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    guard let e = current else { throw fail("unterminated JSON string") }
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard bytes.count - at >= 2, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u")
                            else { throw fail("unpaired UTF-16 surrogate in a JSON string") }
                            at += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired UTF-16 surrogate in a JSON string") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape in a JSON string") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: throw fail("invalid escape in a JSON string")
                    }
                case 0x00..<0x20: throw fail("control character in a JSON string")
                default: out.append(c)
                }
            }
        }
    }
}

import Foundation

/// The header of a safetensors file, checked number by number before any byte is read.
///
/// The header comes from the file, so every number in it is hostile until checked: a shape of
/// `[2^31, 2^31]` or offsets near 2^63 must not trap on overflow, and a byte range outside the
/// data section must not reach libtorch's copy. All arithmetic here reports overflow instead of
/// trapping, and every problem is a `Problem` whose text says which entry and what is wrong.
struct SafetensorsHeader {
    struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        /// Byte range in the file (absolute, already checked to lie inside it).
        let bytes: Range<Int>
    }

    struct Problem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Python's safetensors refuses headers over 100 MB; so do we (a header is a few KB).
    static let maxHeaderBytes = 100_000_000
    /// A header is three levels deep ({name: {shape: [..]}}); deeper JSON is not a header.
    static let maxJSONDepth = 16
    /// libtorch has no hard limit, but no real tensor comes near this many dimensions.
    static let maxRank = 64

    let entries: [Entry]
    let metadata: [String: String]

    /// Parses and checks the header at the start of `file` (the whole file's bytes).
    init(file: Data) throws {
        guard file.count >= 8 else { throw Problem("shorter than its 8-byte header length") }
        let start = file.startIndex
        var length: UInt64 = 0
        for k in 0..<8 { length |= UInt64(file[start + k]) << (8 * UInt64(k)) }
        let available = file.count - 8
        guard length <= UInt64(Self.maxHeaderBytes) else {
            throw Problem("header length \(length) is over the \(Self.maxHeaderBytes)-byte limit")
        }
        guard length <= UInt64(available) else {
            throw Problem("header length \(length) exceeds the \(available) bytes after it (truncated file?)")
        }
        let headerEnd = 8 + Int(length)
        let json: HeaderJSON
        do {
            json = try HeaderJSON.parse(Array(file[(start + 8)..<(start + headerEnd)]), maxDepth: Self.maxJSONDepth)
        } catch let failure as HeaderJSON.Failure {
            throw Problem("header is not valid JSON: \(failure)")
        }
        guard case .object(let members) = json else { throw Problem("header is not a JSON object") }
        let dataCount = file.count - headerEnd
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.metadata(value)
                continue
            }
            let entry = try Self.entry(name, value, dataCount: dataCount)
            entries.append(Entry(name: name, dtype: entry.dtype, shape: entry.shape,
                                 bytes: (headerEnd + entry.bytes.lowerBound)..<(headerEnd + entry.bytes.upperBound)))
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// `__metadata__` is a flat string → string map in the format; anything else is an error
    /// rather than being dropped silently.
    static func metadata(_ value: HeaderJSON) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw Problem("__metadata__ must be an object of string values")
        }
        var out: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw Problem("__metadata__ key '\(key)' must have a string value")
            }
            out[key] = text
        }
        return out
    }

    /// One tensor entry: `{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}` with
    /// offsets relative to the data section of `dataCount` bytes.
    static func entry(_ name: String, _ value: HeaderJSON, dataCount: Int) throws
        -> (dtype: DType, shape: [Int], bytes: Range<Int>)
    {
        func problem(_ why: String) -> Problem { Problem("entry '\(name)' \(why)") }
        guard case .object(let members) = value else { throw problem("is not a JSON object") }
        let fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        guard case .string(let code)? = fields["dtype"] else { throw problem("lacks a string dtype") }
        guard let dtype = Safetensors.codes[code] else {
            throw problem("has unsupported dtype '\(code)' (supported: \(Safetensors.codes.keys.sorted().joined(separator: ", ")))")
        }
        guard case .array(let shapeItems)? = fields["shape"] else { throw problem("lacks a shape list") }
        guard shapeItems.count <= maxRank else { throw problem("has \(shapeItems.count) dimensions (at most \(maxRank))") }
        let shape = try shapeItems.map { try integer($0, "shape dimension", of: name) }
        guard case .array(let offsetItems)? = fields["data_offsets"], offsetItems.count == 2 else {
            throw problem("lacks data_offsets [begin, end]")
        }
        let begin = try integer(offsetItems[0], "data_offsets begin", of: name)
        let end = try integer(offsetItems[1], "data_offsets end", of: name)
        guard begin <= end else { throw problem("has data_offsets begin \(begin) after end \(end)") }
        guard end <= dataCount else {
            throw problem("has data_offsets [\(begin), \(end)] past the \(dataCount)-byte data section (truncated file?)")
        }
        // Element count × element size must equal the span, computed without overflow. The
        // product of the dimensions counted as at least 1 bounds libtorch's strides as well.
        var elements = 1, strides = 1
        for d in shape {
            let (e, eOverflow) = elements.multipliedReportingOverflow(by: d)
            let (s, sOverflow) = strides.multipliedReportingOverflow(by: max(d, 1))
            guard !eOverflow, !sOverflow else { throw problem("has a shape \(shape) too large to address") }
            (elements, strides) = (e, s)
        }
        let (needed, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, needed == end - begin else {
            throw problem("has \(end - begin) bytes of data, but \(code) shape \(shape) needs "
                + (overflow ? "more than 2^63" : "\(needed)"))
        }
        return (dtype, shape, begin..<end)
    }

    /// A non-negative integer written as plain digits: `2.0`, `1e3`, `true`, strings and numbers
    /// beyond Int64 are errors, not rounded.
    static func integer(_ value: HeaderJSON, _ what: String, of name: String) throws -> Int {
        guard case .number(let text) = value else {
            throw Problem("entry '\(name)' has a \(what) that is not a number")
        }
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw Problem("entry '\(name)' has \(what) \(text), which is not an integer")
        }
        guard let v = Int(text) else { throw Problem("entry '\(name)' has \(what) \(text), which is too large") }
        guard v >= 0 else { throw Problem("entry '\(name)' has a negative \(what) (\(v))") }
        return v
    }
}

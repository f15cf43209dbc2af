import Foundation

/// The text fields of a request (multipart form fields and, for search, query parameters),
/// checked against the fields an endpoint accepts. Every accessor validates: a value that is not
/// of its kind or out of range is a 400 naming the field, never a stored bad value or a 500.
struct FormFields {
    let values: [String: String]

    /// Refuses fields the endpoint does not know, so a misspelt `camer=3` is not silently ignored.
    init(_ values: [String: String], allowed: Set<String>, endpoint: String) throws {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(.badRequest, "\(endpoint) does not take a field '\(Self.printable(unknown))'; "
                           + "it takes \(allowed.sorted().joined(separator: ", "))")
        }
        self.values = values
    }

    /// An integer in `range`, or nil when the field is absent.
    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw APIError(.badRequest, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), "
                           + "not '\(Self.printable(text))'")
        }
        return value
    }

    /// A finite number in `range`, or nil when the field is absent (`inf` and `nan` are refused).
    func double(_ name: String, in range: ClosedRange<Double>, meaning: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value) else {
            throw APIError(.badRequest, "\(name) must be \(meaning), a finite number from \(Self.plain(range.lowerBound)) "
                           + "to \(Self.plain(range.upperBound)), not '\(Self.printable(text))'")
        }
        return value
    }

    /// true/false (also 1/0, yes/no), or nil when the field is absent.
    func bool(_ name: String) throws -> Bool? {
        guard let text = values[name] else { return nil }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw APIError(.badRequest, "\(name) must be true or false, not '\(Self.printable(text))'")
        }
    }

    /// A value as it may be echoed in an error: at most 40 characters, control characters dropped.
    static func printable(_ text: String) -> String {
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
        return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
    }

    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

import Foundation
import Yams

/// Loads a Codable config from YAML on top of its defaults.
///
/// The defaults are encoded to a tree, the YAML file's tree is merged over it, `--set a.b=value`
/// overrides are applied, and the result is decoded. Every key in the file or an override must
/// exist in the defaults, so a typo fails with a message naming the key (and the closest known
/// key) instead of being silently ignored.
public enum ConfigLoader {
    public static func load<C: Codable>(_ type: C.Type, defaults: C, yamlFile: String?,
                                        overrides: [String] = []) throws -> C {
        var tree = try toTree(defaults)
        let known = tree
        if let yamlFile {
            let text = try readGuarded(yamlFile, what: "config file")
            let parsed: Any?
            do { parsed = try Yams.load(yaml: text) } catch {
                throw ReIDError.data(path: yamlFile, reason: "is not valid YAML: \(error)")
            }
            if let parsed {
                guard let mapping = parsed as? [String: Any] else {
                    throw ReIDError.data(path: yamlFile, reason: "must be a YAML mapping of sections (key: value)")
                }
                try merge(mapping, into: &tree, known: known, path: "", source: yamlFile)
            }
        }
        for override in overrides {
            try apply(override: override, to: &tree, known: known)
        }
        try rejectNonFinite(tree, path: "")
        let config: C
        do {
            let data = try JSONSerialization.data(withJSONObject: tree)
            config = try JSONDecoder().decode(C.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ReIDError.invalidOption("config key '\(key)' has a value of the wrong type: \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ReIDError.invalidOption("config key '\(key)': \(context.debugDescription)")
        }
        if let validated = config as? any ValidatedConfig { try validated.validate() }
        return config
    }

    /// The text of a YAML file (a config or an ablation plan) that `YAMLGuard` accepts: the size
    /// is checked before reading, depth and anchors before parsing.
    public static func readGuarded(_ path: String, what: String) throws -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= YAMLGuard.maxBytes else {
            throw ReIDError.data(path: path, reason: "is \(size) bytes; a \(what) must be at most \(YAMLGuard.maxBytes) bytes (1 MiB)")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ReIDError.data(path: path, reason: "cannot read the \(what) (missing, unreadable or not UTF-8 text)")
        }
        try YAMLGuard.check(text, source: path)
        return text
    }

    /// NaN and infinities cannot be written as JSON, and no config value may be one: name the key
    /// here instead of failing in JSONSerialization with a message that names nothing.
    static func rejectNonFinite(_ value: Any, path: String) throws {
        switch value {
        case let map as [String: Any]:
            for (key, item) in map { try rejectNonFinite(item, path: path.isEmpty ? key : "\(path).\(key)") }
        case let list as [Any]:
            for item in list { try rejectNonFinite(item, path: path) }
        case let number as NSNumber:
            let v = number.doubleValue
            if !v.isFinite { throw ReIDError.invalidOption("config key '\(path)' must be a finite number, not \(v)") }
        default:
            break
        }
    }

    /// The config as YAML (what a run writes to config.yaml).
    public static func yaml<C: Encodable>(_ config: C) throws -> String {
        try YAMLEncoder().encode(config)
    }

    static func toTree<C: Encodable>(_ value: C) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func merge(_ source: [String: Any], into tree: inout [String: Any], known: [String: Any], path: String,
                      source file: String) throws {
        for (key, value) in source {
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard let existing = known[key] else { throw unknownKey(full, among: Array(known.keys), in: file) }
            if let nestedKnown = existing as? [String: Any] {
                guard let nestedSource = value as? [String: Any] else {
                    throw ReIDError.invalidOption("\(file): config key '\(full)' is a section; give it sub-keys (\(nestedKnown.keys.sorted().joined(separator: ", ")))")
                }
                var nestedTree = tree[key] as? [String: Any] ?? nestedKnown
                try merge(nestedSource, into: &nestedTree, known: nestedKnown, path: full, source: file)
                tree[key] = nestedTree
            } else {
                tree[key] = normalise(value)
            }
        }
    }

    static func apply(override: String, to tree: inout [String: Any], known: [String: Any]) throws {
        guard let eq = override.firstIndex(of: "=") else {
            throw ReIDError.invalidOption("--set '\(override)': write key.path=value, e.g. --set optimizer.lr=0.00035")
        }
        let keys = override[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains(where: \.isEmpty) else {
            throw ReIDError.invalidOption("--set '\(override)': the key before '=' must be a dotted key path such as optimizer.lr")
        }
        let text = String(override[override.index(after: eq)...])
        try YAMLGuard.check(text, source: "--set \(override[..<eq])")
        let value = normalise((try? Yams.load(yaml: text)).flatMap { $0 } ?? text)
        try set(keys[...], value: value, in: &tree, known: known, path: "")
    }

    static func set(_ keys: ArraySlice<String>, value: Any, in tree: inout [String: Any], known: [String: Any],
                    path: String) throws {
        guard let key = keys.first else { return }
        let full = path.isEmpty ? key : "\(path).\(key)"
        guard let existing = known[key] else { throw unknownKey(full, among: Array(known.keys), in: "--set") }
        if keys.count == 1 {
            if existing is [String: Any] {
                throw ReIDError.invalidOption("--set \(full): '\(full)' is a section; set one of its keys")
            }
            tree[key] = value
        } else {
            guard let nestedKnown = existing as? [String: Any] else {
                throw ReIDError.invalidOption("--set: '\(full)' is a value, not a section")
            }
            var nested = tree[key] as? [String: Any] ?? nestedKnown
            try set(keys.dropFirst(), value: value, in: &nested, known: nestedKnown, path: full)
            tree[key] = nested
        }
    }

    /// YAML gives Int/Double/Bool/String/arrays/maps; JSONSerialization needs Foundation types.
    static func normalise(_ value: Any) -> Any {
        switch value {
        case let v as [Any]: return v.map(normalise)
        case let v as [String: Any]: return v.mapValues(normalise)
        case let v as Int: return NSNumber(value: v)
        case let v as Double: return NSNumber(value: v)
        case let v as Bool: return NSNumber(value: v)
        default: return value
        }
    }

    static func unknownKey(_ key: String, among known: [String], in source: String) -> ReIDError {
        let last = String(key.split(separator: ".").last ?? Substring(key))
        // A key that starts the same way (lr for lrate, epochs for epoch) beats a merely close one.
        let prefixed = known.filter { last.hasPrefix($0) || $0.hasPrefix(last) }
        let suggestion = (prefixed.isEmpty ? known : prefixed).min { editDistance($0, last) < editDistance($1, last) }
        let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
        return .invalidOption("\(source): unknown config key '\(key)'\(hint); known keys here: \(known.sorted().joined(separator: ", "))")
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}

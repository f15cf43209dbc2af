/// A config that checks its own values after decoding. `ConfigLoader.load` calls `validate()`
/// on every config it loads (defaults, file and `--set` overrides together), so a zero batch
/// size or a NaN learning rate is an error naming the key before any training starts, instead
/// of a trap deep inside the sampler or a silently diverging run.
public protocol ValidatedConfig {
    func validate() throws
}

/// Checks the numbers of one config section; errors name the full key (`optimizer.lr`).
public struct ConfigRules {
    public let section: String

    public init(_ section: String) { self.section = section }

    /// 0 rather than 0.0 in messages; other values as Swift prints them.
    static func show(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }

    func fail(_ key: String, _ rule: String, _ value: String) -> ReIDError {
        .invalidOption("config key '\(section).\(key)' must be \(rule), not \(value)")
    }

    /// A finite number in `range` (open ends written by `above`/`below` when the limit itself is excluded).
    public func number(_ key: String, _ value: Double, atLeast low: Double = -.greatestFiniteMagnitude,
                       above: Double? = nil, atMost high: Double = .greatestFiniteMagnitude, below: Double? = nil) throws {
        var rule: [String] = []
        if let above { rule.append("> \(Self.show(above))") } else if low > -.greatestFiniteMagnitude { rule.append("≥ \(Self.show(low))") }
        if let below { rule.append("< \(Self.show(below))") } else if high < .greatestFiniteMagnitude { rule.append("≤ \(Self.show(high))") }
        let text = "a finite number" + (rule.isEmpty ? "" : " " + rule.joined(separator: " and "))
        guard value.isFinite, value >= low, value <= high,
              above.map({ value > $0 }) ?? true, below.map({ value < $0 }) ?? true
        else { throw fail(key, text, Self.show(value)) }
    }

    /// A probability or fraction: a finite number in [0, 1].
    public func fraction(_ key: String, _ value: Double) throws { try number(key, value, atLeast: 0, atMost: 1) }

    /// An integer in `low...high`.
    public func integer(_ key: String, _ value: Int, atLeast low: Int, atMost high: Int = Int.max) throws {
        guard value >= low, value <= high else {
            throw fail(key, "an integer ≥ \(low)" + (high < Int.max ? " and ≤ \(high)" : ""), "\(value)")
        }
    }
}

import Foundation

/// One variant of a seeded ablation (`reid ablation --seeds`): its runs' metrics as mean ± sample
/// standard deviation, and how it compares with the reference variant's mean. Following the
/// project's rule that one run is not a result, a difference in mean mAP no larger than the
/// spread (the larger of the two standard deviations) is called "no effect".
public struct AblationSeedSummary: Sendable {
    public let name: String
    public let seeds: [UInt64]
    public let rank1: Spread
    public let mAP: Spread
    public let seconds: Spread

    public struct Spread: Sendable {
        public let values: [Double]
        public var mean: Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        /// Sample standard deviation (n − 1); nan for fewer than two values.
        public var std: Double {
            guard values.count > 1 else { return .nan }
            let m = mean
            return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
        public var min: Double { values.min() ?? .nan }
    }

    public init(name: String, rows: [AblationRow]) {
        self.name = name
        seeds = rows.compactMap(\.seed)
        rank1 = Spread(values: rows.map(\.rank1))
        mAP = Spread(values: rows.map(\.mAP))
        seconds = Spread(values: rows.map(\.seconds))
    }

    /// Summaries in the order of `names`, of variants with at least one finished run.
    public static func of(_ rows: [AblationRow], names: [String]) -> [AblationSeedSummary] {
        names.compactMap { name in
            let own = rows.filter { $0.name == name }
            return own.isEmpty ? nil : AblationSeedSummary(name: name, rows: own)
        }
    }

    /// Mean mAP minus the reference's mean mAP.
    public func mAPDifference(from reference: AblationSeedSummary) -> Double { mAP.mean - reference.mAP.mean }

    /// How many of this variant's runs end above the reference's mean mAP.
    public func runsAbove(_ reference: AblationSeedSummary) -> Int { mAP.values.filter { $0 > reference.mAP.mean }.count }

    /// "helps", "hurts" or "no effect" (difference within the spread); "–" without two seeds on each side.
    public func verdict(against reference: AblationSeedSummary) -> String {
        if name == reference.name { return "reference" }
        let spread = Swift.max(mAP.std, reference.mAP.std)
        guard spread.isFinite else { return "–" }
        let d = mAPDifference(from: reference)
        return abs(d) <= spread ? "no effect" : (d > 0 ? "helps" : "hurts")
    }

    public func json(reference: AblationSeedSummary?) -> [String: Any] {
        func finite(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
        var out: [String: Any] = [
            "name": name, "seeds": seeds.map { Int($0) },
            "rank1_mean": finite(rank1.mean), "rank1_std": finite(rank1.std),
            "mAP_mean": finite(mAP.mean), "mAP_std": finite(mAP.std), "mAP_min": finite(mAP.min), "mAP_values": mAP.values,
            "seconds_mean": finite(seconds.mean),
        ]
        if let reference {
            out["mAP_difference"] = finite(mAPDifference(from: reference))
            out["runs_above_reference_mean"] = runsAbove(reference)
            out["verdict"] = verdict(against: reference)
        }
        return out
    }
}

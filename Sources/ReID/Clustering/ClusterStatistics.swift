import Foundation

/// How a clustering compares with the true identities (when a dataset has them), as logged each
/// epoch: clusters, outliers, sizes, and NMI, ARI and purity on the clustered points.
public struct ClusterStatistics: Codable, Sendable, Equatable {
    public var clusters: Int
    public var outliers: Int
    public var largest: Int
    public var meanSize: Double
    /// Against the true ids, on points that are not outliers; nil when ids are unknown.
    public var nmi: Double?
    public var ari: Double?
    public var purity: Double?

    public init(labels: [Int], truth: [Int]? = nil) {
        let clustered = labels.indices.filter { labels[$0] >= 0 }
        var sizes: [Int: Int] = [:]
        for i in clustered { sizes[labels[i], default: 0] += 1 }
        clusters = sizes.count
        outliers = labels.count - clustered.count
        largest = sizes.values.max() ?? 0
        meanSize = clusters > 0 ? Double(clustered.count) / Double(clusters) : 0
        if let truth, truth.count == labels.count, !clustered.isEmpty {
            let a = clustered.map { labels[$0] }, b = clustered.map { truth[$0] }
            ari = ClusterStatistics.adjustedRandIndex(a, b)
            nmi = ClusterStatistics.normalizedMutualInformation(a, b)
            purity = ClusterStatistics.purity(a, b)
        }
    }

    static func contingency(_ a: [Int], _ b: [Int]) -> (table: [Int: [Int: Int]], rows: [Int: Int], cols: [Int: Int]) {
        var table: [Int: [Int: Int]] = [:], rows: [Int: Int] = [:], cols: [Int: Int] = [:]
        for (x, y) in zip(a, b) {
            table[x, default: [:]][y, default: 0] += 1
            rows[x, default: 0] += 1
            cols[y, default: 0] += 1
        }
        return (table, rows, cols)
    }

    /// Hubert & Arabie's adjusted Rand index (scikit-learn's `adjusted_rand_score`).
    public static func adjustedRandIndex(_ a: [Int], _ b: [Int]) -> Double {
        let (table, rows, cols) = contingency(a, b)
        func pairs(_ n: Int) -> Double { Double(n) * Double(n - 1) / 2 }
        let index = table.values.flatMap(\.values).reduce(0.0) { $0 + pairs($1) }
        let sumRows = rows.values.reduce(0.0) { $0 + pairs($1) }, sumCols = cols.values.reduce(0.0) { $0 + pairs($1) }
        let total = pairs(a.count)
        guard total > 0 else { return 1 }
        let expected = sumRows * sumCols / total
        let maximum = (sumRows + sumCols) / 2
        return maximum == expected ? 1 : (index - expected) / (maximum - expected)
    }

    /// Mutual information over the arithmetic mean of the entropies (scikit-learn's default).
    public static func normalizedMutualInformation(_ a: [Int], _ b: [Int]) -> Double {
        let (table, rows, cols) = contingency(a, b)
        let n = Double(a.count)
        var mi = 0.0
        for (x, row) in table {
            for (y, count) in row {
                let p = Double(count) / n
                mi += p * Foundation.log(p / (Double(rows[x]!) / n * Double(cols[y]!) / n))
            }
        }
        func entropy(_ counts: [Int: Int]) -> Double {
            counts.values.reduce(0.0) { let p = Double($1) / n; return $0 - p * Foundation.log(p) }
        }
        let h = (entropy(rows) + entropy(cols)) / 2
        return h > 0 ? mi / h : 1
    }

    /// Fraction of points whose cluster's most common true id is theirs.
    public static func purity(_ a: [Int], _ b: [Int]) -> Double {
        let (table, _, _) = contingency(a, b)
        return Double(table.values.reduce(0) { $0 + ($1.values.max() ?? 0) }) / Double(max(a.count, 1))
    }

    public var logValues: [String: Double] {
        var out: [String: Double] = ["clusters": Double(clusters), "outliers": Double(outliers)]
        if let nmi { out["nmi"] = nmi }
        if let ari { out["ari"] = ari }
        if let purity { out["purity"] = purity }
        return out
    }
}

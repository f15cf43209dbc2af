import Dispatch
import Foundation
import Torch

/// CMC, mAP and mINP under the Market-1501 protocol, with the same definitions as fast-reid's
/// `eval_market1501`:
/// - for each query, gallery images of the same identity taken by the same camera are removed;
/// - a query with no remaining true match is skipped (not counted);
/// - CMC@k is the fraction of valid queries with a true match in the top k;
/// - AP is the mean, over the true matches, of the precision at each match's rank;
/// - INP is (number of true matches) / (1 + rank of the last true match).
/// Ties in distance are broken by gallery order, as a stable sort does.
public struct RankingMetrics: Codable, Equatable, Sendable {
    /// cmc[k-1] is Rank-k.
    public var cmc: [Double]
    public var mAP: Double
    public var mINP: Double
    public var validQueries: Int
    public var totalQueries: Int

    public var rank1: Double { cmc.count > 0 ? cmc[0] : 0 }
    public var rank5: Double { cmc.count > 4 ? cmc[4] : cmc.last ?? 0 }
    public var rank10: Double { cmc.count > 9 ? cmc[9] : cmc.last ?? 0 }

    /// The summary scripts read: fractions, not percentages.
    public var summary: [String: Double] {
        ["rank1": rank1, "rank5": rank5, "rank10": rank10, "mAP": mAP, "mINP": mINP]
    }
}

/// Identity and camera of each query and gallery item, as the protocol needs them.
public struct EvaluationLabels: Sendable {
    public var queryPids: [Int]
    public var galleryPids: [Int]
    public var queryCams: [Int]
    public var galleryCams: [Int]

    public init(queryPids: [Int], galleryPids: [Int], queryCams: [Int], galleryCams: [Int]) throws {
        guard queryPids.count == queryCams.count else {
            throw ReIDError.invalidOption("query_pids has \(queryPids.count) entries but query_cams \(queryCams.count)")
        }
        guard galleryPids.count == galleryCams.count else {
            throw ReIDError.invalidOption("gallery_pids has \(galleryPids.count) entries but gallery_cams \(galleryCams.count)")
        }
        self.queryPids = queryPids
        self.galleryPids = galleryPids
        self.queryCams = queryCams
        self.galleryCams = galleryCams
    }
}

extension RankingMetrics {
    /// Evaluates a row-major query × gallery distance matrix (smaller is closer).
    ///
    /// Only the ranks of each query's true matches matter, so instead of sorting the whole row it
    /// counts, for each true match, the kept gallery items ahead of it: O(G log M) per query with
    /// M true matches, run in parallel over queries.
    public static func evaluate(distances: [Float], labels: EvaluationLabels, maxRank: Int = 50) throws -> RankingMetrics {
        let q = labels.queryPids.count, g = labels.galleryPids.count
        guard distances.count == q * g else {
            throw ReIDError.invalidOption("distance matrix has \(distances.count) values, but \(q) queries × \(g) gallery items need \(q * g)")
        }
        let maxRank = min(maxRank, g)
        // Gallery indices per identity, so true matches are found without scanning the row.
        let byPid = Dictionary(grouping: 0..<g, by: { labels.galleryPids[$0] })

        struct QueryResult { var firstRank: Int; var ap: Double; var inp: Double; var valid: Bool }
        var results = [QueryResult](repeating: QueryResult(firstRank: 0, ap: 0, inp: 0, valid: false), count: q)
        results.withUnsafeMutableBufferPointer { out in
            let sink = UnsafeSendablePointer(out.baseAddress!)
            distances.withUnsafeBufferPointer { dist in
                let base = UnsafeSendablePointer(UnsafeMutablePointer(mutating: dist.baseAddress!))
                let workers = ProcessInfo.processInfo.activeProcessorCount
                let chunk = (q + workers - 1) / max(workers, 1)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for i in (w * chunk)..<min(q, (w + 1) * chunk) {
                        let row = base.pointer + i * g
                        let qp = labels.queryPids[i], qc = labels.queryCams[i]
                        // True matches in other cameras, ordered as a stable sort would order them.
                        let matches = (byPid[qp] ?? []).filter { labels.galleryCams[$0] != qc }
                            .sorted { (row[$0], $0) < (row[$1], $1) }
                        guard !matches.isEmpty else { continue }
                        let keys = matches.map { (row[$0], $0) }
                        // ahead[m] counts kept gallery items ranked before match m.
                        var ahead = [Int](repeating: 0, count: matches.count)
                        for j in 0..<g {
                            if labels.galleryPids[j] == qp { continue }  // matches counted separately; junk removed
                            let key = (row[j], j)
                            // first match that ranks after this item
                            var lo = 0, hi = keys.count
                            while lo < hi {
                                let mid = (lo + hi) / 2
                                if keys[mid] < key { lo = mid + 1 } else { hi = mid }
                            }
                            if lo < keys.count { ahead[lo] += 1 }
                        }
                        // prefix sums: items before match m = sum of ahead[0...m]
                        var before = 0, ap = 0.0
                        var ranks = [Int](repeating: 0, count: matches.count)
                        for m in 0..<matches.count {
                            before += ahead[m]
                            ranks[m] = before + m  // 0-based rank among kept items
                            ap += Double(m + 1) / Double(ranks[m] + 1)
                        }
                        sink.pointer[i] = QueryResult(
                            firstRank: ranks[0], ap: ap / Double(matches.count),
                            inp: Double(matches.count) / Double(ranks[matches.count - 1] + 1), valid: true)
                    }
                }
            }
        }
        let valid = results.filter(\.valid)
        guard !valid.isEmpty else {
            throw ReIDError.invalidOption("no query has a true match in the gallery from another camera; check the ids and cameras")
        }
        var cmc = [Double](repeating: 0, count: maxRank)
        for r in valid where r.firstRank < maxRank {
            for k in r.firstRank..<maxRank { cmc[k] += 1 }
        }
        // fast-reid accumulates CMC in float32; the mean is the same to float precision.
        cmc = cmc.map { Double(Float($0) / Float(valid.count)) }
        return RankingMetrics(cmc: cmc, mAP: valid.map(\.ap).reduce(0, +) / Double(valid.count),
                              mINP: valid.map(\.inp).reduce(0, +) / Double(valid.count),
                              validQueries: valid.count, totalQueries: q)
    }
}

import Foundation

/// Which queries a report shows ranked lists for.
public enum QuerySelection: Sendable, Equatable {
    /// The first queries, in query order.
    case first
    /// Queries drawn without replacement by a seeded generator, shown in query order.
    case seededSample(seed: UInt64)
    /// The queries with the lowest average precision (ties in query order); queries without a
    /// true match have no AP and are not chosen.
    case worst
}

/// The top of one query's ranking under the Market-1501 protocol: gallery items of the query's
/// identity taken by the query's camera are left out, as the evaluation leaves them out.
public struct RankedList: Sendable {
    public struct Entry: Sendable, Equatable {
        public var galleryIndex: Int
        public var distance: Float
        /// Same identity as the query; nil when the query's identity is unknown.
        public var isMatch: Bool?
    }

    public var queryIndex: Int
    public var entries: [Entry]
    /// The query's AP over the whole ranking; nil when it has no true match.
    public var averagePrecision: Double?

    /// The `top` closest gallery items of query `queryIndex` in a row-major Q×G distance matrix.
    /// Ties are broken by gallery order, as the evaluation breaks them.
    public init(queryIndex: Int, distances: [Float], query: [ImageRecord], gallery: [ImageRecord], top: Int = 10) throws {
        try RankedList.checkShape(distances: distances, query: query, gallery: gallery)
        guard query.indices.contains(queryIndex) else {
            throw ReIDError.invalidOption("query index \(queryIndex) is outside 0..<\(query.count)")
        }
        let g = gallery.count, q = query[queryIndex]
        let row = distances[(queryIndex * g)..<((queryIndex + 1) * g)]
        let base = row.startIndex
        let kept = (0..<g).filter { !RankedList.isJunk(q, gallery[$0]) }
        let order = kept.sorted { (row[base + $0], $0) < (row[base + $1], $1) }
        self.queryIndex = queryIndex
        entries = order.prefix(max(0, top)).map {
            Entry(galleryIndex: $0, distance: row[base + $0], isMatch: q.pid < 0 ? nil : gallery[$0].pid == q.pid)
        }
        averagePrecision = RankedList.averagePrecision(row: Array(row), query: q, gallery: gallery)
    }

    /// Same identity and same camera as a labelled query: removed by the protocol.
    static func isJunk(_ q: ImageRecord, _ g: ImageRecord) -> Bool {
        q.pid >= 0 && g.pid == q.pid && g.camera == q.camera
    }

    static func checkShape(distances: [Float], query: [ImageRecord], gallery: [ImageRecord]) throws {
        guard distances.count == query.count * gallery.count else {
            throw ReIDError.invalidOption(
                "distance matrix has \(distances.count) values, but \(query.count) queries × \(gallery.count) gallery items need \(query.count * gallery.count)")
        }
    }

    /// AP of one query: the mean over its true matches of the precision at each match's rank.
    /// Counts the kept items ahead of each match instead of sorting the row.
    static func averagePrecision(row: [Float], query q: ImageRecord, gallery: [ImageRecord]) -> Double? {
        guard q.pid >= 0 else { return nil }
        let keys = gallery.indices.filter { gallery[$0].pid == q.pid && gallery[$0].camera != q.camera }
            .map { (row[$0], $0) }.sorted { $0 < $1 }
        guard !keys.isEmpty else { return nil }
        var ahead = [Int](repeating: 0, count: keys.count)
        for j in gallery.indices where gallery[j].pid != q.pid {
            let key = (row[j], j)
            var lo = 0, hi = keys.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if keys[mid] < key { lo = mid + 1 } else { hi = mid }
            }
            if lo < keys.count { ahead[lo] += 1 }
        }
        var before = 0, ap = 0.0
        for m in keys.indices {
            before += ahead[m]
            ap += Double(m + 1) / Double(before + m + 1)
        }
        return ap / Double(keys.count)
    }

    /// Indices of `count` queries chosen by `selection`, in query order (worst first for `.worst`).
    public static func chooseQueries(_ count: Int, by selection: QuerySelection, distances: [Float],
                                     query: [ImageRecord], gallery: [ImageRecord]) throws -> [Int] {
        try checkShape(distances: distances, query: query, gallery: gallery)
        let n = min(max(0, count), query.count)
        switch selection {
        case .first:
            return Array(0..<n)
        case .seededSample(let seed):
            var random = SeededRandom(seed: seed)
            var indices = Array(query.indices)
            // Partial Fisher–Yates: the first n places hold the sample.
            for i in 0..<n {
                let j = Int.random(in: i..<indices.count, using: &random)
                indices.swapAt(i, j)
            }
            return indices.prefix(n).sorted()
        case .worst:
            let g = gallery.count
            let aps: [(Int, Double)] = query.indices.compactMap { i in
                averagePrecision(row: Array(distances[(i * g)..<((i + 1) * g)]), query: query[i], gallery: gallery)
                    .map { (i, $0) }
            }
            return aps.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(n).map(\.0)
        }
    }
}

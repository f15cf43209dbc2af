import Dispatch
import Foundation
import Torch

/// k-reciprocal re-ranking (Zhong et al., CVPR 2017) with the definitions of fast-reid's
/// `re_ranking(q_g, q_q, g_g, k1, k2, λ)`: the chosen distance is squared and each row of the
/// (query+gallery)² matrix divided by its maximum; the final distance is
/// (1 − λ)·Jaccard + λ·original on query rows and gallery columns.
///
/// Unlike the dense reference it never holds an N×N matrix: distances are made in row blocks
/// (libtorch) over the upper triangle only (`SymmetricNeighbourScan`), only each row's k1+1
/// nearest neighbours (faiss heaps) and maximum are kept, the encodings V are sparse rows, and
/// the Jaccard sums run over an inverted index, in parallel. Memory is the [Q, G] result plus
/// one block of rows.
public struct KReciprocalReranking: Sendable {
    public var k1: Int
    public var k2: Int
    public var lambda: Double
    public var metric: DistanceMetric
    /// Rows of the distance matrix computed at once (2048 × N floats, 0.8 GB at MSMT17 scale;
    /// 1024 and 2048 time the same at Market scale, 4096 is slower).
    public var blockRows = 2048

    public init(k1: Int = 20, k2: Int = 6, lambda: Double = 0.3, metric: DistanceMetric = .cosine) {
        self.k1 = k1
        self.k2 = k2
        self.lambda = lambda
        self.metric = metric
    }

    /// Re-ranked distances, row-major [Q, G].
    public func distances(query: Tensor, gallery: Tensor) throws -> [Float] {
        var phases: [String: Double] = [:]
        return try distances(query: query, gallery: gallery, phaseSeconds: &phases)
    }

    /// Re-ranked distances, and the seconds spent in each phase (scan, encodings, expansion,
    /// jaccard) for benchmarks.
    public func distances(query: Tensor, gallery: Tensor, phaseSeconds: inout [String: Double]) throws -> [Float] {
        var clock = PhaseClock()
        defer { phaseSeconds = clock.seconds }
        guard k1 >= 1, k2 >= 1, (0...1).contains(lambda) else {
            throw ReIDError.invalidOption("re-ranking needs k1 ≥ 1, k2 ≥ 1 and 0 ≤ λ ≤ 1 (got k1 \(k1), k2 \(k2), λ \(lambda))")
        }
        var all = try Tensor.cat([query.to(.float32), gallery.to(.float32)], dim: 0)
        if metric == .cosine { all = try all.normalized(dim: 1) }
        let q = query.size(0), n = all.size(0), g = n - q, dim = all.size(1)
        let width = min(n, max(k1 + 1, k2))
        guard k2 <= n else { throw ReIDError.invalidOption("k2 \(k2) exceeds the \(n) images") }

        // 1. Row blocks of the symmetric score matrix (upper triangle only): nearest neighbours,
        // each row's farthest score, and the query × gallery scores. Cosine (features already
        // normalised) ranks by similarity and takes the maximum squared distance (1 − s)² from the
        // smallest similarity; the query × gallery scores become scaled squared distances only in
        // step 4, once every row's maximum is known.
        let cosine = metric == .cosine
        let scan = SymmetricNeighbourScan(
            blockRows: blockRows, width: width, largerIsNearer: cosine,
            score: cosine ? { try $0.matmul($1.t()) } : { [metric] in try metric.matrix(query: $0, gallery: $1).square() })
        var queryScores = [Float](repeating: 0, count: q * g)
        let scanned = try scan.run(all) { start, rows, scores in
            guard start < q else { return }
            // Columns of `scores` are items start..<n, so the gallery starts at column q − start.
            let qRows = min(rows, q - start)
            let part = try scores.narrow(dim: 0, start: 0, length: qRows).narrow(dim: 1, start: q - start, length: g)
                .contiguous()
            try queryScores.withUnsafeMutableBytes { raw in
                try part.copyBytes(into: UnsafeMutableRawBufferPointer(
                    rebasing: raw[(start * g * 4)..<((start + qRows) * g * 4)]))
            }
        }
        let rank = scanned.rank
        let rowMax = cosine ? scanned.farthest.map { (1 - $0) * (1 - $0) } : scanned.farthest
        let features = try all.contiguous().floats()
        let maxima = rowMax
        let neighbours = KReciprocalNeighbors(rank: rank, width: width)
        let chosen = self.metric
        clock.lap("scan")

        /// original[i, j] on demand: the squared distance over row i's maximum.
        @Sendable func scaledDistance(_ i: Int, _ j: Int) -> Float {
            var acc: Float = 0
            features.withUnsafeBufferPointer { f in
                let a = f.baseAddress! + i * dim, b = f.baseAddress! + j * dim
                switch chosen {
                case .cosine:
                    let dot = VectorMath.dot(a, b, count: dim)
                    acc = (1 - dot) * (1 - dot)
                case .euclidean:
                    acc = VectorMath.squaredDistance(a, b, count: dim)
                }
            }
            return acc / maxima[i]
        }

        // 2. Encodings V: weights exp(−d) over each row's expanded k-reciprocal set.
        let k1 = self.k1
        let v = SparseRows(rows: parallelMap(n) { i in
            let members = neighbours.expanded(i, k1: k1)
            let weights = members.map { Foundation.exp(-scaledDistance(i, Int($0))) }
            let total = weights.reduce(0, +)
            return zip(members, weights).map { ($0, $1 / total) }
        })
        clock.lap("encodings")

        // 3. Local query expansion: average V over each row's k2 nearest neighbours.
        let expanded = v.queryExpanded(neighbours, k: k2)
        clock.lap("expansion")

        // 4. Jaccard distance of each query to each gallery image through the inverted index.
        let index = InvertedIndex(expanded, columns: n, rowRange: q..<n)
        let lambda = Float(self.lambda)
        // The result overwrites the query × gallery scores row by row (each score is read once,
        // just before its place is written), so the [Q, G] matrix exists once: 3.8 GB at MSMT17 scale.
        queryScores.withUnsafeMutableBufferPointer { scores in
            let rows = UnsafeSendablePointer(scores.baseAddress!)
            concurrentChunks(q) { range in
                let shared = UnsafeMutablePointer<Float>.allocate(capacity: g)
                defer { shared.deallocate() }
                for i in range {
                    shared.update(repeating: 0, count: g)
                    for p in expanded.row(i) {
                        let column = Int(expanded.columns[p]), value = expanded.values[p]
                        for e in index.offsets[column]..<index.offsets[column + 1] {
                            shared[Int(index.rows[e]) - q] += Swift.min(value, index.values[e])
                        }
                    }
                    let maximum = maxima[i], row = rows.pointer + i * g
                    for s in 0..<g {
                        let jaccard = 1 - shared[s] / (2 - shared[s])
                        let score = row[s]
                        let squared = cosine ? (1 - score) * (1 - score) : score
                        row[s] = jaccard * (1 - lambda) + squared / maximum * lambda
                    }
                }
            }
        }
        clock.lap("jaccard")
        return queryScores
    }
}

/// Splits 0..<count into one contiguous range per core and runs them in parallel.
func concurrentChunks(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let workers = min(count, ProcessInfo.processInfo.activeProcessorCount * 4)
    let chunk = (count + workers - 1) / workers
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        // With small counts the last workers can start past the end (e.g. 18 items, 8 workers of 3).
        let range = min(count, w * chunk)..<min(count, (w + 1) * chunk)
        if !range.isEmpty { body(range) }
    }
}

/// `(0..<count).map(transform)`, computed in parallel.
func parallelMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    let sink = UnsafeSendablePointer(results.baseAddress!)
    concurrentChunks(count) { range in
        for i in range { sink.pointer[i] = transform(i) }
    }
    return results.map { $0! }
}

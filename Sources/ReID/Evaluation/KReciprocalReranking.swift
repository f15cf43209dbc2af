import Dispatch
import Foundation
import Torch

/// k-reciprocal re-ranking (Zhong et al., CVPR 2017) with the definitions of fast-reid's
/// `re_ranking(q_g, q_q, g_g, k1, k2, λ)`: the chosen distance is squared and each row of the
/// (query+gallery)² matrix divided by its maximum; the final distance is
/// (1 − λ)·Jaccard + λ·original on query rows and gallery columns.
///
/// Unlike the dense reference it never holds an N×N matrix: distances are made in row blocks
/// (libtorch), only each row's k1+1 nearest neighbours and maximum are kept, the encodings V
/// are sparse rows, and the Jaccard sums run over an inverted index, in parallel.
public struct KReciprocalReranking: Sendable {
    public var k1: Int
    public var k2: Int
    public var lambda: Double
    public var metric: DistanceMetric
    /// Rows of the distance matrix computed at once (memory ≈ rows × N × 4 bytes × 3).
    public var blockRows = 1024

    public init(k1: Int = 20, k2: Int = 6, lambda: Double = 0.3, metric: DistanceMetric = .cosine) {
        self.k1 = k1
        self.k2 = k2
        self.lambda = lambda
        self.metric = metric
    }

    /// Re-ranked distances, row-major [Q, G].
    public func distances(query: Tensor, gallery: Tensor) throws -> [Float] {
        guard k1 >= 1, k2 >= 1, (0...1).contains(lambda) else {
            throw ReIDError.invalidOption("re-ranking needs k1 ≥ 1, k2 ≥ 1 and 0 ≤ λ ≤ 1 (got k1 \(k1), k2 \(k2), λ \(lambda))")
        }
        var all = try Tensor.cat([query.to(.float32), gallery.to(.float32)], dim: 0)
        if metric == .cosine { all = try all.normalized(dim: 1) }
        let q = query.size(0), n = all.size(0), g = n - q, dim = all.size(1)
        let width = min(n, max(k1 + 1, k2))
        guard k2 <= n else { throw ReIDError.invalidOption("k2 \(k2) exceeds the \(n) images") }

        // 1. Row blocks: squared distance, row maximum, nearest neighbours, and the query × gallery block.
        var rank = [Int32](repeating: 0, count: n * width)
        var rowMax = [Float](repeating: 0, count: n)
        var original = [Float](repeating: 0, count: q * g)
        try withNoGrad {
            var start = 0
            var scoresForQuery: Tensor
            while start < n {
                let rows = min(blockRows, n - start)
                let block = try all.narrow(dim: 0, start: start, length: rows)
                // Cosine (features already normalised): rank by similarity and take the row maximum
                // of (1 − s)² from the smallest similarity, which skips three full passes over the
                // block; only the query × gallery part is turned into scaled squared distances.
                let nearest: Tensor, maxima: Tensor, squaredOf: (Tensor) throws -> Tensor
                if self.metric == .cosine {
                    let similarity = try block.matmul(all.t())
                    nearest = try similarity.topk(width, dim: 1, largest: true, sorted: true).indices.to(.int32)
                    maxima = try (1 - similarity.amin(dims: [1], keepDim: true)).square()
                    squaredOf = { try (1 - $0).square() }
                    scoresForQuery = similarity
                } else {
                    let squared = try self.metric.matrix(query: block, gallery: all).square()
                    nearest = try squared.topk(width, dim: 1, largest: false, sorted: true).indices.to(.int32)
                    maxima = try squared.amax(dims: [1], keepDim: true)
                    squaredOf = { $0 }
                    scoresForQuery = squared
                }
                try rank.withUnsafeMutableBytes { raw in
                    try nearest.contiguous().copyBytes(into: UnsafeMutableRawBufferPointer(
                        rebasing: raw[(start * width * 4)..<((start + rows) * width * 4)]))
                }
                let m = try maxima.flatten().floats()
                for r in 0..<rows { rowMax[start + r] = m[r] }
                if start < q {
                    let qRows = min(rows, q - start)
                    let part = try scoresForQuery.narrow(dim: 0, start: 0, length: qRows).narrow(dim: 1, start: q, length: g)
                    let qg = try (squaredOf(part) / maxima.narrow(dim: 0, start: 0, length: qRows)).contiguous()
                    try original.withUnsafeMutableBytes { raw in
                        try qg.copyBytes(into: UnsafeMutableRawBufferPointer(
                            rebasing: raw[(start * g * 4)..<((start + qRows) * g * 4)]))
                    }
                }
                start += rows
            }
        }
        let features = try all.contiguous().floats()
        let maxima = rowMax
        let neighbours = KReciprocalNeighbors(rank: rank, width: width)
        let chosen = self.metric

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

        // 3. Local query expansion: average V over each row's k2 nearest neighbours.
        let expanded = v.queryExpanded(neighbours, k: k2)

        // 4. Jaccard distance of each query to each gallery image through the inverted index.
        let index = InvertedIndex(expanded, columns: n, rowRange: q..<n)
        let lambda = Float(self.lambda)
        var result = [Float](repeating: 0, count: q * g)
        result.withUnsafeMutableBufferPointer { out in
            let sink = UnsafeSendablePointer(out.baseAddress!)
            original.withUnsafeBufferPointer { orig in
                let source = UnsafeSendablePointer(UnsafeMutablePointer(mutating: orig.baseAddress!))
                concurrentChunks(q) { range in
                    var shared = [Float](repeating: 0, count: g)
                    for i in range {
                        for s in 0..<g { shared[s] = 0 }
                        for p in expanded.row(i) {
                            let column = Int(expanded.columns[p]), value = expanded.values[p]
                            for e in index.offsets[column]..<index.offsets[column + 1] {
                                shared[Int(index.rows[e]) - q] += Swift.min(value, index.values[e])
                            }
                        }
                        for s in 0..<g {
                            let jaccard = 1 - shared[s] / (2 - shared[s])
                            sink.pointer[i * g + s] = jaccard * (1 - lambda) + source.pointer[i * g + s] * lambda
                        }
                    }
                }
            }
        }
        return result
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

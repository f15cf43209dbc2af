import Foundation
import Torch

/// The k-reciprocal Jaccard distance that SpCL, Cluster-Contrast and PPLR cluster with
/// (`compute_jaccard_distance`): features are L2-normalised; each item's k1 nearest neighbours
/// (itself included) give its k-reciprocal set, expanded with the round(k1/2)-reciprocal sets
/// that overlap it by more than 2/3; the encoding V weights that set by softmax(−d) with
/// d = 2 − 2·cos; k2 query expansion averages V over the k2 nearest; and the distance is
/// 1 − Σmin(V_i, V_j) / Σmax(V_i, V_j). No λ blend with the original distance.
///
/// Only pairs whose encodings overlap have a distance below 1, so the result is returned as
/// sparse neighbour lists; nothing N×N is ever allocated.
public struct JaccardDistance: Sendable {
    public var k1: Int
    public var k2: Int
    /// Rows of the similarity matrix computed at once by libtorch for the kNN search.
    public var blockRows = 1024
    /// λ of `CameraAwareNeighbours`: same-camera pairs count as λ less similar, in the neighbour
    /// lists and in the encodings (0: the published distance; needs the cameras).
    public var cameraPenalty: Float

    public init(k1: Int = 30, k2: Int = 6, cameraPenalty: Float = 0) {
        self.k1 = k1
        self.k2 = k2
        self.cameraPenalty = cameraPenalty
    }

    /// Sparse Jaccard distances: for each item, the items at distance < 1 (itself at 0).
    public struct Neighbourhoods: Sendable {
        public var rows: [[(index: Int32, distance: Float)]]
        /// Seconds spent in each phase: knn, encodings, expansion, jaccard.
        public var phaseSeconds: [String: Double] = [:]

        /// The distance between i and j (1 when their encodings do not overlap).
        public func distance(_ i: Int, _ j: Int) -> Float {
            rows[i].first { Int($0.index) == j }?.distance ?? 1
        }

        /// A dense block (for checks): rows and columns at `indices`.
        public func dense(_ indices: [Int]) -> [Float] {
            let position = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, $0) })
            var out = [Float](repeating: 1, count: indices.count * indices.count)
            for (r, i) in indices.enumerated() {
                for (j, d) in rows[i] { if let c = position[Int(j)] { out[r * indices.count + c] = d } }
            }
            return out
        }
    }

    public func neighbourhoods(_ features: Tensor, cameras: [Int]? = nil) throws -> Neighbourhoods {
        guard features.rank == 2, features.size(0) > 1 else {
            throw ReIDError.invalidOption("Jaccard distance needs features [N, D] with N > 1, got \(features.shape)")
        }
        guard k1 >= 1, k2 >= 1 else { throw ReIDError.invalidOption("k1 and k2 must be at least 1") }
        var clock = PhaseClock()
        let x = try features.to(.float32).normalized(dim: 1).contiguous()
        let n = x.size(0), dim = x.size(1)
        let width = min(k1, n)
        let aware = cameraPenalty > 0 ? CameraAwareNeighbours(penalty: cameraPenalty) : nil
        let cameras = cameras ?? []
        if aware != nil && cameras.count != n {
            throw ReIDError.invalidOption("a camera penalty needs the camera of each image (\(cameras.count) for \(n) features)")
        }
        let rank = try aware.map { try $0.search(x.floats(), count: n, dimension: dim, cameras: cameras, width: width) }
            ?? NearestNeighbours.search(x, k: width)
        let neighbours = KReciprocalNeighbors(rank: rank, width: width)
        clock.lap("knn")
        let k1 = self.k1, k2 = min(self.k2, width)

        // Encodings V: softmax(−(2 − 2 cos)) over each expanded k-reciprocal set (the features read
        // in place: at N = 1,000,000 a copy is 2 GB).
        let v = try x.withUnsafeFloats { features in
            let f = UnsafeSendablePointer(UnsafeMutablePointer(mutating: features.baseAddress!))
            return SparseRows(rows: parallelMap(n) { i in
                let members = neighbours.expanded(i, k1: k1)
                let logits: [Float] = members.map { j in
                    var dot = VectorMath.dot(f.pointer + i * dim, f.pointer + Int(j) * dim, count: dim)
                    if let aware { dot = aware.similarity(cosine: dot, i, Int(j), cameras: cameras) }
                    return -(2 - 2 * dot)
                }
                let top = logits.max() ?? 0
                let exps = logits.map { Foundation.exp($0 - top) }
                let total = exps.reduce(0, +)
                return zip(members, exps).map { ($0, $1 / total) }
            })
        }
        clock.lap("encodings")
        // Query expansion over the k2 nearest, then Jaccard over the inverted index keeping only
        // overlapping pairs. Both accumulate into a dense scratch row per worker (with the list of
        // touched columns), which is what keeps N = 100,000 fast.
        let expanded = v.queryExpanded(neighbours, k: k2)
        clock.lap("expansion")
        let index = InvertedIndex(expanded, columns: n, rowRange: 0..<n)
        let rows: [[(index: Int32, distance: Float)]] = chunkedMap(n, scratch: n) { i, shared, touched in
            for p in expanded.row(i) {
                let column = Int(expanded.columns[p]), value = expanded.values[p]
                for e in index.offsets[column]..<index.offsets[column + 1] {
                    let j = Int(index.rows[e])
                    if shared[j] == 0 { touched.append(Int32(j)) }
                    shared[j] += Swift.min(value, index.values[e])
                }
            }
            touched.sort()
            return touched.map { j in
                let m = shared[Int(j)]
                return (j, Swift.max(0, 1 - m / (2 - m)))
            }
        }
        clock.lap("jaccard")
        return Neighbourhoods(rows: rows, phaseSeconds: clock.seconds)
    }
}

/// `(0..<count).map`, in parallel chunks, where each chunk owns a zeroed scratch row of `scratch`
/// floats and a list of touched positions; `transform` must leave its touched positions listed
/// (they are cleared after each item, so the row stays all zeros between items).
func chunkedMap<T: Sendable>(_ count: Int, scratch: Int,
                             _ transform: @Sendable (Int, inout [Float], inout [Int32]) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    let sink = UnsafeSendablePointer(results.baseAddress!)
    concurrentChunks(count) { range in
        var row = [Float](repeating: 0, count: scratch)
        var touched: [Int32] = []
        touched.reserveCapacity(1024)
        for i in range {
            sink.pointer[i] = transform(i, &row, &touched)
            for t in touched { row[Int(t)] = 0 }
            touched.removeAll(keepingCapacity: true)
        }
    }
    return results.map { $0! }
}

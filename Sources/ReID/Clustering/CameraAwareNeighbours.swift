import Torch

/// Nearest neighbours under a camera-aware similarity: cos(i, j) − λ when i and j (i ≠ j) come
/// from the same camera.
///
/// Why: with few cameras, an image's nearest neighbours are mostly other images of the same
/// camera (same light, angle, background), so k-reciprocal sets, and the clusters built on them,
/// stay inside one camera. The test is cross-camera only, so such clusters teach little. A small
/// penalty λ lets cross-camera neighbours into the k-reciprocal sets (the idea behind camera-aware
/// Jaccard distances). On cuhk03-pair1 with OSNet features (camera-normalised, eps 0.5), λ = 0.1
/// raises the clusters that span both cameras from 170 (of 957) to 313 (of 849).
///
/// The search is exact: faiss inner product over vectors extended by √λ·onehot(camera), with the
/// queries' extension negated, so that query·item = cos − λ·[same camera].
public struct CameraAwareNeighbours: Sendable {
    public var penalty: Float

    public init(penalty: Float) {
        self.penalty = penalty
    }

    /// The similarity the search ranks by.
    @inline(__always)
    public func similarity(cosine: Float, _ i: Int, _ j: Int, cameras: [Int]) -> Float {
        i != j && cameras[i] == cameras[j] ? cosine - penalty : cosine
    }

    /// Row-major [n, width] neighbour indices of L2-normalised `vectors` ([n, d]), each row the
    /// item itself first, then the others by decreasing camera-aware similarity.
    public func search(_ vectors: [Float], count n: Int, dimension d: Int, cameras: [Int], width: Int) throws -> [Int32] {
        guard cameras.count == n else {
            throw ReIDError.invalidOption("camera-aware neighbours need one camera per feature: \(cameras.count) for \(n)")
        }
        guard penalty >= 0, width >= 1, width <= n else {
            throw ReIDError.invalidOption("camera penalty must be ≥ 0 and the neighbour count in 1…\(n)")
        }
        let cameraIDs = Array(Set(cameras)).sorted()
        let column = Dictionary(uniqueKeysWithValues: cameraIDs.enumerated().map { ($1, $0) })
        let extended = d + cameraIDs.count
        let scale = penalty.squareRoot()
        var items = [Float](repeating: 0, count: n * extended)
        var queries = items
        for i in 0..<n {
            for c in 0..<d {
                items[i * extended + c] = vectors[i * d + c]
                queries[i * extended + c] = vectors[i * d + c]
            }
            items[i * extended + d + column[cameras[i]]!] = scale
            queries[i * extended + d + column[cameras[i]]!] = -scale
        }
        let index = try FaissIndex(dimension: extended)
        try index.add(items, ids: (0..<n).map(Int64.init))
        // One extra: the item itself is penalised too in the extended space and may rank late.
        let found = try index.search(queries, k: min(n, width + 1))
        var rank = [Int32](repeating: 0, count: n * width)
        for i in 0..<n {
            rank[i * width] = Int32(i)
            var r = 1
            for (id, _) in found[i] where Int(id) != i && r < width {
                rank[i * width + r] = Int32(id)
                r += 1
            }
        }
        return rank
    }
}

import Torch

/// k-nearest-neighbour search with faiss on L2-normalised features (so L2 order = cosine order):
/// an exact flat index by default, an IVF index (2√N lists, 16 probed) above `ivfThreshold`
/// items, where exact search would dominate the clustering time. Returns row-major indices
/// [N, k], each row normally starting with the item itself.
public enum NearestNeighbours {
    public static let ivfThreshold = 30_000

    public static func search(_ normalized: Tensor, k: Int, ivfThreshold: Int = ivfThreshold) throws -> [Int32] {
        let n = normalized.size(0), d = normalized.size(1)
        let vectors = try normalized.to(.float32).contiguous().floats()
        let lists = n > ivfThreshold ? Int(2 * Double(n).squareRoot()) : 0
        return try FaissSearch.selfNeighbours(vectors, count: n, dimension: d, k: k, lists: lists)
            .map { Int32(truncatingIfNeeded: $0) }
    }
}

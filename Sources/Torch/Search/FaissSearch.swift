import CTorch

/// faiss k-nearest-neighbour search of a set of vectors among themselves (squared L2).
public enum FaissSearch {
    /// `vectors` row-major [n, d]; `lists` 0 for an exact flat index, else an IVF index with that
    /// many lists (trained on the vectors) probing `probes` of them. Returns labels [n·k].
    public static func selfNeighbours(_ vectors: [Float], count n: Int, dimension d: Int, k: Int,
                                      lists: Int = 0, probes: Int = 16) throws -> [Int64] {
        guard vectors.count == n * d, k >= 1, k <= n else {
            throw TorchError.invalidArgument("faiss search: \(vectors.count) values for \(n)×\(d), k \(k)")
        }
        var labels = [Int64](repeating: 0, count: n * k)
        var distances = [Float](repeating: 0, count: n * k)
        try check(ct_knn_self(vectors, Int64(n), Int64(d), Int64(k), Int64(lists), Int64(probes), &labels, &distances))
        return labels
    }
}
